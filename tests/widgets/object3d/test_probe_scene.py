"""wandb's lidar/beta scene (``Object3D({"type": "lidar/beta", "points", "boxes", "vectors"})``
and ``Object3D.from_point_cloud``), as its docs log it: the boxes and vectors kept in the
record, sent with the points, stroked on the canvas and drawn in the picture."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ..harness import Harness, record
from .test_object3d import XSS, _lit, _view

CUBE = [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]


def _scene(label: str = "Box") -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "type": "lidar/beta",
        "points": rng.random((200, 3)) * 2 - 0.5,
        "boxes": np.array([{"corners": CUBE, "label": label, "color": [123, 321, 111]}]),
        "vectors": np.array([{"start": [0, 0, 0], "end": [0.1, 0.2, 0.5]}]),
    }


def test_a_lidar_scene_keeps_its_boxes_and_vectors_and_the_reply_carries_their_edges(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="scene")
    run.log({"scene": wbnb.Object3D(_scene()), "made": wbnb.Object3D.from_point_cloud(CUBE, [{"corners": CUBE}])})
    run.finish()
    w = _view(run)
    entry = next(e for e in w.objects.entries.values() if e.key == "scene")
    reply, buffers = w._answer({"type": "fetch", "req": 1, "id": entry.id, "step": 0, "index": 0})
    assert reply["total"] == 200 and len(buffers) == 1
    box, vector = reply["shapes"]
    assert box["label"] == "Box" and box["color"] == "#7bff6f"  # 321 clipped to 255
    assert len(box["segments"]) == 12
    lengths = sorted(float(np.linalg.norm(np.subtract(s[:3], s[3:]))) for s in box["segments"])
    assert lengths == pytest.approx([1.0] * 12)  # edges, never a face or body diagonal
    assert vector["segments"] == [[0.0, 0.0, 0.0, 0.1, 0.2, 0.5]] and vector["label"] is None
    made = next(e for e in w.objects.entries.values() if e.key == "made")
    reply, _ = w._answer({"type": "fetch", "req": 2, "id": made.id, "step": 0, "index": 0})
    assert reply["total"] == 8 and len(reply["shapes"][0]["segments"]) == 12
    assert w.points("scene").shape == (200, 3)


def test_a_scene_that_is_not_one_says_what_is_accepted() -> None:
    import wbnb

    with pytest.raises(ValueError, match="lidar/beta"):
        wbnb.Object3D({"type": "mesh", "points": CUBE})
    with pytest.raises(ValueError, match=r"boxes\[0\]\['corners'\] must be 8"):
        wbnb.Object3D({"type": "lidar/beta", "points": CUBE, "boxes": [{"corners": CUBE[:4]}]})


def test_the_picture_strokes_the_box_edges_and_escapes_the_label(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="scene")
    run.log({"scene": wbnb.Object3D(_scene(label=f"car {XSS}"))})
    run.finish()
    svg = _view(run, live=False)._picture().markup()
    assert svg.count('stroke="#7bff6f"') == 12 and svg.count('stroke="#2ca02c"') == 1
    assert "car &lt;img" in svg and "<img" not in svg


def test_the_canvas_strokes_the_boxes_over_the_points(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="scene")
    scene = _scene()
    run.log({"plain": wbnb.Object3D(scene["points"]), "scene": wbnb.Object3D(scene)}, step=0)
    run.finish()
    w = _view(run)
    comm = record(w)
    harness.mount(w, "object3d")
    assert harness.answer(w, comm) == 2
    for key in ("plain", "scene"):
        harness.page.wait_for_selector(f".wbnb-panel[data-key='{key}'][data-drawn='0'] canvas")
    ids = {
        k: int(harness.page.get_attribute(f".wbnb-panel[data-key='{k}']", "data-id") or -1) for k in ("plain", "scene")
    }
    assert _lit(harness, ids["scene"])[0] > _lit(harness, ids["plain"])[0] + 200  # the box's lines
    assert not harness.errors  # type: ignore[attr-defined]


def test_box3d_from_wandbs_reference_turns_and_places_the_box(store_dir: Any) -> None:
    """``wandb.box3d(center=, size=, orientation=[r, x, y, z], color=0..1)`` as wandb's
    reference page logs 60 of them through ``Object3D.from_point_cloud``."""
    import wbnb

    turn = [np.cos(np.pi / 4), 0, 0, np.sin(np.pi / 4)]  # 90° about z
    box = wbnb.box3d(center=(1, 2, 3), size=(2, 4, 6), orientation=turn, color=(1, 0.5, 0), label="car", score=0.9)
    assert box["color"] == [255, 128, 0] and box["label"] == "car" and box["score"] == 0.9
    corners = np.array(box["corners"])
    assert corners.mean(axis=0) == pytest.approx([1, 2, 3])
    assert np.ptp(corners, axis=0) == pytest.approx([4, 2, 6])  # x and y sizes swapped by the quarter turn
    run = wbnb.init(project="p", name="boxes")
    boxes = [
        wbnb.box3d(center=(t, 0, 0), size=(0.1,) * 3, orientation=(1, 0, 0, 0), color=(0.5, 0.5, 0.5)) for t in range(3)
    ]
    run.log(
        {
            "points": wbnb.Object3D.from_point_cloud(
                points=np.random.default_rng(1).uniform(-5, 5, (100, 3)), boxes=boxes
            )
        }
    )
    run.finish()
    w = _view(run)
    (entry,) = w.objects.entries.values()
    reply, _ = w._answer({"type": "fetch", "req": 1, "id": entry.id, "step": 0, "index": 0})
    assert len(reply["shapes"]) == 3 and all(len(s["segments"]) == 12 for s in reply["shapes"])
