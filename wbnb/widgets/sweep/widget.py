"""``SweepPanel``, the anywidget: one sweep, live while its agents run.

Python re-reads the sweep's book and its runs every ``poll`` seconds while the sweep runs
or a trial is live (``model.py``), into ``_data``; the page (``js/sweep/``) draws the
parallel coordinates with the parameters' importance (``js/compare/``'s, brushing sends
the runs that pass, kept in ``selected``), the metric per trial with the best so far,
Hyperband's rungs, and the trial table.
"""

from __future__ import annotations

from typing import Any

import traitlets as t

from ...sdk.lifecycle import current_run
from ...store.base import Store
from ...sweeps.lease import sweep_path
from ...sweeps.records import FINAL_SWEEP_STATES, LIVE, SweepBook
from ..compare.widget import ParallelWidget
from ..pictures.svg import Picture
from .contract import SweepData
from .model import EndedRuns, sweep_data
from .picture import sweep_picture


class SweepPanel(ParallelWidget):
    """A sweep's trials: parallel coordinates over its parameters and metric (log axes
    where the distribution is log; brush to filter, ``curves()`` shows the brushed runs),
    each parameter's importance, the metric per trial with the best so far, where
    Hyperband cut each stopped run, and the trial table.

    ``sweep``: ``ID``, ``project/ID`` or ``entity/project/ID``. ``project``: the project of
    a bare ID (default: the current run's, else the settings'). ``store`` / ``dir``: where
    the runs are; ``book``: where the sweep is (default: the store's, ``book_for``).
    ``poll``: seconds between re-reads while the sweep goes on (None: read once).
    """

    _data = t.Dict().tag(sync=True, ts=SweepData)
    data: SweepData
    # Set once the sweep has ended and no trial is live: the displayed pictures are redrawn
    # then (not on every re-read, nor on brushing: a redraw renders the page's view anew).
    ended = t.Bool(False)
    esm_name = "sweep"

    def __init__(
        self,
        sweep: str,
        *,
        project: str | None = None,
        store: Store | None = None,
        dir: str | None = None,
        book: SweepBook | None = None,
        poll: float | None = 1.0,
        **kwargs: Any,
    ) -> None:
        from ...api import Api

        self.api = Api({"dir": dir} if dir else None, store=store)
        project = project or getattr(current_run(), "project", None) or self.api.default_project
        entity, found, self.sweep_id = sweep_path(sweep, project)
        self.project = found or self.api.default_project
        if entity:
            self.api = Api({"entity": entity}, store=self.api.store)
        if book is None:
            from ...sweeps.books import book_for

            book = book_for(self.api.store)
        self.book = book
        self._ended = EndedRuns()  # what is read once of ended trials' runs
        super().__init__(_data=self._read(0), **kwargs)
        self.ended = not self._live()
        self._follow(poll)

    def _read(self, rev: int) -> SweepData:
        return sweep_data(self.book, self.api, self.project, self.sweep_id, rev, self._ended)

    def refresh(self) -> None:
        super().refresh()
        self.ended = not self._live()

    def _live(self) -> bool:
        return self.data["state"] not in FINAL_SWEEP_STATES or any(r["state"] in LIVE for r in self.data["trials"])

    def _redraw_sources(self) -> list[tuple[Any, tuple[str, ...]]]:
        return [(self, ("ended",))]

    def _picture(self) -> Picture:
        return sweep_picture(self.data, list(self.selected))
