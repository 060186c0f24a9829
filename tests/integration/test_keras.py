"""The Keras 3 callbacks (``wbnb.keras``) on the PyTorch backend: a tiny model fit on
random data, its metrics and checkpoints read back from the store."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported
keras = pytest.importorskip("keras", reason="keras 3 is not installed (tests/requirements.in pins it)")
np = pytest.importorskip("numpy")

import wbnb  # noqa: E402
from wbnb.keras import WandbCallback, WandbEvalCallback, WandbMetricsLogger, WandbModelCheckpoint  # noqa: E402
from wbnb.store.local import LocalStore  # noqa: E402

SAMPLES, BATCH = 32, 8  # 4 batches an epoch


@pytest.fixture
def work(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh store and a working folder the test runs in (checkpoints land there)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("WBNB_CACHE_DIR", str(tmp_path / "cache"))
    keras.utils.set_random_seed(0)
    yield folder


def fit(callbacks: list[Any], epochs: int = 2, **compile_args: Any) -> Any:
    """Fit a one-layer regression on random data with the callbacks; return the History."""
    x = np.random.rand(SAMPLES, 3).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=compile_args.pop("optimizer", keras.optimizers.SGD(0.1)), loss="mse", metrics=["mae"])
    return model.fit(
        x, y, batch_size=BATCH, epochs=epochs, validation_split=0.25, verbose=0, callbacks=callbacks, **compile_args
    )


def rows(run_id: str) -> list[dict[str, Any]]:
    return list(wbnb.Api().run(f"p/{run_id}").scan_history())


def test_epoch_metrics_and_learning_rate(work: Path) -> None:
    with wbnb.init(project="p") as run:
        history = fit([WandbMetricsLogger()], epochs=3)
    logged = [r for r in rows(run.id) if "epoch/epoch" in r]
    assert [r["epoch/epoch"] for r in logged] == [0, 1, 2]
    for row, loss, val_mae in zip(logged, history.history["loss"], history.history["val_mae"]):
        assert row["epoch/loss"] == pytest.approx(loss)
        assert row["epoch/val_mae"] == pytest.approx(val_mae)
        assert row["epoch/learning_rate"] == pytest.approx(0.1)
    assert not any(k.startswith("batch/") for r in logged for k in r)
    metrics = LocalStore(work.parent / "store").run("p", run.id)["metrics"]
    assert metrics["epoch/*"]["step_metric"] == "epoch/epoch" and "epoch/epoch" in metrics


def test_batch_metrics_every_n_with_a_schedule(work: Path) -> None:
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    with wbnb.init(project="p") as run:
        fit([WandbMetricsLogger(log_freq=2)], epochs=2, optimizer=keras.optimizers.SGD(schedule))
    batch_rows = [r for r in rows(run.id) if "batch/batch_step" in r]
    # batches 0 and 2 of each epoch's 3 (24 training samples after validation_split, 8 a batch)
    assert [r["batch/batch_step"] for r in batch_rows] == [0, 2, 4, 6]
    # the rate is read at the optimizer step after the batch: 1, 3 (epoch 0: batches 0, 2), 4, 6
    assert [r["batch/learning_rate"] for r in batch_rows] == pytest.approx([0.1 * 0.5**s for s in (1, 3, 4, 6)])
    assert all("batch/loss" in r and "batch/mae" in r for r in batch_rows)
    assert len([r for r in rows(run.id) if "epoch/epoch" in r]) == 2  # epochs are logged too
    metrics = LocalStore(work.parent / "store").run("p", run.id)["metrics"]
    assert metrics["batch/*"]["step_metric"] == "batch/batch_step"


def versions(run_id: str, name: str | None = None) -> list[Any]:
    """The versions of a model artifact (default: the run's checkpoints), oldest first."""
    found = wbnb.Api().artifacts("model", f"p/{name or f'run_{run_id}_model'}")
    return sorted(found, key=lambda a: int(a.version.lstrip("v")))


def test_checkpoint_each_epoch_as_a_model_artifact(work: Path) -> None:
    with wbnb.init(project="p") as run:
        fit([WandbModelCheckpoint(work / "ckpt" / "model.keras")], epochs=3)
    logged = versions(run.id)
    assert [a.type for a in logged] == ["model"] * 3
    assert [sorted(a.aliases) for a in logged] == [["epoch_0"], ["epoch_1"], ["epoch_2", "latest"]]
    path = wbnb.Api().artifact(f"p/run_{run.id}_model:latest").download()
    restored = keras.saving.load_model(Path(path) / "model.keras")
    assert restored.layers[0].units == 1  # the file is the model Keras saved


def test_save_best_only_logs_improvements_as_best(work: Path) -> None:
    # mode="max" on val_loss: only the first epoch "improves" on nothing, then loss falls
    with wbnb.init(project="p") as run:
        checkpoint = WandbModelCheckpoint("best.weights.h5", save_best_only=True, save_weights_only=True, mode="max")
        fit([checkpoint], epochs=3)
    logged = versions(run.id)
    assert [sorted(a.aliases) for a in logged] == [["best", "epoch_0", "latest"]]


def test_save_best_only_moves_best_to_each_improvement(work: Path) -> None:
    with wbnb.init(project="p") as run:
        fit([WandbModelCheckpoint("best.keras", monitor="loss", save_best_only=True)], epochs=3)
    logged = versions(run.id)
    assert len(logged) == 3  # SGD on a linear fit: the training loss falls each epoch
    assert [sorted(a.aliases) for a in logged] == [["epoch_0"], ["epoch_1"], ["best", "epoch_2", "latest"]]


def test_checkpoint_every_n_batches(work: Path) -> None:
    with wbnb.init(project="p") as run:
        fit([WandbModelCheckpoint("step.keras", save_freq=2)], epochs=2)
    assert len(versions(run.id)) == 3  # 6 batches in all, saved after the 2nd, 4th, 6th


def test_classic_callback_epochs_best_so_far_and_the_best_model(work: Path) -> None:
    with wbnb.init(project="p") as run:
        history = fit([WandbCallback(log_weights=True)], epochs=3)
    logged = [r for r in rows(run.id) if "epoch" in r]
    assert [r["epoch"] for r in logged] == [0, 1, 2]
    assert [r["val_loss"] for r in logged] == pytest.approx(history.history["val_loss"])
    layer = history.model.layers[0].name  # dense, dense_1...: Keras numbers layers per process
    assert {f"parameters/{layer}.weights", f"parameters/{layer}.bias"} <= set(logged[0])
    val = history.history["val_loss"]
    best_epoch = min(range(3), key=val.__getitem__)
    summary = LocalStore(work.parent / "store").run("p", run.id)["summary"]
    assert summary["best_val_loss"] == pytest.approx(val[best_epoch]) and summary["best_epoch"] == best_epoch
    improvements = [e for e in range(3) if val[e] < min(val[:e], default=float("inf"))]
    logged_models = versions(run.id, f"model-{run.name}")
    assert len(logged_models) == len(improvements)
    assert sorted(logged_models[-1].aliases) == [f"epoch_{improvements[-1]}", "latest"]
    assert (Path(run.dir) / "model-best.keras").is_file()


def test_classic_callback_auto_mode_maximizes_an_accuracy(work: Path) -> None:
    with wbnb.init(project="p") as run:
        callback = WandbCallback(monitor="val_mae_acc", save_model=False)
        assert callback.maximize and not WandbCallback(monitor="val_loss").maximize
        fit([callback, WandbCallback(monitor="loss", mode="max", save_model=False, log_best_prefix="top_")], epochs=2)
    summary = LocalStore(work.parent / "store").run("p", run.id)["summary"]
    assert "best_val_mae_acc" not in summary  # not among the logs: nothing kept
    assert summary["top_epoch"] == 0  # the training loss falls: epoch 0's is the largest
    with pytest.raises(Exception, match="no artifact collection"):  # save_model=False: nothing saved
        versions(run.id, f"model-{run.name}")


def test_classic_callback_image_predictions(work: Path) -> None:
    x = np.random.rand(16, 8, 8, 1).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 3, 3)
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3, "softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    labels = ["cat", "dog", "eel"]
    with wbnb.init(project="p") as run:
        callback = WandbCallback(data_type="image", validation_data=(x, y), labels=labels, predictions=5)
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[callback])
        expected = [labels[c] for c in model.predict(x[:5], verbose=0).argmax(axis=1)]
    logged = [r for r in rows(run.id) if "examples" in r]
    assert len(logged) == 2
    examples = logged[-1]["examples"]  # a list of images, each with its caption
    assert [(e["_type"], e["width"], e["height"]) for e in examples] == [("image", 8, 8)] * 5
    assert [e["caption"] for e in examples] == expected


def test_classic_callback_warns_about_what_it_ignores(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr("wbnb.integration.keras.callback.termwarn", warned.append)
    with wbnb.init(project="p"):
        WandbCallback(log_gradients=True, output_type="label", training_data=None)
        assert warned == ["WandbCallback: log_gradients, output_type not supported yet; ignored"]
        with pytest.raises(ValueError, match="mode must be"):
            WandbCallback(mode="best")  # type: ignore[arg-type]


class Predictions(WandbEvalCallback):
    """A user's eval callback: the validation inputs and targets, then each epoch's predictions."""

    def __init__(self, x: Any, y: Any) -> None:
        super().__init__(["index", "x0", "target"], ["epoch", "index", "target", "prediction"])
        self.x, self.y = x, y

    def add_ground_truth(self, logs: dict[str, Any] | None = None) -> None:
        for i, (row, target) in enumerate(zip(self.x, self.y)):
            self.data_table.add_data(i, float(row[0]), float(target[0]))

    def add_model_predictions(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        predicted = self.model.predict(self.x, verbose=0)
        for (i, _, target), value in zip(self.data_table_ref.data, predicted):
            self.pred_table.add_data(epoch, i, target, float(value[0]))


def test_eval_callback_logs_ground_truth_once_and_predictions_each_epoch(work: Path) -> None:
    x = np.random.rand(4, 3).astype("float32")
    y = np.random.rand(4, 1).astype("float32")
    with wbnb.init(project="p") as run:
        fit([Predictions(x, y)], epochs=2)
    api = wbnb.Api()
    truth = api.artifact("p/val:latest", type="dataset").get("val_data")
    assert [row[0] for row in truth.data] == [0, 1, 2, 3] and truth.data[2][2] == pytest.approx(float(y[2][0]))
    preds = api.artifacts("evaluation", f"p/run_{run.id}_pred")
    assert len(preds) == 2
    last = api.artifact(f"p/run_{run.id}_pred:latest").get("eval_data")
    assert last.columns == ["epoch", "index", "target", "prediction"]
    assert [row[0] for row in last.data] == [1] * 4 and [row[1] for row in last.data] == [0, 1, 2, 3]


def test_a_callback_before_init_says_to_init(store_dir: Path) -> None:
    with pytest.raises(wbnb.Error, match=r"wbnb.init\(\) before WandbMetricsLogger"):
        WandbMetricsLogger()
    with pytest.raises(wbnb.Error, match=r"wbnb.init\(\) before WandbModelCheckpoint"):
        WandbModelCheckpoint("m.keras")
    with pytest.raises(wbnb.Error, match=r"wbnb.init\(\) before WandbEvalCallback"):
        Predictions([], [])


def test_bad_log_freq_is_refused(work: Path) -> None:
    with wbnb.init(project="p"):
        for bad in ("step", 0):
            with pytest.raises(ValueError, match="log_freq"):
                WandbMetricsLogger(log_freq=bad)  # type: ignore[arg-type]


def test_import_wbnb_leaves_keras_unloaded_until_wbnb_keras() -> None:
    code = (
        "import sys, wbnb; assert 'keras' not in sys.modules, 'import wbnb loaded keras'; "
        "assert wbnb.keras.WandbMetricsLogger is wbnb.integration.keras.WandbMetricsLogger; "
        "assert 'keras' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "KERAS_BACKEND": "torch"})


@pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="jax is not installed (tests/requirements.in pins it)"
)
def test_the_callbacks_on_the_jax_backend() -> None:
    if keras.backend.backend() != "torch":
        pytest.skip("this run is itself on another backend")
    chosen = "epoch_metrics or batch_metrics or checkpoint_each_epoch or best_so_far"  # Keras' backend: one a process
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", chosen]
    done = subprocess.run(command, env={**os.environ, "KERAS_BACKEND": "jax"}, capture_output=True, text=True)
    assert done.returncode == 0 and "4 passed" in done.stdout, done.stdout[-3000:]
