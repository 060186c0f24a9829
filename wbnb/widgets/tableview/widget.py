"""``TableView``: the anywidget class (traits, the viewer's choices, the page's requests)
over a ``TableSteps`` (``model.py``) and the tables it reads (``frame.py``); its front end
is ``js/tableview/``."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import traitlets as t

from ...store.base import Store
from ..base import LiveWidget
from ..gallery.picture import thumbnail
from ..imageoverlay import image_file
from ..media import MAX_ANSWER_BYTES
from ..pagerequest import read_request
from ..pictures.svg import Picture
from ..runs import resolve_runs
from .contract import PREVIEW_ROWS, THUMB_SIDE, CellImage, ColumnsReply, FetchRequest, ImagesReply, TableViewSnapshot
from .frame import Frame, build, dataframe, preview, run_names, steps_of, version_of
from .model import TableSteps

KEPT_FRAMES = 2  # tables read back and kept (the one shown, the one before a step change)


class TableView(LiveWidget):
    """A logged ``wbnb.Table`` drawn in the cell: sortable, filterable, image cells as
    thumbnails, a step slider when the key was logged at several steps.

    ``runs``: a run, ``"project/run_id"``, or a list (default: the current run). ``key``:
    the logged key holding the table. Several runs are stacked under a ``run`` column, or
    with ``join="id"`` joined on that column (each run's other columns named
    ``"<column> (<run name>)"``; see ``frame.py``). The viewer's choices are traits, saved
    with the notebook: ``step`` (-1 follows the newest), ``sort`` (``"+col"`` / ``"-col"``
    / ``""``), ``filter`` (RunTable's filter language over the column names), ``hidden``
    (the columns unchecked in the column chooser). ``df`` is what is shown, as pandas.
    """

    esm_name = "tableview"

    _snapshot = t.Dict().tag(sync=True, ts=TableViewSnapshot)
    step = t.Int(-1).tag(sync=True)
    sort = t.Unicode("").tag(sync=True)
    filter = t.Unicode("").tag(sync=True)
    hidden = t.List(t.Unicode()).tag(sync=True)
    height = t.Int(420).tag(sync=True)

    def __init__(
        self,
        runs: Any = None,
        key: str = "",
        *,
        join: str | None = None,
        live: bool = True,
        store: Store | None = None,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        if not key:
            raise ValueError("TableView needs the key the table was logged under: TableView(run, 'predictions')")
        refs = resolve_runs(runs, store)
        self.tables = TableSteps(refs, key)
        self.join = join
        self._names = run_names(refs)
        self._frames: OrderedDict[str, Frame] = OrderedDict()
        super().__init__(model=self.tables, live=live, min_interval=min_interval, **kwargs)
        self.observe(self._on_step, names="step")
        if self.step != -1:
            self._on_step()

    # -- the table shown ---------------------------------------------------------------

    def _frame(self, steps: list[int | None]) -> Frame:
        """The table made of each run's table at ``steps`` (read once, a few kept; one
        with a table that could not be read is not kept: its file may come)."""
        version = version_of(steps)
        frame = self._frames.get(version)
        if frame is None:
            frame = build(self.tables, steps, self.join, self._names)
            if not frame.complete:
                return frame
            self._frames[version] = frame
            while len(self._frames) > KEPT_FRAMES:
                self._frames.popitem(last=False)
        self._frames.move_to_end(version)
        return frame

    def _for_page(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        step = self.step
        return {**snapshot, "preview": preview(self._frame(self.tables.resolve(step)), step, PREVIEW_ROWS)}

    def _on_step(self, _change: Any = None) -> None:
        """A new step chosen: the snapshot's preview follows (a saved notebook shows it)."""
        with self._feed.lock:
            self._snapshot = self._for_page(dict(self._snapshot))

    @property
    def df(self) -> Any:
        """The table shown (the chosen step; several runs stacked or joined) as a pandas DataFrame."""
        with self._feed.lock:
            return dataframe(self._frame(self.tables.resolve(self.step)))

    @property
    def steps(self) -> list[int]:
        """Every step at which a run shown logged the key (the slider's stops)."""
        return self.tables.all_steps()

    # -- the page's requests -----------------------------------------------------------

    def _answer(self, request: Any) -> tuple[ColumnsReply | ImagesReply, list[bytes]] | None:
        fetch = read_request(FetchRequest, request)
        if fetch is None:
            return None
        with self._feed.lock:
            if fetch["what"] == "images":
                return self._images(fetch)
            step = fetch.get("step", -1)
            frame = self._frame(self.tables.resolve(step))
            infos, buffers = frame.encoded
        reply: ColumnsReply = {
            "type": "columns",
            "req": fetch["req"],
            "step": step,
            "version": frame.version,
            "nrows": frame.nrows,
            "columns": infos,
            "complete": frame.complete,
        }
        return reply, buffers

    def _images(self, request: FetchRequest) -> tuple[ImagesReply, list[bytes]]:
        """The image cells the page shows (``request`` as ``read_request`` checked it)."""
        version = request.get("version", "")
        full = request.get("full", False)
        reply: ImagesReply = {
            "type": "images",
            "req": request["req"],
            "version": version,
            "full": full,
            "items": [],
        }
        steps = steps_of(version, len(self.tables.runs))
        if steps is None:
            return reply, []
        frame = self._frame(steps)
        buffers: list[bytes] = []
        total = 0
        for cell in request.get("cells", []):
            row, col = cell["row"], cell["col"]
            if not (0 <= col < len(frame.columns) and 0 <= row < frame.nrows):
                continue
            rec = frame.cells[col][row]
            if not isinstance(rec, dict) or rec.get("_type") != "image" or "path" not in rec:
                continue
            data, mime = image_file(self.tables.runs[frame.run_of(row, col)].store, rec)
            if data and not full:
                data, mime = thumbnail(data, mime, THUMB_SIDE)
            if buffers and total + len(data) > MAX_ANSWER_BYTES:
                break  # the page asks again for what is still missing
            total += len(data)
            item: CellImage = {"row": row, "col": col, "mime": mime}
            reply["items"].append(item)
            buffers.append(data)
        return reply, buffers

    def _picture(self) -> Picture:
        from .picture import table_picture

        frame = self._frame(self.tables.resolve(self.step))
        return table_picture(self.tables, frame, self.hidden, bool(self.sort or self.filter))
