"""Names of entities, projects and runs: what each may be (wandb's rules), and the one
folder name each is stored under.

What a name may be (``check_name``), after NFC normalisation (so ``"café"`` typed
either way is one project):

- a project or an entity: 1-128 characters without ``/ \\ # ? % :`` (wandb's project
  rule; ``"project name"`` is fine);
- a run id: 1-128 characters without ``: ; , # ? / '`` (wandb's reserved characters),
  not starting or ending with whitespace;
- never a control character, and never ``.`` or ``..`` (an HTTP client would resolve
  those in a URL before sending it).

Run names, groups and job types are free text, stored in ``run.json``, never in a
path: ``runmeta.py`` declares what they may be.

On disk (``folder_name``): ASCII letters, digits, ``.``, ``_``, ``-`` and every
character past U+009F (any script's letters, emoji) are kept; any other character is
written ``%XX`` (its code, upper-case hex), and so is a leading ``.``, so no folder of
a name starts with a dot (``.last_run``, ``.name`` and temp files are never taken for
one). A name made only of kept characters (every name older versions allowed) is its
own folder. A folder name longer than ``MAX_FOLDER_BYTES`` (names of many emoji or
escaped characters) is cut and ends in ``~`` and a hash of the name, and the name is
kept in a ``.name`` file inside it (``remember``). ``name_of`` maps a folder back and
answers None for anything that is not exactly the folder of a valid name. Names are
case-sensitive, as wandb's are: on a case-insensitive filesystem (macOS, Windows
shares) two names that differ only in case share one folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import string
import threading
import unicodedata
from pathlib import Path
from typing import Any

from ..errors import UsageError

NAME_MAX = 128  # characters of an entity, project or run id (wandb's project limit)
MAX_FOLDER_BYTES = 255  # one path component on Linux and macOS
_CUT_BYTES = 160  # what a hashed folder name keeps of the escaped name
_KEPT = frozenset(string.ascii_letters + string.digits + "._-")
_ESCAPE = re.compile(r"%([0-9A-F]{2})")
_TOKEN = re.compile(r"%[0-9A-F]{2}|.", re.DOTALL)
_NAME_FILE = ".name"

_FORBIDDEN = {"entity": "/\\#?%:", "project": "/\\#?%:", "run id": ":;,#?/'"}
_RULES = {
    "entity": "an entity is 1-128 characters without / \\ # ? % : or control characters",
    "project": "a project name is 1-128 characters without / \\ # ? % : or control characters",
    "run id": "a run id is 1-128 characters without : ; , # ? / ' or control characters, "
    "not starting or ending with whitespace",
}


class InvalidName(UsageError, ValueError):
    """A name that wandb's rules (or a path) do not allow; the message names the field,
    the value and the rule. A ``ValueError`` and wandb's ``UsageError``."""


def _control(c: str) -> bool:
    return ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F


def check_name(kind: str, value: Any) -> str:
    """``value`` as a valid ``kind`` ("entity", "project" or "run id"), NFC-normalised;
    ``InvalidName`` (a ``ValueError``) saying what is wrong otherwise."""
    if not isinstance(value, str):
        raise InvalidName(f"{kind} {value!r} is not valid: it is a {type(value).__name__}, not a str; {_RULES[kind]}")
    name = unicodedata.normalize("NFC", value)
    why = None
    if not name:
        why = "it is empty"
    elif len(name) > NAME_MAX:
        why = f"it is {len(name)} characters long"
    elif found := sorted({c for c in name if c in _FORBIDDEN[kind]}):
        why = f"it contains {', '.join(map(repr, found))}"
    elif found := [c for c in name if _control(c)]:
        why = f"it contains a control character ({found[0]!r})"
    elif name in (".", ".."):
        why = "'.' and '..' are path segments, not names"
    elif kind == "run id" and name != name.strip():
        why = "it starts or ends with whitespace"
    else:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            why = "it is not valid Unicode text (a lone surrogate)"
    if why is not None:
        raise InvalidName(f"{kind} {value!r} is not valid: {why}; {_RULES[kind]}")
    return name


def folder_name(name: str) -> str:
    """The folder a (checked) name is stored under: one path component, never ``.``,
    ``..`` or hidden, whatever ``name`` holds."""
    out = "".join(c if c in _KEPT or ord(c) > 0x9F else f"%{ord(c):02X}" for c in name)
    if out.startswith("."):
        out = "%2E" + out[1:]
    if len(out.encode("utf-8")) <= MAX_FOLDER_BYTES:
        return out
    kept, size = [], 0
    for token in _TOKEN.findall(out):  # cut between characters, never inside an escape
        size += len(token.encode("utf-8"))
        if size > _CUT_BYTES:
            break
        kept.append(token)
    return "".join(kept) + "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:20]


def name_of(folder: Path, kind: str) -> str | None:
    """The ``kind`` name whose folder ``folder`` is, or None when it is no such folder
    (a temp file, ``.last_run``, a folder made by hand)."""
    text = unicodedata.normalize("NFC", folder.name)  # macOS HFS+ lists names decomposed
    if "~" in text:  # a cut name: the name is kept inside
        try:
            name = (folder / _NAME_FILE).read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None
    else:
        name = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    try:
        return name if folder_name(check_name(kind, name)) == text else None
    except ValueError:
        return None


def remember(folder: Path, name: str) -> None:
    """Keep ``name`` in its folder when the folder name alone cannot say it (cut)."""
    path = folder / _NAME_FILE
    if "~" not in folder.name or path.exists():
        return
    tmp = folder / f"{_NAME_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(name, encoding="utf-8")
    os.replace(tmp, path)
