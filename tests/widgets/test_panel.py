"""RunPanel: its parts follow what the run logged; its header is text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import wbnb
from wbnb.widgets import Curves, Gallery, Histograms, RunPanel, System
from wbnb.widgets.confusion import ConfusionMatrix


def test_parts_follow_what_the_run_logged(store_dir: Path) -> None:
    name = "<img src=x onerror=alert(1)>"
    run = wbnb.init(project="panel", name=name, settings={"system_interval": 0.05})
    for i in range(3):
        wbnb.log({"loss": 1 / (i + 1), "samples": [wbnb.Image(np.zeros((4, 4, 3), dtype=np.uint8))],
                  "cm": wbnb.plot.confusion_matrix(y_true=[0, 1], preds=[0, 1]), "w": wbnb.Histogram(np.arange(10))})
    import time

    time.sleep(0.3)  # a few system samples
    run.finish(quiet=True)
    panel = RunPanel(f"panel/{run.id}")
    expected = [Curves, Gallery, ConfusionMatrix, Histograms, System]
    assert len(panel.children) == 6  # anywidget subclasses each instance: compare with isinstance
    assert all(isinstance(part, cls) for part, cls in zip(panel.children[1:], expected))
    header = panel.children[0].value
    assert "&lt;img src=x onerror=alert(1)&gt;" in header and "<img" not in header and "finished" in header
    assert "<polyline" in panel.to_svg()


def test_a_run_with_only_scalars_gets_header_and_curves(store_dir: Path) -> None:
    run = wbnb.init(project="panel")
    wbnb.log({"loss": 1.0})
    panel = RunPanel(run)  # the live run: its system sampling is off in these tests
    assert len(panel.children) == 2 and isinstance(panel.children[1], Curves)
    assert "running" in panel.children[0].value
    run.finish(quiet=True)
    panel.flush()
    assert "finished" in panel.children[0].value
    with pytest.raises(ValueError, match="RunPanel shows one run"):
        RunPanel([run, run])
