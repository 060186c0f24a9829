"""``Object3DView``: the 3-D objects runs logged (``wbnb.Object3D``), point clouds drawn on
a canvas the viewer turns (drag), zooms (wheel) and resets (double-click), with a step
slider per (run, key); several runs side by side.

Points travel on demand: the page asks for the object it shows and gets its points as
one float32 buffer, at most ``MAX_POINTS`` of them (evenly thinned here). A .obj model
or glTF model (.gltf, .glb) is drawn as its vertices (``points.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import traitlets as t

from ...store.base import Store
from ..base import LiveWidget
from ..contract import StepsSnapshot
from ..pictures.svg import Picture
from ..runs import resolve_runs
from ..steprecords import StepRecords
from .contract import MAX_POINTS, PointsReply
from .points import format_of, points_of, read_points, shapes_of, thin


class Object3DView(LiveWidget):
    """The point clouds (and .obj models, as points) of one or many runs, turned with the
    mouse, with a step slider per (run, key); a list of objects under one key: each drawn,
    side by side; runs side by side.

    ``runs``: a run, ``"project/run_id"`` or a list (default the current run); ``keys``:
    keys or globs (default every key holding a 3-D object). ``steps_shown`` (series id ->
    step, saved with the notebook) is the viewer's choice; absent: the newest.
    """

    esm_name = "object3d"

    _snapshot = t.Dict().tag(sync=True, ts=StepsSnapshot)
    steps_shown = t.Dict().tag(sync=True, ts=dict[str, int])

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        live: bool = True,
        store: Store | None = None,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self.objects = StepRecords(resolve_runs(runs, store), keys, "object3d")
        super().__init__(model=self.objects, live=live, min_interval=min_interval, **kwargs)

    @property
    def object_keys(self) -> list[str]:
        """The keys that hold 3-D objects, sorted."""
        return self.objects.keys_shown()

    def points(self, key: str, run: int = 0, step: int | None = None, index: int = 0) -> np.ndarray | None:
        """Every point of object ``index`` (of a logged list; 0 for one object) of ``key``
        (run number ``run``, at ``step`` or the newest): float32 (N, 3|4|6), or None when
        there is no such object or it has no points wbnb reads."""
        return points_of(self.objects, key, run, step, index)

    def _answer(self, request: Mapping[str, Any]) -> tuple[PointsReply, list[bytes]] | None:
        found = self.objects.fetched(request)
        if found is None:
            return None
        fetch, entry, record = found
        reply: PointsReply = {
            "type": "points",
            "req": fetch["req"],
            "id": fetch["id"],
            "step": fetch["step"],
            "index": fetch["index"],
            "format": "",
            "columns": "xyz",
            "total": 0,
            "shown": 0,
            "caption": None,
            "shapes": [],
        }
        if record is None:
            return reply, []
        caption = record.get("caption")
        reply["shapes"] = shapes_of(record)
        reply["format"] = format_of(record)
        reply["caption"] = None if caption is None else str(caption)
        try:
            points = read_points(self.objects.media(entry, record), reply["format"])
        except ValueError:
            points = None
        if points is None or not len(points):
            return reply, []
        shown = thin(points, MAX_POINTS)
        reply["columns"] = "xyzrgb" if shown.shape[1] == 6 else "xyzc" if shown.shape[1] == 4 else "xyz"
        reply["total"], reply["shown"] = len(points), len(shown)
        return reply, [np.ascontiguousarray(shown, dtype="<f4").tobytes()]

    def _picture(self) -> Picture:
        from .picture import object3d_picture

        return object3d_picture(self.objects, dict(self.steps_shown))
