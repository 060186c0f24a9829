# Every wbnb widget in a marimo notebook (tests/e2e/test_marimo.py opens it in `marimo edit`).
# The training cell, last, waits for the file WBNB_E2E_GO names: the test creates it once
# the live panel's chart is drawn, then watches the curves move while the cell runs.
import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import os
    import time
    from pathlib import Path

    import marimo as mo
    import numpy as np

    import wbnb
    from wbnb.widgets import ConfusionMatrix, Gallery, Histograms, RunPanel, RunTable, System

    go = Path(os.environ["WBNB_E2E_GO"])
    return ConfusionMatrix, Gallery, Histograms, RunPanel, RunTable, System, go, mo, np, time, wbnb


@app.cell
def _(np, time, wbnb):
    media = wbnb.init(project="media", name="media", settings={"system_interval": 0.1, "live_panel": False})
    for _step, _shade in enumerate((0, 120, 250)):
        media.log(
            {
                "samples": [wbnb.Image(np.full((16, 16, 3), _shade, dtype=np.uint8), caption=f"shade {_shade}")],
                "cm": wbnb.plot.confusion_matrix(
                    y_true=[0, 0, 1, 1, 1, 2], preds=[0, 1, 1, 1, 2, 2], class_names=["cat", "dog", "bird"]
                ),
                "weights": wbnb.Histogram(np.arange(100) * (_step + 1)),
                "loss": 1.0 / (_step + 1),
            }
        )
    _api = wbnb.Api()
    _deadline = time.monotonic() + 60
    while len(_api.run(f"media/{media.id}").history(stream="system", pandas=False)) < 2:
        assert time.monotonic() < _deadline, "no system samples within 60 s"
        time.sleep(0.05)
    media.finish(quiet=True)
    return (media,)


@app.cell
def _(Gallery, media):
    Gallery(media)
    return


@app.cell
def _(ConfusionMatrix, media):
    ConfusionMatrix(media)
    return


@app.cell
def _(Histograms, media, mo):
    mo.ui.anywidget(Histograms(media))
    return


@app.cell
def _(System, media):
    System(media)
    return


@app.cell
def _(RunTable, media, mo):
    table = mo.ui.anywidget(RunTable(media.project))
    table  # noqa: B018 (marimo shows a cell's last expression)
    return (table,)


@app.cell
def _(table, wbnb):
    _names = [wbnb.Api().run(f"media/{_id}").name for _id in table.value["selected"]]
    print(f"selected: {_names}")
    return


@app.cell
def _(RunPanel, media):
    RunPanel(media)
    return


@app.cell
def _(wbnb):
    run = wbnb.init(project="live", name="<img src=x onerror=window.__xss=1>", settings={"system_interval": 0.2})
    run.log({"train/loss": 1.0, "train/acc": 0.0})
    return (run,)


@app.cell
def _(go, run, time, wbnb):
    _deadline = time.monotonic() + 120
    while not go.exists():
        assert time.monotonic() < _deadline, "the test never said go"
        time.sleep(0.05)
    for _i in range(1, 400):
        wbnb.log({"train/loss": 1 / (_i + 1), "train/acc": _i / 400})
        time.sleep(0.01)
    print("training done")
    run.finish()
    return


if __name__ == "__main__":
    app.run()
