"""The example notebooks run top to bottom in a real kernel and leave real runs behind."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from wbnb.artifacts.lineage import lineage, store_run_names
from wbnb.store.local import LocalStore

ROOT = Path(__file__).resolve().parents[1]


def execute(name: str, workdir: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    os.environ["WBNB_SYSTEM_INTERVAL"] = "1"
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        os.environ.pop("WBNB_SYSTEM_INTERVAL", None)
    return nb


def pictures(nb: nbformat.NotebookNode) -> list[str]:
    """The static picture of each widget view: the SVG of the output right after it."""
    return [
        after["data"]["image/svg+xml"]
        for c in nb.cells
        if c.cell_type == "code"
        for o, after in zip(c.get("outputs", []), c.get("outputs", [])[1:])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]


def outputs(nb: nbformat.NotebookNode, mime: str) -> list[str]:
    return [
        o["data"][mime]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if mime in o.get("data", {})
    ]


@pytest.mark.timeout(900)
def test_quickstart_trains_logs_and_reads_back(tmp_path: Path) -> None:
    nb = execute("quickstart.ipynb", tmp_path)
    store = LocalStore(tmp_path / "wbnb-runs")
    (meta,) = store.runs("quickstart")
    assert meta["state"] == "finished" and meta["config"]["epochs"] == 15
    assert meta["summary"]["val/acc"]["max"] > 0.8  # summary="max" over 15 epochs of a real model
    assert meta["metadata"]["environment"] == "jupyter" and meta["metadata"]["notebook"] is True
    cols = store.columns("quickstart", meta["id"])
    epochs = [c for c in cols["val/confusion"] if c is not None]
    assert len(epochs) == 15 and epochs[-1]["_type"] == "confusion_matrix"
    assert sum(map(sum, epochs[-1]["matrix"])) == 450  # every validation digit counted once
    galleries = [g for g in cols["val/mistakes"] if g is not None]
    assert galleries and all(img["_type"] == "image" and img["caption"].startswith("true ") for img in galleries[-1])
    assert store.media(galleries[-1][0]["path"]).startswith(b"\x89PNG")
    # finish() showed the end-of-run summary as HTML with sparklines, in the notebook.
    html = "".join(outputs(nb, "text/html"))
    assert "Run history" in html and "val/acc" in html and any(ch in html for ch in "▁▂▃▄▅▆▇█")
    # The last cell read the run back through Api as a DataFrame.
    assert any("val/acc" in text and "_step" in text for text in outputs(nb, "text/plain"))


@pytest.mark.timeout(600)
def test_colab_quickstart_runs_outside_colab_too(tmp_path: Path) -> None:
    nb = execute("colab_quickstart.ipynb", tmp_path)
    assert nb.cells[0].source.startswith("# Install wbnb")
    (meta,) = LocalStore(tmp_path / "wbnb-runs").runs("colab-quickstart")
    assert meta["state"] == "finished" and meta["summary"]["epoch"] == 9 and meta["summary"]["val/acc"] > 0.8


@pytest.mark.timeout(600)
def test_compare_trains_a_grid_and_shows_table_and_overlay(tmp_path: Path) -> None:
    nb = execute("compare.ipynb", tmp_path)
    runs = LocalStore(tmp_path / "wbnb-runs").runs("compare")
    assert len(runs) == 6 and all(m["state"] == "finished" for m in runs)
    assert {m["config"]["loss"] for m in runs} == {"log_loss", "modified_huber"}
    views = outputs(nb, "application/vnd.jupyter.widget-view+json")
    assert len(views) == 3  # the table twice, the overlay once
    printed = "".join(o.get("text", "") for o in nb.cells[6].outputs if o.output_type == "stream")
    best = ast.literal_eval(printed.strip())  # [(name, val/acc), ...] as Api ordered them
    assert len(best) == 3 and [acc for _, acc in best] == sorted((acc for _, acc in best), reverse=True)


@pytest.mark.timeout(600)
def test_artifacts_versions_data_links_the_best_checkpoint_and_draws_lineage(tmp_path: Path) -> None:
    nb = execute("artifacts.ipynb", tmp_path)
    store = LocalStore(tmp_path / "wbnb-runs")
    catalog, project = store.catalog, "artifacts-demo"
    runs = {m["name"]: m for m in store.runs(project)}
    assert all(m["state"] == "finished" for m in runs.values()) and len(runs) == 5
    # Dataset versioning: preprocessing twice logged identical bytes, so one version.
    assert [v.version for v in catalog.versions(project, "raw-data")] == ["v0"]
    (processed,) = catalog.versions(project, "processed-data")
    assert processed.logged_by is not None and processed.logged_by.run_id == runs["preprocess"]["id"]
    assert (tmp_path / "artifacts" / "raw-data:v0" / "X.npy").is_file()  # wandb's default download folder
    # A checkpoint per epoch; "best" on the highest val_acc (the first to reach it), "latest" on the last.
    ckpts = catalog.versions(project, "classifier")
    assert [v.version for v in ckpts] == [f"v{e}" for e in range(6)]
    assert all(f"epoch-{v.index}" in v.aliases for v in ckpts) and "latest" in ckpts[-1].aliases
    accs = [v.metadata["val_acc"] for v in ckpts]
    best = catalog.resolve(project, "classifier", "best")
    assert best.index == accs.index(max(accs)) and best.index < 5  # best is not the last epoch here
    # The registry link resolves to the best checkpoint, and the evaluation run used it.
    link = catalog.resolve("wandb-registry-model", "demo-classifier", "production")
    assert link.source_id == best.id and link.digest == best.digest
    assert [r.run_id for r in catalog.used_by(link.id)] == [runs["evaluate"]["id"]]
    assert runs["evaluate"]["summary"]["eval/acc"] == pytest.approx(max(accs))  # same weights, same data
    # Lineage edges, as the graph the notebook drew reads them.
    graph = lineage(catalog, best, depth=4, run_names=store_run_names(store))
    edges = {(graph.nodes[e.src].label, graph.nodes[e.dst].label, e.kind) for e in graph.edges}
    assert {
        ("raw-data:v0", "preprocess", "input"),
        ("preprocess", "processed-data:v0", "output"),
        ("processed-data:v0", "train", "input"),
        ("train", f"classifier:{best.version}", "output"),
        (f"classifier:{best.version}", "demo-classifier:v0", "link"),
        ("demo-classifier:v0", "evaluate", "input"),
    } <= edges
    # Both widgets are in the saved notebook, each with its static picture.
    pictured = pictures(nb)
    assert len(pictured) == 2
    assert "artifacts-demo/classifier" in pictured[0] and f"best, epoch-{best.index}" in pictured[0]
    assert "raw-data:v0" in pictured[1] and "demo-classifier:v0" in pictured[1]
    # The Api cell printed what it read back.
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert "logged by: train" in printed and "used by: ['evaluate']" in printed


@pytest.mark.timeout(900)
def test_sweeps_runs_a_bayes_sweep_with_hyperband_and_a_cli_grid(tmp_path: Path) -> None:
    from wbnb.sweeps.books import book_for

    nb = execute("sweeps.ipynb", tmp_path)
    store = LocalStore(tmp_path / "wbnb-runs")
    book = book_for(store)
    (sweep,) = book.sweeps("sweeps-demo")
    trials = book.trials("sweeps-demo", sweep.id)
    # run_cap is exact, every trial ended, and Hyperband cut some trials at a band.
    assert len(trials) == 14 and sweep.state == "FINISHED"
    assert {t.state for t in trials} <= {"finished", "stopped"}
    stopped = [t for t in trials if t.state == "stopped"]
    assert stopped and all(t.stop and t.stop["band"] in (2, 4) for t in stopped)
    runs = {m["id"]: m for m in store.runs("sweeps-demo")}
    assert {t.run_id for t in trials} == set(runs)
    for t in trials:
        meta = runs[t.run_id]
        assert meta["sweep_id"] == sweep.id and meta["config"]["hidden"] == t.params["hidden"]
        assert meta["state"] == ("killed" if t.state == "stopped" else "finished")
    # The CLI agent ran the grid's four points once each, as subprocesses.
    (grid,) = book.sweeps("sweeps-demo-grid")
    points = sorted((t.params["lr"], t.params["layers"]) for t in book.trials("sweeps-demo-grid", grid.id))
    assert points == [(0.01, 1), (0.01, 2), (0.1, 1), (0.1, 2)]
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert "FINISHED [(0.01, 1), (0.01, 2), (0.1, 1), (0.1, 2)]" in printed
    # The panel and Compare are in the saved notebook with their static pictures.
    views = outputs(nb, "application/vnd.jupyter.widget-view+json")
    assert len(views) == 2 and len(pictures(nb)) == 2 and all("<svg" in svg for svg in pictures(nb))


def test_sklearn_logs_wandb_keys_and_draws_them(tmp_path: Path) -> None:
    nb = execute("sklearn.ipynb", tmp_path)
    store = LocalStore(tmp_path / "wbnb-runs")
    runs = {m["name"]: m for m in store.runs("sklearn-demo")}
    assert set(runs) == {"random-forest", "ridge", "kmeans"} and {m["state"] for m in runs.values()} == {"finished"}
    keys = {name: set(store.columns("sklearn-demo", m["id"])) for name, m in runs.items()}
    assert {"roc", "precision_recall", "confusion_matrix", "class_proportions", "calibration_curve"} <= keys[
        "random-forest"
    ]
    assert {"summary_metrics", "learning_curve", "outlier_candidates", "residuals"} <= keys["ridge"]
    assert {"elbow_curve", "silhouette_plot"} <= keys["kmeans"]
    # Each run's panel, Charts, ConfusionMatrix and the two runs' Charts, saved with their pictures.
    assert len(outputs(nb, "application/vnd.jupyter.widget-view+json")) == 6
    _, charts, matrix, _, _, both = pictures(nb)
    assert all(title in charts for title in ("Feature Importance", "Calibration curve", "Learning curve", "roc"))
    assert "malignant" in matrix and "benign" in matrix
    assert all(title in both for title in ("Residuals (train R²", "Elbow curve", "Silhouette (average"))


def test_lightning_fits_on_cpu_and_logs_config_metrics_and_the_best_checkpoint(tmp_path: Path) -> None:
    nb = execute("lightning.ipynb", tmp_path)
    (project,) = LocalStore(tmp_path / "wbnb-runs").projects()
    assert project == "lightning-demo"
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "finished 0.05 " in printed and "model-" in printed and ":v" in printed and " model epoch=" in printed


def test_keras_notebook_logs_epochs_and_the_best_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "torch")  # Keras' default, TensorFlow, is not installed
    pytest.importorskip("keras", reason="keras 3 is not installed (tests/requirements.in pins it)")
    nb = execute("keras.ipynb", tmp_path)
    store = LocalStore(tmp_path / "wbnb-runs")
    (meta,) = store.runs("keras-demo")
    assert meta["state"] == "finished" and meta["metrics"]["epoch/*"]["step_metric"] == "epoch/epoch"
    assert meta["summary"]["epoch/epoch"] == 3 and meta["summary"]["epoch/val_accuracy"] > 0.8
    accuracy = float(outputs(nb, "text/plain")[-1])  # the best model, loaded back from its artifact
    assert accuracy > 0.8


def test_transformers_trains_a_tiny_bert_on_cpu_and_logs_config_metrics_and_the_model(tmp_path: Path) -> None:
    nb = execute("transformers.ipynb", tmp_path)
    (meta,) = LocalStore(tmp_path / "wbnb-runs").runs("transformers-demo")
    assert meta["state"] == "finished" and meta["metrics"]["*"]["step_metric"] == "train/global_step"
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "finished tiny-bert 0.003 32 " in printed and "eval/loss at steps [20, 40]" in printed
    assert "model-tiny-bert:v1 model" in printed and "'model.safetensors'" in printed  # v0: the base model
    assert "reloaded BertForSequenceClassification" in printed


@pytest.mark.timeout(600)
def test_pytorch_notebook_watches_gradients_and_parameters(tmp_path: Path) -> None:
    nb = execute("pytorch.ipynb", tmp_path)
    store = LocalStore(tmp_path / "wbnb-runs")
    (meta,) = store.runs("pytorch-demo")
    assert meta["state"] == "finished" and meta["summary"]["accuracy"] > 0.8
    cols = store.columns("pytorch-demo", meta["id"])
    for key, size in (("gradients/0.weight", 320), ("parameters/0.weight", 320), ("gradients/2.bias", 2)):
        logged = [(step, h) for step, h in zip(cols["_step"], cols[key], strict=True) if h is not None]
        assert [step for step, _ in logged] == [9, 19, 29, 39, 49, 59], key  # every 10th backward pass
        assert all(h["_type"] == "histogram" and sum(h["values"]) == size for _, h in logged), key
    assert len(pictures(nb)) >= 2  # the live run panel, the Histograms widget
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "6 steps with histograms, at [9, 19, 29, 39, 49, 59]" in printed  # read back through Api
    assert "gradients/0.weight: 320 values in 64 bins" in printed
