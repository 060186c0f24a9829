"""The shared vega loader: one per kernel, remade when its model is gone."""

from __future__ import annotations

from wbnb.widgets.vegaloader import VegaLoader


def test_a_loader_whose_comm_was_closed_behind_it_is_remade() -> None:
    """marimo closes the comms a cell made when the cell runs again, without telling the
    widget (its comm stays, marked closed): the next chart needs a loader the page has."""
    first = VegaLoader.shared()
    assert VegaLoader.shared() is first
    first.comm.close()
    second = VegaLoader.shared()
    assert second is not first and VegaLoader.shared() is second
