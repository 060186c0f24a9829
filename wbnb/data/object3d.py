"""``Object3D``: a point cloud stored as a float32 .npy file (with wandb's ``lidar/beta``
scene, its 3-D boxes and vectors kept in the record), or a 3-D model file (.obj, .gltf,
.glb) stored as it is."""

from __future__ import annotations

import io
import json
import os
from typing import IO, Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue, warn_once
from wbnb.data.files import describe, is_path, read_media_file
from wbnb.data.image import to_numpy

_FILE_TYPES = ("obj", "gltf", "glb")
# Point columns by width: position, position + category, position + colour (0..255).
_COLUMNS = {3: "xyz", 4: "xyzc", 6: "xyzrgb"}
_ACCEPTED_POINTS = "a numeric array of points shaped (N, 3) xyz, (N, 4) xyz + category or (N, 6) xyz + rgb 0..255"
_ACCEPTED = f"{_ACCEPTED_POINTS}, or a .obj, .gltf or .glb file (a path, or a file object with file_type=)"
SCENE_TYPES = ("lidar/beta",)  # wandb's point-cloud scene: {"type", "points", "boxes", "vectors"}


def _xyz(value: Any, what: str, count: int) -> list[list[float]]:
    arr = to_numpy(value)
    if arr.dtype.kind not in "iuf" or arr.shape != (count, 3) or not np.isfinite(arr).all():
        raise ValueError(f"Object3D scene: {what} must be {count} finite [x, y, z] points, got {describe(value)}")
    return [[float(v) for v in row] for row in arr.reshape(count, 3)]


def _color(value: Any, what: str) -> list[int] | None:
    if value is None:
        return None
    arr = to_numpy(value)
    if arr.dtype.kind not in "iuf" or arr.shape != (3,) or not np.isfinite(arr).all():
        raise ValueError(f"Object3D scene: {what} color must be [r, g, b] (0..255), got {describe(value)}")
    return [int(v) for v in np.clip(np.round(arr), 0, 255)]


def _scene_items(items: Any, what: str) -> list[dict[str, Any]]:
    """A scene's boxes or vectors (a list or an object array of dicts) as plain records."""
    out: list[dict[str, Any]] = []
    for i, item in enumerate([] if items is None else list(items)):
        if not isinstance(item, dict):
            raise TypeError(f"Object3D scene: {what}[{i}] must be a dict, got {type(item).__name__}")
        name = f"{what}[{i}]"
        rec: dict[str, Any]
        if what == "boxes":
            rec = {"corners": _xyz(item.get("corners"), f"{name}['corners']", 8)}
            if item.get("score") is not None:
                rec["score"] = float(item["score"])
        else:
            rec = {"start": _xyz([item.get("start")], f"{name}['start']", 1)[0]}
            rec["end"] = _xyz([item.get("end")], f"{name}['end']", 1)[0]
        rec["color"] = _color(item.get("color"), name)
        rec["label"] = None if item.get("label") is None else str(item["label"])
        out.append(rec)
    return out


def _points(data: Any) -> np.ndarray:
    """Check a point cloud and return it as float32 (N, 3|4|6) without non-finite rows."""
    arr = to_numpy(data)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"Object3D got {describe(data)}; accepted: {_ACCEPTED_POINTS}")
    if arr.ndim != 2 or arr.shape[1] not in _COLUMNS or arr.size == 0:
        raise ValueError(f"Object3D got an array of shape {arr.shape}; accepted: {_ACCEPTED_POINTS}")
    points = arr.astype("<f4")
    finite = np.isfinite(points).all(axis=1)
    if not finite.all():
        warn_once(
            "object3d-nan",
            "wbnb.Object3D: points with a NaN or infinite value (or beyond float32) are dropped"
            " (this warning is shown once)",
        )
        points = points[finite]
    return points


_UNIT_CORNERS = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])


def box3d(
    *,
    center: Any,
    size: Any,
    orientation: Any,
    color: Any,
    label: str | None = None,
    score: float | None = None,
) -> dict[str, Any]:
    """wandb's 3-D box for ``Object3D.from_point_cloud``: ``center`` and ``size`` (x, y, z),
    ``orientation`` the quaternion [r, x, y, z] turning global coordinates into the box's,
    ``color`` (r, g, b) in 0..1; returned as the scene's box dict (its 8 ``corners``,
    ``color`` 0..255, ``label``, ``score``)."""
    c = _xyz([center], "box3d center", 1)[0]
    extent = np.asarray(_xyz([size], "box3d size", 1)[0])
    q = to_numpy(orientation).astype(float).reshape(-1)
    if q.shape != (4,) or not np.isfinite(q).all() or not np.any(q):
        raise ValueError(f"box3d: orientation must be a non-zero quaternion [r, x, y, z], got {describe(orientation)}")
    r, x, y, z = q / np.linalg.norm(q)
    to_box = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - r * z), 2 * (x * z + r * y)],
            [2 * (x * y + r * z), 1 - 2 * (x * x + z * z), 2 * (y * z - r * x)],
            [2 * (x * z - r * y), 2 * (y * z + r * x), 1 - 2 * (x * x + y * y)],
        ]
    )
    corners = (_UNIT_CORNERS * extent) @ to_box + np.asarray(c)  # row vectors times R: R's inverse applied
    rgb = to_numpy(color).astype(float).reshape(-1)
    if rgb.shape != (3,) or not np.isfinite(rgb).all():
        raise ValueError(f"box3d: color must be (r, g, b) in 0..1, got {describe(color)}")
    box: dict[str, Any] = {"corners": corners.tolist(), "color": [int(v) for v in np.clip(np.round(rgb * 255), 0, 255)]}
    box["label"] = None if label is None else str(label)
    if score is not None:
        box["score"] = float(score)
    return box


def _check_model(name: str, data: bytes, ext: str) -> None:
    """Refuse a model file whose content is not its extension's format, or a .gltf that
    needs files stored beside it (only the file itself is stored)."""
    if ext == "glb" and data[:4] != b"glTF":
        raise ValueError(f"Object3D got {name}, which has a .glb name but is not a binary glTF file")
    if ext == "gltf":
        try:
            doc = json.loads(data)
        except ValueError:
            raise ValueError(f"Object3D got {name}, which has a .gltf name but is not glTF JSON") from None
        parts = doc.get("buffers", []) + doc.get("images", []) if isinstance(doc, dict) else []
        outside = [
            p["uri"] for p in parts if isinstance(p, dict) and not str(p.get("uri", "data:")).startswith("data:")
        ]
        if outside:
            raise ValueError(
                f"Object3D got {name}, a .gltf that needs the files {outside} beside it; only the .gltf would be"
                " stored. Embed them (data: URIs) or export a .glb"
            )


class Object3D(WBValue):
    """A 3-D object to log: a point cloud (array) or a model file.

    Point clouds are (N, 3) xyz, (N, 4) xyz + category or (N, 6) xyz + rgb (0..255),
    stored as a float32 .npy file (``np.load`` reads it back); points with a NaN or
    infinite value are dropped, with a warning shown once. wandb's scene dict
    ``{"type": "lidar/beta", "points": ..., "boxes": [{"corners": 8 xyz, "label",
    "color": rgb, "score"}], "vectors": [{"start", "end", "color", "label"}]}`` (or
    ``from_point_cloud``) keeps its boxes and vectors in the record. Files (.obj, .gltf
    with embedded buffers, .glb) keep their bytes: a path, or a file object with
    ``file_type``.
    """

    _type = "object3d"

    def __init__(self, data_or_path: Any, caption: str | None = None, file_type: str | None = None) -> None:
        self.caption = None if caption is None else str(caption)
        self.points: int | None = None
        self.columns: str | None = None
        self.scene: dict[str, Any] = {}
        if isinstance(data_or_path, dict):
            kind = data_or_path.get("type")
            if kind not in SCENE_TYPES:
                raise ValueError(f"Object3D got a dict of type {kind!r}; accepted: a scene of type {SCENE_TYPES}")
            self.scene = {
                "type": kind,
                "boxes": _scene_items(data_or_path.get("boxes"), "boxes"),
                "vectors": _scene_items(data_or_path.get("vectors"), "vectors"),
            }
            data_or_path = data_or_path.get("points")
        if is_path(data_or_path):
            self._bytes, self.format = read_media_file("Object3D", data_or_path, _FILE_TYPES)
            _check_model(repr(os.fspath(data_or_path)), self._bytes, self.format)
        elif callable(getattr(data_or_path, "read", None)):
            self._bytes, self.format = self._read(data_or_path, file_type)
        else:
            points = _points(data_or_path)
            buf = io.BytesIO()
            np.save(buf, points, allow_pickle=False)
            self._bytes, self.format = buf.getvalue(), "npy"
            self.points, self.columns = len(points), _COLUMNS[points.shape[1]]

    @staticmethod
    def _read(file: IO[Any], file_type: str | None) -> tuple[bytes, str]:
        ext = (file_type or "").lower().lstrip(".")
        if ext not in _FILE_TYPES:
            raise ValueError(f"Object3D got a file object with file_type={file_type!r}; accepted: {list(_FILE_TYPES)}")
        content = file.read()
        data = content.encode() if isinstance(content, str) else bytes(content)
        if not data:
            raise ValueError("Object3D got an empty file object")
        _check_model("a file object", data, ext)
        return data, ext

    @classmethod
    def from_numpy(cls, data: Any, caption: str | None = None) -> Object3D:
        """A point cloud: (N, 3) xyz, (N, 4) xyz + category or (N, 6) xyz + rgb."""
        if is_path(data) or callable(getattr(data, "read", None)):
            raise TypeError(f"Object3D.from_numpy got {describe(data)}; accepted: {_ACCEPTED_POINTS}")
        return cls(data, caption=caption)

    @classmethod
    def from_point_cloud(
        cls,
        points: Any,
        boxes: Any,
        vectors: Any = None,
        point_cloud_type: str = "lidar/beta",
        caption: str | None = None,
    ) -> Object3D:
        """wandb's point-cloud scene: ``points`` as for ``from_numpy``, ``boxes`` (dicts of
        8 ``corners``, ``label``, ``color``, ``score``) and ``vectors`` (``start``, ``end``)."""
        scene = {"type": point_cloud_type, "points": points, "boxes": boxes, "vectors": vectors}
        return cls(scene, caption=caption)

    @classmethod
    def from_file(cls, data_or_path: Any, file_type: str | None = None, caption: str | None = None) -> Object3D:
        """A .obj, .gltf or .glb model: a path, or a file object with ``file_type``."""
        if not (is_path(data_or_path) or callable(getattr(data_or_path, "read", None))):
            raise TypeError(f"Object3D.from_file got {describe(data_or_path)}; accepted: a path or a file object")
        return cls(data_or_path, caption=caption, file_type=file_type)

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Store the object through ``sink`` and return the object3d record."""
        return {
            "_type": self._type,
            "path": sink.put(self._bytes, self.format),
            "format": self.format,
            "points": self.points,
            "columns": self.columns,
            "caption": self.caption or None,
            **self.scene,
        }
