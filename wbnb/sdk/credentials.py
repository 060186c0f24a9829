"""Where ``wbnb.login()`` keeps server keys, and how a run finds its server.

One JSON file, ``~/.config/wbnb/credentials.json`` (``WBNB_CONFIG_DIR`` moves the
folder; ``WANDB_CONFIG_DIR`` moves it to ``<that>/wbnb``), mode 0600 because it holds
secrets::

    {"default": "http://host:8080", "hosts": {"http://host:8080": {"key": "...", "entity": "..."}},
     "key": "..."}

``key`` is one given to ``login()`` with no server to check it against, kept for the
first server a login or a run goes to. ``WBNB_BASE_URL`` / ``WBNB_API_KEY`` (or
``init(settings=...)``) win over the file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .settings import Settings


@dataclass(frozen=True)
class Server:
    """A server to talk to: its URL, the key, and the entity that key belongs to
    (None until the server has said)."""

    url: str
    key: str | None
    entity: str | None = None


def credentials_path() -> Path:
    """The credentials file (it may not exist yet)."""
    base = Settings.from_env().config_dir or os.path.join(
        os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config"), "wbnb"
    )
    return Path(base) / "credentials.json"


def load() -> dict[str, Any]:
    """The saved credentials, or an empty record."""
    try:
        with open(credentials_path(), encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (FileNotFoundError, ValueError):
        return {}


def save(url: str, key: str, entity: str) -> Path:
    """Remember ``key`` for ``url`` and make it the default server; 0600 from the start."""
    data = load()
    data.setdefault("hosts", {})[normalize(url)] = {"key": key, "entity": entity}
    data["default"] = normalize(url)
    if data.get("key") == key:
        del data["key"]  # the kept key has found its server
    return _write(data)


def keep(key: str) -> Path:
    """Keep a key that has no server to be checked against yet (0600, like the others)."""
    data = load()
    data["key"] = key
    return _write(data)


def _write(data: dict[str, Any]) -> Path:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)
    return path


def normalize(url: str) -> str:
    """A server URL without trailing slashes; http:// assumed when no scheme is given."""
    url = url.strip().rstrip("/")
    return url if "://" in url else f"http://{url}"


def server_for(settings: Settings) -> Server | None:
    """The server runs go to, or None for the local store: settings / environment
    first, then what ``login()`` saved (its key for that server, else the key it kept)."""
    saved = load()
    url = settings.base_url or saved.get("default")
    if not url:
        return None
    url = normalize(url)
    entry = saved.get("hosts", {}).get(url, {})
    key = settings.api_key or entry.get("key") or saved.get("key")
    return Server(url, key, settings.entity or entry.get("entity"))
