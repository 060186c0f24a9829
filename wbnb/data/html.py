"""``Html``: a page stored as an .html file. Showing it is a widget's job, and only ever
in a sandboxed frame: the page is the user's, scripts and all."""

from __future__ import annotations

import os
import re
from typing import Any

from wbnb.data.base import MediaSink, WBValue
from wbnb.data.files import describe, read_media_file

_FILE_TYPES = ("html", "htm")
_ACCEPTED = "HTML text (str or UTF-8 bytes), the path of an .html file, or a file-like object to read it from"
_HEAD = re.compile(rb"<head(\s[^>]*)?>", re.IGNORECASE)
_HTML = re.compile(rb"<html(\s[^>]*)?>", re.IGNORECASE)
# wandb injects a stylesheet from its CDN here; nothing of wbnb loads from the internet, so
# only the part that matters locally: links open a new tab instead of navigating the frame.
_INJECTED = b'<base target="_blank">'


def _inject(page: bytes) -> bytes:
    """``page`` with ``_INJECTED`` at the start of its head (made if it has none)."""
    if match := _HEAD.search(page):
        return page[: match.end()] + _INJECTED + page[match.end() :]
    if match := _HTML.search(page):
        return page[: match.end()] + b"<head>" + _INJECTED + b"</head>" + page[match.end() :]
    return _INJECTED + page


def _looks_like_file_name(text: str) -> bool:
    return text.lower().endswith((".html", ".htm")) and "<" not in text and "\n" not in text


class Html(WBValue):
    """HTML to log: a string, the path of an .html file, or a file-like object.

    A string ending in .html/.htm that names a file is read as that file (as wandb
    does; ``data_is_not_path=True`` keeps it as text). ``inject=True`` (the default)
    adds ``<base target="_blank">`` to the page's head so that its links open outside
    the frame it is shown in; wandb also links its stylesheet there, which wbnb does not
    (nothing loads from the internet). The page is stored as it is otherwise.
    """

    _type = "html"

    def __init__(self, data: Any, inject: bool = True, data_is_not_path: bool = False) -> None:
        if isinstance(data, os.PathLike) or (
            isinstance(data, str) and not data_is_not_path and _looks_like_file_name(data)
        ):
            if not os.path.isfile(data):
                raise ValueError(
                    f"Html got {os.fspath(data)!r}, which looks like a file name but no such file exists;"
                    " pass the HTML text itself (data_is_not_path=True to keep such a string as text)"
                )
            page, _ = read_media_file("Html", data, _FILE_TYPES)
        else:
            content = data.read() if callable(getattr(data, "read", None)) else data
            if isinstance(content, str):
                page = content.encode("utf-8", "surrogatepass")
            elif isinstance(content, (bytes, bytearray, memoryview)):
                page = bytes(content)
            else:
                raise TypeError(f"Html got {describe(content)}; accepted: {_ACCEPTED}")
            if not page.strip():
                raise ValueError(f"Html got an empty page; accepted: {_ACCEPTED}")
        self._bytes = _inject(page) if inject else page

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Store the page through ``sink`` and return the html record."""
        return {"_type": self._type, "path": sink.put(self._bytes, "html")}
