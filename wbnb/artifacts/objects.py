"""``Artifact.add(obj, name)`` and ``get(name)``: wbnb values (``Table``, ``Image``,
``Audio``, ``Video``, ``Html``, ``Object3D``, ``Histogram``...) kept in an artifact as wandb keeps them,
a ``<name>.<type>.json`` record beside the media files it points to (``media/...``,
named by content, so a value added twice is stored once)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import Any

from ..data.base import WBValue
from ..store.catalog.digest import digest_bytes

# Value types a record rebuilds into from the one file it points to: (module, class).
_FILE_TYPES = {
    "image": (".image", "Image"),
    "audio": (".audio", "Audio"),
    "video": (".video", "Video"),
    "html": (".html", "Html"),
    "object3d": (".object3d", "Object3D"),
}
_CAPTIONED = {"image", "audio", "video", "object3d"}


class _Sink:
    """A ``MediaSink`` writing into the artifact: ``media/<digest>.<ext>``."""

    def __init__(self, write: Callable[[str, bytes], str]) -> None:
        self._write = write

    def put(self, data: bytes, ext: str) -> str:
        return self._write(f"media/{digest_bytes(data)}.{ext}", data)

    def put_later(self, key: str, ext: str, produce: Callable[[], bytes]) -> str:
        return self.put(produce(), ext)


def record_name(obj: Any, name: str) -> str:
    """The entry path ``add(obj, name)`` writes: ``name.<type>.json`` (wandb's naming)."""
    suffix = f".{getattr(obj, '_type', '')}.json"
    return name if name.endswith(suffix) else name + suffix


def serialise(obj: Any, name: str, write: Callable[[str, bytes], str]) -> str:
    """Write ``obj``'s media and record through ``write(path, bytes)``; return the
    record's path. ``TypeError`` for a value that is not a wbnb value type."""
    if not isinstance(obj, WBValue):
        raise TypeError(
            f"Artifact.add: {type(obj).__name__} is not a wbnb value (Table, Image, Audio, Video, Html, Object3D...); "
            "add files with add_file / new_file"
        )
    record = obj.to_json(_Sink(write))
    return write(record_name(obj, name), json.dumps(record, separators=(",", ":"), allow_nan=False).encode())


def find(name: str, paths: Iterable[str]) -> str | None:
    """The record ``get(name)`` reads: ``name`` itself or ``name.<type>.json``."""
    paths = set(paths)
    if name in paths and name.endswith(".json"):
        return name
    found = sorted(p for p in paths if p.startswith(name + ".") and p.endswith(".json") and p.count(".") >= 2)
    return next((p for p in found if p[len(name) + 1 : -len(".json")].isidentifier()), None)


def rebuild(record: dict[str, Any], local: Callable[[str], Path]) -> Any:
    """The value a record describes; ``local(path)`` is a local file of one of the
    artifact's entries. A record of another kind comes back as its dict."""
    kind = record.get("_type")
    if kind == "table":
        from ..data.table import Table

        return Table.from_record(record, lambda p: local(p).read_bytes())
    if kind == "histogram":
        from ..data.histogram import Histogram

        return Histogram(np_histogram=(record["values"], record["bins"]))
    if kind in _FILE_TYPES:
        module, cls_name = _FILE_TYPES[kind]
        cls = getattr(import_module(module, "wbnb.data"), cls_name)
        extra = {"caption": record.get("caption")} if kind in _CAPTIONED else {}
        path = local(record["path"])
        if path.suffix == ".npy":  # a value made from an array (Object3D points) keeps it as .npy
            import numpy as np

            points = np.load(path)
            if kind == "object3d" and record.get("type"):  # a lidar/beta scene: its boxes and vectors too
                return cls({k: record.get(k) for k in ("type", "boxes", "vectors")} | {"points": points}, **extra)
            return cls(points, **extra)
        return cls(str(path), **extra)
    return record
