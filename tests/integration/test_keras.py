"""The Keras 3 callbacks (``wbnb.keras``) on the PyTorch backend: a tiny model fit on
random data, its metrics and checkpoints read back from the store."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import warnings
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


def test_a_learning_rate_that_cannot_be_read_is_said_once_and_left_out(work: Path) -> None:
    from types import SimpleNamespace

    def broken(step: int) -> float:
        raise RuntimeError("no rate today")

    with wbnb.init(project="p") as run, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        logger = WandbMetricsLogger()
        logger.set_model(SimpleNamespace(optimizer=SimpleNamespace(learning_rate=broken)))
        logger.on_epoch_end(0, {"loss": 1.0})
        logger.on_epoch_end(1, {"loss": 0.5})
    assert [r["epoch/loss"] for r in rows(run.id)] == [1.0, 0.5]
    assert not any("epoch/learning_rate" in r for r in rows(run.id))
    # said once, not each epoch
    assert [str(w.message) for w in caught] == ["WandbMetricsLogger: unable to log the learning rate: no rate today"]


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
    logged = versions(run.id)  # 6 batches in all (3 an epoch), saved after the 2nd, 4th, 6th
    assert [sorted(a.aliases) for a in logged] == [
        ["epoch_0_batch_1"],
        ["epoch_1_batch_0"],
        ["epoch_1_batch_2", "latest"],
    ]


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


def test_classic_callback_gradient_histograms(work: Path) -> None:
    # 40 samples: batches of 32 and 8, each batch's mse gradient summed, at the epoch's end weights
    x = np.random.rand(40, 3).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    weights: list[list[Any]] = []
    keep = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: weights.append(model.get_weights()))
    with wbnb.init(project="p") as run:
        callback = WandbCallback(log_gradients=True, training_data=(x, y), save_model=False)
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[callback, keep])
    layer = model.layers[0].name
    logged = [r for r in rows(run.id) if "epoch" in r]
    assert len(logged) == 2
    for row, (kernel, bias) in zip(logged, weights):
        expected_kernel, expected_bias = np.zeros((3, 1)), np.zeros(1)
        for start in (0, 32):
            xb, yb = x[start : start + 32].astype("float64"), y[start : start + 32].astype("float64")
            residual = xb @ kernel + bias - yb
            expected_kernel += 2 / len(xb) * xb.T @ residual
            expected_bias += 2 / len(xb) * residual.sum(axis=0)
        for key, expected in (("kernel", expected_kernel), ("bias", expected_bias)):
            histogram = row[f"gradients/{layer}/{key}.gradient"]
            assert histogram["_type"] == "histogram"
            drawn = wbnb.Histogram(expected)  # the edges run from the least gradient to the greatest
            assert histogram["bins"] == pytest.approx(drawn.bins, rel=1e-4, abs=1e-6)
            assert histogram["values"] == drawn.histogram


def test_the_gradient_pass_leaves_the_model_as_it_was(work: Path) -> None:
    from wbnb.integration.keras.gradients import summed_gradients

    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(), keras.layers.Dropout(0.5)]
    )
    model.add(keras.layers.Dense(1))
    model.compile(optimizer="sgd", loss="mse")
    before = [np.array(v) for v in model.get_weights()]
    states = [keras.ops.convert_to_numpy(v.value).copy() for v in model.non_trainable_variables]
    assert any("seed" in v.path for v in model.non_trainable_variables)  # dropout's seed is among them
    grads = summed_gradients(model, (np.random.rand(40, 3).astype("float32"), np.random.rand(40, 1)))
    assert [g.shape for g in grads] == [tuple(v.shape) for v in model.trainable_variables]  # type: ignore[union-attr]
    assert all(np.abs(g).sum() > 0 for g in grads)  # type: ignore[arg-type]
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    after = [keras.ops.convert_to_numpy(v.value) for v in model.non_trainable_variables]
    assert all(np.array_equal(a, b) for a, b in zip(states, after))


def test_log_gradients_needs_training_data(work: Path) -> None:
    with wbnb.init(project="p"):
        with pytest.raises(ValueError, match="needs training_data"):
            WandbCallback(log_gradients=True)
        with pytest.raises(ValueError, match=r"tuple \(x, y\)"):
            WandbCallback(log_gradients=True, training_data=(1, 2, 3))


def test_classic_callback_segmentation_masks(work: Path) -> None:
    # image in, 5-class mask out: input, predicted mask and target mask in turn, coloured by class
    x = np.random.rand(4, 6, 6, 1).astype("float32")
    y = keras.utils.to_categorical(np.random.randint(0, 5, (4, 6, 6)), 5)
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(5, 1, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    colors = [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)]
    with wbnb.init(project="p") as run:
        callback = WandbCallback(input_type="image", validation_data=(x, y), predictions=2, class_colors=colors)
        model.fit(x, y, epochs=1, batch_size=4, verbose=0, callbacks=[callback])
        assert callback.output_type == "segmentation_mask"  # guessed from the model's (6, 6, 5) output
    (row,) = [r for r in rows(run.id) if "examples" in r]
    assert [(e["width"], e["height"], e.get("grouping")) for e in row["examples"]] == [
        (6, 6, 3),
        (6, 6, None),
        (6, 6, None),
    ] * 2


def test_examples_draw_masks_and_captions_as_wandb() -> None:
    from wbnb.integration.keras.examples import captions, class_colors, guess_data_type, pixels

    masks = np.zeros((1, 2, 2, 3))
    masks[0, 0, 0, 2] = masks[0, 1, 1, 1] = 1.0
    colors = class_colors(3)
    assert colors.tolist() == [[0, 0, 0], [1, 0, 0], [0, 1, 1]]  # black, then hues 0 and 1/2
    drawn = pixels(masks, None)
    assert drawn[0, 0, 0].tolist() == [0, 1, 1] and drawn[0, 1, 1].tolist() == [1, 0, 0] and drawn[0, 0, 1].sum() == 0
    assert pixels(masks[..., :1], None).shape == (1, 2, 2, 1)  # a binary mask stays grey
    assert captions(np.array([[0.2], [0.9]]), ["no", "yes"]) == ["no", "yes"]
    assert captions(np.array([[0.25]]), []) == ["0.25"]  # one output, no two labels: the value
    assert captions(np.array([[0.1, 0.7, 0.2], [0.0, 0.0, 1.0]]), ["a", "b"]) == ["b", "2"]
    assert [guess_data_type(s) for s in [(None, 10), (None, 8, 8, 3), (None, 8, 8, 5), (None, 8, 8)]] == [
        "label",
        "image",
        "segmentation_mask",
        None,
    ]
    assert guess_data_type((None, 8, 8), risky=True) == "image"


def test_classic_callback_examples_from_a_generator(work: Path) -> None:
    x = np.random.rand(8, 4, 4, 3).astype("float32")
    y = keras.utils.to_categorical(np.arange(8) % 2, 2)
    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    batches = iter([(x[:3], y[:3]), (x[3:6], y[3:6])])
    with wbnb.init(project="p") as run:
        callback = WandbCallback(input_type="auto", generator=batches, labels=["even", "odd"], save_model=False)
        model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[callback])
        assert (callback.input_type, callback.output_type) == ("image", "label")
        assert WandbCallback(predictions=500).predictions == 100  # wandb's cap
    logged = [r["examples"] for r in rows(run.id) if "examples" in r]
    assert [len(e) for e in logged] == [3, 3]  # one batch of the generator an epoch
    assert {e["caption"] for e in logged[0]} <= {"even", "odd"}


class Batches(keras.utils.PyDataset):  # type: ignore[misc]
    """A Keras dataset of two batches of 4."""

    def __init__(self, x: Any, y: Any) -> None:
        super().__init__()
        self.x, self.y = x, y

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self.x[4 * index : 4 * index + 4], self.y[4 * index : 4 * index + 4]


def test_a_keras_dataset_as_training_and_validation_data(work: Path) -> None:
    from wbnb.integration.keras.gradients import summed_gradients

    x = np.random.rand(8, 4, 4, 1).astype("float32")
    y = keras.utils.to_categorical(np.arange(8) % 2, 2)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    by_batch = [summed_gradients(model, (x[i : i + 4], y[i : i + 4])) for i in (0, 4)]
    for got, first, second in zip(summed_gradients(model, Batches(x, y)), *by_batch):
        assert got == pytest.approx(first + second, rel=1e-5)  # type: ignore[operator]
    with wbnb.init(project="p") as run:
        callback = WandbCallback(input_type="image", validation_data=Batches(x, y), save_model=False)
        model.fit(x, y, epochs=3, batch_size=4, verbose=0, callbacks=[callback])
        given = WandbCallback(generator=Batches(x, y), save_model=False).generator  # as generator= too
        assert [next(given)[0][0, 0, 0, 0] for _ in range(3)] == [x[0, 0, 0, 0], x[4, 0, 0, 0], x[0, 0, 0, 0]]
    logged = [r["examples"] for r in rows(run.id) if "examples" in r]
    assert [len(e) for e in logged] == [4, 4, 4]  # a batch an epoch, round and round


def test_classic_callback_resumes_from_the_best_in_the_summary(work: Path) -> None:
    with wbnb.init(project="p") as run:
        run.summary["best_val_loss"] = -1.0  # a resumed run's best, which no mse beats
        callback = WandbCallback()
        assert callback.best == -1.0
        fit([callback], epochs=2)
    summary = LocalStore(work.parent / "store").run("p", run.id)["summary"]
    assert summary["best_val_loss"] == -1.0 and "best_epoch" not in summary
    with pytest.raises(Exception, match="no artifact collection"):  # nothing beat it: nothing saved
        versions(run.id, f"model-{run.name}")


def test_classic_callback_warns_once_about_what_it_ignores(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr("wbnb.integration.keras.callback.warn", warned.append)
    with wbnb.init(project="p"):
        WandbCallback(output_type="label", save_graph=False, infer_missing_processors=True)  # acted on or defaults
        assert warned == []
        WandbCallback(log_evaluation=True, compute_flops=True, validation_row_processor=len, colour="red")
        ignored = "log_evaluation, validation_row_processor, compute_flops, colour"
        assert warned == [f"WandbCallback: {ignored} not supported by wbnb; ignored"]
        with pytest.raises(ValueError, match="mode must be"):
            WandbCallback(mode="best")  # type: ignore[arg-type]


def test_log_gradients_on_a_backend_without_gradients_warns(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr("wbnb.integration.keras.callback.warn", warned.append)
    monkeypatch.setattr("wbnb.integration.keras.gradients.backend_supported", lambda: False)  # as on TensorFlow
    with wbnb.init(project="p"):
        callback = WandbCallback(log_gradients=True, training_data=(np.zeros((2, 3)), np.zeros((2, 1))))
    assert not callback.log_gradients
    assert warned == ["WandbCallback: log_gradients (PyTorch and JAX backends only) not supported by wbnb; ignored"]


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
    # Keras' numpy backend: the cheapest to import (no torch), and which backend does not matter here
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "KERAS_BACKEND": "numpy"})


@pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="jax is not installed (tests/requirements.in pins it)"
)
def test_the_callbacks_on_the_jax_backend() -> None:
    if keras.backend.backend() != "torch":
        pytest.skip("this run is itself on another backend")
    # Keras' backend: one a process. The gradients are the code that differs by backend.
    chosen = "epoch_metrics or batch_metrics or checkpoint_each_epoch or best_so_far or gradient"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", chosen]
    done = subprocess.run(command, env={**os.environ, "KERAS_BACKEND": "jax"}, capture_output=True, text=True)
    assert done.returncode == 0 and "8 passed" in done.stdout, done.stdout[-3000:]
