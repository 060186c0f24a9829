"""How a point cloud is put on a flat picture, as the page's canvas does it
(``js/object3d/projection.ts``; ``tests/cases/object3d_projection.json`` holds both to
one rule): centred on the middle of its bounding box, turned ``yaw`` about the vertical
(y) axis then ``pitch`` about the horizontal one, seen orthographically, the farthest
point from the centre at 45 % of the shorter side (times ``zoom``); y points up. And
each point's colour (``point_colors``)."""

from __future__ import annotations

import numpy as np

from .contract import PALETTE, POINT_COLOR


def _rgb(hex_color: str) -> list[int]:
    v = int(hex_color[1:], 16)
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255]


def frame_of(xyz: np.ndarray) -> tuple[np.ndarray, float]:
    """The centre (middle of the bounding box) and radius (farthest point from it) of a cloud."""
    p = np.asarray(xyz, dtype=float)[:, :3]
    c = (p.min(axis=0) + p.max(axis=0)) / 2
    return c, float(np.sqrt(((p - c) ** 2).sum(axis=1)).max()) or 1.0


def project(
    xyz: np.ndarray,
    yaw: float,
    pitch: float,
    zoom: float,
    width: float,
    height: float,
    frame: tuple[np.ndarray, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Screen x, screen y (down) and depth (larger: nearer) of each point; ``frame``
    (default: the points' own, ``frame_of``) places other things in a cloud's view."""
    p = np.asarray(xyz, dtype=float)[:, :3]
    if not len(p):
        return np.zeros(0), np.zeros(0), np.zeros(0)
    c, radius = frame_of(p) if frame is None else frame
    p = p - c
    scale = 0.45 * min(width, height) / radius * zoom
    cy, sy, cp, sp = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch)
    x1 = p[:, 0] * cy + p[:, 2] * sy
    z1 = -p[:, 0] * sy + p[:, 2] * cy
    y2 = p[:, 1] * cp - z1 * sp
    z2 = p[:, 1] * sp + z1 * cp
    return width / 2 + x1 * scale, height / 2 - y2 * scale, z2


def point_colors(points: np.ndarray) -> np.ndarray:
    """Each point's colour, (N, 3) 0..255: its rgb columns (clipped, rounded), its
    category's (``PALETTE``, the category's integer part modulo its length), else ``POINT_COLOR``."""
    p = np.asarray(points, dtype=float)
    if p.shape[1] == 6:
        return np.floor(np.clip(np.nan_to_num(p[:, 3:6]), 0, 255) + 0.5).astype(np.uint8)  # halves up, as JS rounds
    if p.shape[1] == 4:
        palette = np.array([_rgb(c) for c in PALETTE], dtype=np.uint8)
        return palette[np.trunc(np.nan_to_num(p[:, 3])).astype(np.int64) % len(PALETTE)]
    return np.tile(np.array(_rgb(POINT_COLOR), dtype=np.uint8), (len(p), 1))
