"""The points of a logged ``Object3D`` record, as the page and the picture draw them:
a point cloud's .npy as it is, a .obj's vertices (``v x y z [r g b]`` lines), a glTF
model's (.gltf with embedded buffers, .glb) mesh vertices (their float ``POSITION``s, in
each mesh's own coordinates: node transforms are not applied), thinned evenly to at
most a given count."""

from __future__ import annotations

import base64
import io
import itertools
import json
import struct
from typing import Any

import numpy as np

from ..steprecords import StepRecords
from .contract import BOX_COLOR, Shape

COLUMNS = {3: "xyz", 4: "xyzc", 6: "xyzrgb"}


def read_points(data: bytes, fmt: str) -> np.ndarray | None:
    """float32 (N, 3|4|6) points of a stored object, or None when its format has none wbnb reads."""
    if fmt == "npy":
        a = np.load(io.BytesIO(data), allow_pickle=False)
        return np.ascontiguousarray(a, dtype="<f4") if a.ndim == 2 and a.shape[1] in COLUMNS else None
    if fmt == "obj":
        return obj_vertices(data)
    if fmt in ("gltf", "glb"):
        return gltf_vertices(data, fmt)
    return None


def obj_vertices(data: bytes) -> np.ndarray:
    """The vertices of a Wavefront .obj (its ``v`` lines), float32 (N, 3); with a colour
    per vertex (``v x y z r g b``, 0..1) when every vertex has one: (N, 6), 0..255."""
    rows: list[list[float]] = []
    for line in data.decode("utf-8", "replace").splitlines():
        if line.startswith("v "):
            try:
                rows.append([float(v) for v in line.split()[1:7]])
            except ValueError:
                continue
    if rows and all(len(r) == 6 for r in rows):
        a = np.asarray(rows, dtype="<f4")
        a[:, 3:] *= 255
        return a
    xyz = [r[:3] for r in rows if len(r) >= 3]
    return np.asarray(xyz, dtype="<f4").reshape(-1, 3)


def gltf_vertices(data: bytes, fmt: str) -> np.ndarray | None:
    """The float32 (N, 3) vertices of every mesh of a glTF model (its float VEC3
    ``POSITION`` accessors), or None when it has none wbnb reads."""
    try:
        doc, buffers = _gltf(data, fmt)
        parts = []
        for mesh in doc.get("meshes", []):
            for prim in mesh.get("primitives", []):
                acc = doc["accessors"][prim["attributes"]["POSITION"]]
                if acc.get("componentType") != 5126 or acc.get("type") != "VEC3" or "bufferView" not in acc:
                    continue  # only plain float positions (no quantised or sparse ones)
                view = doc["bufferViews"][acc["bufferView"]]
                start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
                stride = view.get("byteStride") or 12
                count = int(acc["count"])
                raw = np.frombuffer(buffers[view["buffer"]], dtype=np.uint8)[start : start + stride * count]
                rows = np.lib.stride_tricks.as_strided(raw, shape=(count, 12), strides=(stride, 1))
                parts.append(np.ascontiguousarray(rows).view("<f4").reshape(count, 3))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError, struct.error):
        return None  # not a glTF model wbnb reads (any client may have logged any file)
    return np.concatenate(parts) if parts else None


def _gltf(data: bytes, fmt: str) -> tuple[dict[str, Any], list[bytes]]:
    """A glTF model's JSON and its buffers (a .glb's binary chunk, a .gltf's data: URIs)."""
    if fmt == "glb":
        _magic, _version, _length = struct.unpack_from("<4sII", data, 0)
        at, doc, blob = 12, {}, b""
        while at + 8 <= len(data):
            size, kind = struct.unpack_from("<II", data, at)
            chunk = data[at + 8 : at + 8 + size]
            if kind == 0x4E4F534A:  # "JSON"
                doc = json.loads(chunk)
            elif kind == 0x004E4942:  # "BIN\0"
                blob = chunk
            at += 8 + size
        return doc, [blob]
    doc = json.loads(data)
    return doc, [base64.b64decode(b["uri"].partition(",")[2]) for b in doc.get("buffers", [])]


def thin(points: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` of ``points``, evenly spaced through the array (all when fewer)."""
    if len(points) <= most:
        return points
    return points[np.linspace(0, len(points) - 1, most).round().astype(int)]


def points_of(
    objects: StepRecords, key: str, run: int = 0, step: int | None = None, index: int = 0
) -> np.ndarray | None:
    """Every point of object ``index`` (of a list; 0 for one object) of ``key`` (run number
    ``run``, at ``step`` or the newest), or None when there is no such object, its file
    cannot be read or has no points wbnb reads."""
    found = objects.read(key, run, step, index)
    if found is None or not found[1]:
        return None
    record, data = found
    try:
        return read_points(data, format_of(record))
    except ValueError:
        return None


def format_of(record: dict[str, Any]) -> str:
    """A record's stored format (npy, obj, gltf, glb): its ``format``, else its file's extension."""
    return str(record.get("format") or str(record.get("path", "")).rpartition(".")[2]).lower()


def box_edges(corners: list[list[float]]) -> list[list[float]]:
    """The 12 edges of a box given by its 8 corners in any order: from one corner, the
    three edge vectors are the three differences whose subset sums give the other six
    (so a long thin box, whose face diagonal is shorter than its long edge, is right
    too); an edge joins two corners one edge vector apart. [] when the corners are no box."""
    c = np.asarray(corners, dtype=float)
    d = c[1:] - c[0]
    tol = 1e-6 * (float(np.abs(d).max()) or 1.0)
    for trio in itertools.combinations(range(7), 3):
        e = d[list(trio)]
        sums = np.array([e[list(s)].sum(axis=0) for n in (1, 2, 3) for s in itertools.combinations(range(3), n)])
        if all(np.abs(sums - v).max(axis=1).min() <= tol for v in d):
            edges = []
            for i, j in itertools.combinations(range(8), 2):
                v = c[j] - c[i]
                if min(np.abs(v - e).max(axis=1).min(), np.abs(v + e).max(axis=1).min()) <= tol:
                    edges.append([*c[i], *c[j]])
            return edges if len(edges) == 12 else []
    return []


def _hex(rgb: Any) -> str:
    if isinstance(rgb, list) and len(rgb) == 3 and all(isinstance(v, (int, float)) for v in rgb):
        return "#" + "".join(f"{int(max(0, min(255, v))):02x}" for v in rgb)
    return BOX_COLOR


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def shapes_of(record: dict[str, Any]) -> list[Shape]:
    """A ``lidar/beta`` scene's boxes and vectors as line segments (the record is the
    store's, written by ``wbnb.Object3D``: read defensively all the same)."""
    out: list[Shape] = []
    for box in _list(record.get("boxes")):
        try:
            edges = box_edges(box["corners"])
        except (KeyError, TypeError, ValueError):
            continue
        label = box.get("label")
        out.append({"segments": edges, "color": _hex(box.get("color")), "label": None if label is None else str(label)})
    for vec in _list(record.get("vectors")):
        try:
            seg = [float(v) for v in [*vec["start"], *vec["end"]]]
        except (KeyError, TypeError, ValueError):
            continue
        if len(seg) == 6:
            label = vec.get("label")
            out.append(
                {"segments": [seg], "color": _hex(vec.get("color")), "label": None if label is None else str(label)}
            )
    return out
