"""Issue 19 acceptance / red-team probes for the Keras 3 callbacks (PyTorch backend): wandb's docs
and tutorial code as users write it (``import wbnb as wandb``), then hostile cases. The bar
(BRIEF): the wandb keys read back from the store; a data problem in a training loop warns once and
logs nothing, never a traceback from inside; a programmer mistake is a clear error naming it."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

import wbnb as wandb  # noqa: E402
from wbnb.integration.keras import (  # noqa: E402
    WandbCallback,
    WandbEvalCallback,
    WandbMetricsLogger,
    WandbModelCheckpoint,
)


@pytest.fixture
def work(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("WBNB_CACHE_DIR", str(tmp_path / "cache"))
    keras.utils.set_random_seed(0)
    yield folder


def data(n: int = 32) -> tuple[Any, Any, Any, Any]:
    x = np.random.rand(n, 4).astype("float32")
    y = (x[:, 0] > 0.5).astype("int32")
    return x[: n * 3 // 4], y[: n * 3 // 4], x[n * 3 // 4 :], y[n * 3 // 4 :]


def classifier() -> Any:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, "relu"), keras.layers.Dense(2, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def rows(run: Any) -> list[dict[str, Any]]:
    return list(wandb.Api().run(f"{run.project}/{run.id}").scan_history())


def summary(run: Any) -> dict[str, Any]:
    return dict(wandb.Api().run(f"{run.project}/{run.id}").summary)


def model_versions(run: Any, name: str) -> list[Any]:
    return list(wandb.Api().artifacts("model", f"{run.project}/{name}"))


# --- the docs, as written -------------------------------------------------------------------


def test_docs_metrics_logger_and_checkpoint(work: Path) -> None:
    X_train, y_train, X_test, y_test = data()
    model = classifier()
    run = wandb.init(config={"bs": 12})
    model.fit(
        X_train,
        y_train,
        validation_data=(X_test, y_test),
        batch_size=4,
        epochs=2,
        verbose=0,
        callbacks=[WandbMetricsLogger(log_freq=5), WandbModelCheckpoint("models.keras")],
    )
    wandb.finish()
    got = rows(run)
    batch = [r for r in got if "batch/batch_step" in r]
    epoch = [r for r in got if "epoch/epoch" in r]
    assert batch and all("batch/loss" in r and "batch/accuracy" in r for r in batch)
    assert [r["epoch/epoch"] for r in epoch] == [0, 1]
    assert all("epoch/val_accuracy" in r and "epoch/learning_rate" in r for r in epoch)
    assert len(model_versions(run, f"run_{run.id}_model")) == 2


def test_docs_checkpoint_with_epoch_in_the_name_and_best_only(work: Path) -> None:
    X_train, y_train, X_test, y_test = data()
    run = wandb.init(project="p")
    classifier().fit(
        X_train,
        y_train,
        validation_data=(X_test, y_test),
        epochs=3,
        verbose=0,
        callbacks=[
            WandbModelCheckpoint(
                filepath="models/model_{epoch:02d}.keras", monitor="val_accuracy", save_best_only=True, mode="max"
            )
        ],
    )
    wandb.finish()
    versions = model_versions(run, f"run_{run.id}_model")
    assert versions, "no checkpoint logged"
    assert any("best" in v.aliases for v in versions)


def test_docs_checkpoint_path_without_the_keras_suffix_is_refused_at_once(work: Path) -> None:
    # wandb's older docs: WandbModelCheckpoint("models"). Keras 3 needs ".keras": the error
    # must come when the callback is made, naming the filepath, not from inside fit.
    wandb.init(project="p")
    with pytest.raises(ValueError, match="(?i)filepath|\\.keras"):
        WandbModelCheckpoint("models")
    wandb.finish()


def test_docs_classic_callback_image_classification(work: Path) -> None:
    # The tutorial: WandbCallback(data_type="image", labels=labels, validation_data=...)
    x = np.random.rand(12, 8, 8, 3).astype("float32")
    y = np.arange(12) % 3
    labels = ["cat", "dog", "owl"]
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(3, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    run = wandb.init(project="p")
    model.fit(
        x,
        y,
        epochs=2,
        verbose=0,
        validation_data=(x, y),
        callbacks=[WandbCallback(data_type="image", labels=labels, validation_data=(x, y), save_model=False)],
    )
    wandb.finish()
    got = [r for r in rows(run) if "epoch" in r]
    assert len(got) == 2 and all("examples" in r and "val_accuracy" in r for r in got)
    assert {e["caption"] for e in got[-1]["examples"]} <= set(labels)
    assert "best_val_loss" in summary(run)


def test_classic_callback_image_without_validation_data_on_the_callback_warns(work: Path) -> None:
    # The Fashion-MNIST tutorial gives validation_data to fit() only. wandb then warns
    # "No validation_data set"; silently logging no examples leaves the user guessing.
    x = np.random.rand(8, 6, 6, 1).astype("float32")
    y = np.arange(8) % 2
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    run = wandb.init(project="p")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        callback = WandbCallback(data_type="image", labels=["a", "b"], save_model=False)
        model.fit(x, y, validation_data=(x, y), epochs=1, verbose=0, callbacks=[callback])
    wandb.finish()
    logged_examples = any("examples" in r for r in rows(run))
    said = [str(w.message) for w in caught if "validation" in str(w.message).lower()]
    assert logged_examples or said, "data_type='image' with no validation_data: no examples and no warning"


def test_docs_classic_callback_with_gradients_and_training_data(work: Path) -> None:
    # wandb's reference example arguments: accepted, training runs, weights histograms logged.
    X_train, y_train, X_test, y_test = data()
    run = wandb.init(project="p")
    classifier().fit(
        X_train,
        y_train,
        validation_data=(X_test, y_test),
        epochs=2,
        verbose=0,
        callbacks=[
            WandbCallback(
                log_weights=True,
                log_gradients=True,
                training_data=(X_train, y_train),
                monitor="val_accuracy",
                save_model=False,
            )
        ],
    )
    wandb.finish()
    first = [r for r in rows(run) if "epoch" in r][0]
    assert any(k.startswith("parameters/") for k in first)
    assert "best_val_accuracy" in summary(run)


class WandbClfEvalCallback(WandbEvalCallback):
    """wandb's docstring example, unchanged but for tf.argmax -> numpy and the image column."""

    def __init__(self, validation_data: Any, data_table_columns: list[str], pred_table_columns: list[str]) -> None:
        super().__init__(data_table_columns, pred_table_columns)
        self.x = validation_data[0]
        self.y = validation_data[1]

    def add_ground_truth(self, logs: Any = None) -> None:
        for idx, (image, label) in enumerate(zip(self.x, self.y)):
            self.data_table.add_data(idx, wandb.Image(image), label)

    def add_model_predictions(self, epoch: int, logs: Any = None) -> None:
        preds = self.model.predict(self.x, verbose=0)
        preds = np.argmax(preds, axis=-1)
        data_table_ref = self.data_table_ref
        table_idxs = data_table_ref.get_index()
        for idx in table_idxs:
            pred = preds[idx]
            self.pred_table.add_data(
                epoch,
                data_table_ref.data[idx][0],
                data_table_ref.data[idx][1],
                data_table_ref.data[idx][2],
                pred,
            )


def test_docs_eval_callback_example_with_get_index(work: Path) -> None:
    x = np.random.rand(6, 8, 8, 1).astype("float32")
    y = np.arange(6) % 2
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    run = wandb.init(project="p")
    model.fit(
        x,
        y,
        epochs=2,
        verbose=0,
        callbacks=[
            WandbClfEvalCallback(
                validation_data=(x, y),
                data_table_columns=["idx", "image", "label"],
                pred_table_columns=["epoch", "idx", "image", "label", "pred"],
            )
        ],
    )
    wandb.finish()
    preds = wandb.Api().artifact(f"p/run_{run.id}_pred:latest").get("eval_data")
    assert len(preds.data) == 6 and [r[0] for r in preds.data] == [1] * 6


def test_eval_callback_without_implementing_the_abstract_methods_is_a_clear_error(work: Path) -> None:
    class Half(WandbEvalCallback):
        def add_ground_truth(self, logs: Any = None) -> None:
            pass

    wandb.init(project="p")
    with pytest.raises(TypeError, match="add_model_predictions"):
        Half(["a"], ["b"])  # type: ignore[abstract]
    wandb.finish()


def test_wandb_keras_reachable_as_an_attribute(work: Path) -> None:
    # Tutorials: `import wandb` then `wandb.keras.WandbCallback()` with no `from wandb.keras import`.
    assert wandb.keras.WandbMetricsLogger is WandbMetricsLogger
    assert wandb.keras.WandbCallback is WandbCallback


# --- hostile cases --------------------------------------------------------------------------


def test_fit_without_validation_data_under_the_default_monitor(work: Path) -> None:
    # WandbCallback() monitors val_loss; with no validation data the metrics still log, nothing
    # is called best, and the user is told once that val_loss is not there (not once an epoch).
    X_train, y_train, _, _ = data()
    run = wandb.init(project="p")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        classifier().fit(X_train, y_train, epochs=3, verbose=0, callbacks=[WandbCallback(), WandbMetricsLogger()])
    wandb.finish()
    got = rows(run)
    assert len([r for r in got if "epoch" in r]) == 3 and len([r for r in got if "epoch/epoch" in r]) == 3
    assert "best_val_loss" not in summary(run)
    said = [str(w.message) for w in caught if "val_loss" in str(w.message)]
    assert len(said) == 1, f"expected one warning naming val_loss, got {said}"


def test_a_monitor_typo_is_said_once(work: Path) -> None:
    X_train, y_train, X_test, y_test = data()
    run = wandb.init(project="p")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        classifier().fit(
            X_train,
            y_train,
            validation_data=(X_test, y_test),
            epochs=3,
            verbose=0,
            callbacks=[WandbCallback(monitor="val_acc", save_model=False)],  # Keras 3 says val_accuracy
        )
    wandb.finish()
    said = [str(w.message) for w in caught if "val_acc" in str(w.message)]
    assert len(said) == 1, f"expected one warning naming the missing monitor, got {said}"
    assert len([r for r in rows(run) if "epoch" in r]) == 3


def test_nan_loss_is_logged_and_training_goes_on(work: Path) -> None:
    X_train, y_train, X_test, y_test = data()
    X_train = X_train.copy()
    X_train[0, 0] = np.nan
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    run = wandb.init(project="p")
    model.fit(
        X_train,
        y_train.astype("float32"),
        validation_data=(X_test, y_test.astype("float32")),
        epochs=2,
        verbose=0,
        callbacks=[WandbMetricsLogger(), WandbCallback(save_model=True), WandbModelCheckpoint("m.keras")],
    )
    wandb.finish()
    epochs = [r for r in rows(run) if "epoch/epoch" in r]
    assert [r["epoch/epoch"] for r in epochs] == [0, 1]


class Batches(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.seen += 1


def test_callbacks_used_after_the_run_finished_do_not_break_fit(work: Path) -> None:
    # A notebook: callbacks made in one cell, wandb.finish() in another, fit re-run. Either
    # a clear wbnb error before any training, or the fit runs, logs nothing and says so once.
    X_train, y_train, X_test, y_test = data()
    run = wandb.init(project="p")
    batches = Batches()
    callbacks = [batches, WandbMetricsLogger(), WandbCallback(save_model=False)]
    wandb.finish()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            classifier().fit(
                X_train, y_train, validation_data=(X_test, y_test), epochs=2, verbose=0, callbacks=callbacks
            )
        except Exception as error:
            assert batches.seen == 0, f"raised after {batches.seen} batches of training: {error!r}"
            assert isinstance(error, wandb.Error) and "init" in str(error), repr(error)
            return
    assert rows(run) == []
    said = [str(w.message) for w in caught if "finish" in str(w.message) or "init" in str(w.message)]
    assert 1 <= len(said) <= 2, f"one warning per callback at most, got {said}"


def test_metrics_logger_bad_log_freq_types(work: Path) -> None:
    wandb.init(project="p")
    for bad in ("epochs", -3, 2.5, None):
        with pytest.raises(ValueError, match="log_freq"):
            WandbMetricsLogger(log_freq=bad)  # type: ignore[arg-type]
    wandb.finish()


def test_classic_callback_bad_mode_is_a_clear_error(work: Path) -> None:
    wandb.init(project="p")
    with pytest.raises(ValueError, match="mode"):
        WandbCallback(mode="minimum")  # type: ignore[arg-type]
    wandb.finish()


def test_batch_steps_keep_rising_across_two_fits(work: Path) -> None:
    X_train, y_train, _, _ = data()
    model = classifier()
    run = wandb.init(project="p")
    logger = WandbMetricsLogger(log_freq="batch")
    model.fit(X_train, y_train, batch_size=8, epochs=1, verbose=0, callbacks=[logger])
    model.fit(X_train, y_train, batch_size=8, epochs=1, verbose=0, callbacks=[logger])
    wandb.finish()
    steps = [r["batch/batch_step"] for r in rows(run) if "batch/batch_step" in r]
    assert steps == sorted(steps) and len(set(steps)) == len(steps) == 6


def test_classic_callback_weights_only_model_artifact(work: Path) -> None:
    X_train, y_train, X_test, y_test = data()
    run = wandb.init(project="p")
    classifier().fit(
        X_train,
        y_train,
        validation_data=(X_test, y_test),
        epochs=2,
        verbose=0,
        callbacks=[WandbCallback(save_weights_only=True)],
    )
    wandb.finish()
    assert model_versions(run, f"model-{run.name}")


def test_resumed_fit_with_initial_epoch_logs_its_epochs(work: Path) -> None:
    X_train, y_train, _, _ = data()
    model = classifier()
    run = wandb.init(project="p")
    model.fit(X_train, y_train, epochs=4, initial_epoch=2, verbose=0, callbacks=[WandbMetricsLogger()])
    wandb.finish()
    assert [r["epoch/epoch"] for r in rows(run) if "epoch/epoch" in r] == [2, 3]
