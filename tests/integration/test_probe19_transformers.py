"""Red-team probes (issue 19): what wandb's Hugging Face docs tell users to write, against wbnb."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import wbnb
import wbnb as wandb
import wbnb.integration.transformers
from wbnb.integration.transformers import STEP, WandbCallback

from .test_transformers import Tokens, only_run, trainer


def test_report_to_list_and_all(store_dir: Path, tmp_path: Path) -> None:
    trainer(tmp_path, report_to=["wbnb"], run_name="l").train()
    assert only_run().name == "l"


def test_callbacks_and_report_to_both_set_log_once(store_dir: Path, tmp_path: Path) -> None:
    t = trainer(tmp_path, callbacks=[WandbCallback()], report_to="wbnb")
    t.train()
    rows = only_run().history(pandas=False)
    assert [r[STEP] for r in rows if r.get("train/loss") is not None] == [1, 2, 3, 4]


def test_init_before_trainer_then_finish(store_dir: Path, tmp_path: Path) -> None:
    wandb.init(project="p", config={"lr": 1})
    trainer(tmp_path, report_to="wbnb").train()
    wandb.finish()
    run = only_run("p")
    assert run.config["lr"] == 1 and "train/loss" in run.summary and run.state == "finished"


def test_wandb_disabled_env_logs_nothing(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_DISABLED", "true")
    trainer(tmp_path, report_to="wbnb").train()
    assert wbnb.run is not None and wbnb.run.disabled
    wbnb.finish()
    assert not (store_dir / "projects").exists() or len(wbnb.Api().runs("huggingface")) == 0


def test_wandb_mode_disabled_trains(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "disabled")
    trainer(tmp_path, report_to="wbnb").train()
    wbnb.finish()


def test_two_train_calls_in_one_notebook(store_dir: Path, tmp_path: Path) -> None:
    t = trainer(tmp_path, report_to="wbnb")
    t.train()
    t.train()
    wbnb.finish()
    runs = wbnb.Api().runs("huggingface")
    assert len(runs) in (1, 2) and all(r.state == "finished" for r in runs)


def test_gradient_accumulation_and_logging_epoch(store_dir: Path, tmp_path: Path) -> None:
    trainer(
        tmp_path,
        report_to="wbnb",
        max_steps=-1,
        num_train_epochs=2,
        gradient_accumulation_steps=2,
        logging_strategy="epoch",
        eval_strategy="epoch",
    ).train()
    rows = only_run().history(pandas=False)
    assert [r[STEP] for r in rows if r.get("train/loss") is not None] == [2, 4]
    assert [r[STEP] for r in rows if r.get("eval/loss") is not None] == [2, 4]


def test_compute_metrics_numpy_nested_and_strings(store_dir: Path, tmp_path: Path) -> None:
    def metrics(p: Any) -> dict[str, Any]:
        return {"acc": np.float32(0.5), "n": np.int64(3), "nested": {"f1": 0.25}, "note": "ok"}

    t = trainer(tmp_path, report_to="wbnb")
    t.compute_metrics = metrics
    t.train()
    s = only_run().summary
    assert s["eval/acc"] == 0.5 and s["eval/n"] == 3


def test_user_trainer_log(store_dir: Path, tmp_path: Path) -> None:
    t = trainer(tmp_path, report_to="wbnb")
    t.train()
    t.log({"custom": 1.5})
    wbnb.finish()
    assert only_run().summary["train/custom"] == 1.5


def test_evaluate_after_train_keys(store_dir: Path, tmp_path: Path) -> None:
    t = trainer(tmp_path, report_to="wbnb")
    t.train()
    t.evaluate()
    t.predict(Tokens(8))
    wbnb.finish()
    s = only_run().summary
    assert "eval/loss" in s and "test/loss" in s and s["train/global_step"] == 4


def test_model_config_with_non_json_values(store_dir: Path, tmp_path: Path) -> None:
    t = trainer(tmp_path, report_to="wbnb")
    t.model.config.odd = {1, 2}  # a set
    t.model.config.dtype_probe = np.float32(1.0)
    t.model.config.path = Path("/x")
    t.train()
    assert "train/loss" in only_run().summary


def test_resume_from_checkpoint(store_dir: Path, tmp_path: Path) -> None:
    trainer(tmp_path, report_to="wbnb", save_strategy="steps", save_steps=2).train()
    t = trainer(tmp_path, report_to="wbnb", save_strategy="steps", save_steps=2, max_steps=6)
    t.train(resume_from_checkpoint=str(tmp_path / "out" / "checkpoint-4"))
    wbnb.finish()
    assert all(r.state == "finished" for r in wbnb.Api().runs("huggingface"))


def test_log_model_end_with_run_name(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_LOG_MODEL", "end")
    trainer(tmp_path, report_to="wbnb", run_name="named").train()
    arts = only_run().logged_artifacts()
    assert any(a.type == "model" and "final_model" in a.aliases for a in arts)


def test_summary_train_global_step_and_config_args(store_dir: Path, tmp_path: Path) -> None:
    trainer(tmp_path, report_to="wbnb").train()
    run = only_run()
    assert run.summary["train/global_step"] == 4
    assert run.config["report_to"] == ["wbnb"] and run.config["output_dir"].endswith("out")


def test_log_model_true_means_end(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_LOG_MODEL", "true")  # the older spelling wandb's HF docs used
    trainer(tmp_path, report_to="wbnb").train()
    assert any("final_model" in a.aliases for a in only_run().logged_artifacts())


def test_user_trainer_log_with_a_string_and_none(store_dir: Path, tmp_path: Path) -> None:
    t = trainer(tmp_path, report_to="wbnb")
    t.train()
    t.log({"note": "done", "nothing": None, "x": 2.0})
    wbnb.finish()
    assert only_run().summary["train/x"] == 2.0


def test_store_removed_during_training_warns_not_raises(store_dir: Path, tmp_path: Path) -> None:
    import shutil

    from transformers import TrainerCallback

    class Wreck(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if state.global_step == 2:
                shutil.rmtree(store_dir, ignore_errors=True)
                store_dir.write_text("not a folder")

    trainer(tmp_path, report_to="wbnb", callbacks=[Wreck()]).train()
