"""wbnb's transformers callback with a real ``Trainer`` on a tiny BERT built from a config
(no download), on CPU, read back from the local store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.trainer_callback import TrainerControl, TrainerState

import wbnb
from wbnb.integration.transformers import STEP, WandbCallback, WbnbCallback
from wbnb.sdk.run import Run
from wbnb.store.errors import StoreError
from wbnb.store.local import LocalStore


class Tokens(torch.utils.data.Dataset):
    """Random token ids and labels, fixed by a seed."""

    def __init__(self, n: int) -> None:
        g = torch.Generator().manual_seed(n)
        self.ids = torch.randint(0, 32, (n, 8), generator=g)
        self.labels = torch.randint(0, 2, (n,), generator=g)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def tiny_bert() -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=32,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=16,
    )
    return BertForSequenceClassification(config)


def trainer(tmp_path: Path, callbacks: list[Any] | None = None, **args: Any) -> Trainer:
    settings: dict[str, Any] = {
        "output_dir": str(tmp_path / "out"),
        "max_steps": 4,
        "per_device_train_batch_size": 4,
        "logging_steps": 1,
        "eval_strategy": "steps",
        "eval_steps": 2,
        "save_strategy": "no",
        "report_to": "none",
        "use_cpu": True,
        "disable_tqdm": True,
        **args,
    }
    return Trainer(
        model=tiny_bert(),
        args=TrainingArguments(**settings),
        train_dataset=Tokens(16),
        eval_dataset=Tokens(8),
        callbacks=callbacks,
    )


def only_run(project: str = "huggingface") -> Any:
    (run,) = wbnb.Api().runs(project)
    return run


def test_config_history_against_the_global_step_and_totals_in_the_summary(store_dir: Path, tmp_path: Path) -> None:
    trainer(tmp_path, callbacks=[WandbCallback()], learning_rate=0.01).train()
    assert wbnb.run is not None and wbnb.run.state == "running"  # left open, as transformers' leaves it
    wbnb.run.summary["after"] = 1  # what wandb users do after train()
    wbnb.finish()
    run = only_run()
    assert run.state == "finished" and run.summary["after"] == 1
    assert run.config["learning_rate"] == 0.01 and run.config["max_steps"] == 4  # the training arguments
    assert run.config["hidden_size"] == 16 and run.config["model_type"] == "bert"  # the model's config
    assert run.config["model/num_parameters"] == tiny_bert().num_parameters()
    rows = run.history(pandas=False)
    assert [r[STEP] for r in rows if r.get("train/loss") is not None] == [1, 2, 3, 4]
    assert [r[STEP] for r in rows if r.get("eval/loss") is not None] == [2, 4]
    assert all("train/learning_rate" in r and "train/epoch" in r for r in rows if r.get("train/loss") is not None)
    for total in ("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos"):
        assert isinstance(run.summary[total], float), total
    assert not any(k.startswith("train/train_") for k in run.summary.keys())  # totals are not history
    metrics = LocalStore(store_dir).run("huggingface", run.id)["metrics"]
    assert metrics["*"]["step_metric"] == STEP  # the charts' x-axis
    assert run.logged_artifacts() == []  # no model without LOG_MODEL


def test_report_to_wbnb_with_wandb_s_project_variable_and_the_run_name(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_PROJECT", "hf-demo")
    t = trainer(tmp_path, report_to="wbnb", run_name="tiny")
    assert [type(cb) for cb in t.callback_handler.callbacks if isinstance(cb, WandbCallback)] == [WandbCallback]
    t.train()
    run = only_run("hf-demo")
    assert run.name == "tiny" and "train/loss" in run.summary


def test_also_named_wbnb_callback() -> None:
    assert WbnbCallback is WandbCallback


def test_a_run_the_user_opened_is_used_and_left_open(store_dir: Path, tmp_path: Path) -> None:
    mine = wbnb.init(project="mine", config={"mine": 1})
    t = trainer(tmp_path, callbacks=[WandbCallback()])
    t.model.peft_config = {"default": {"r": 8}}  # an adapter's config, as PEFT sets it
    t.train()
    assert wbnb.run is mine and mine.state == "running"
    mine.log({"after": 1.0})  # the user goes on logging to it
    mine.finish()
    read = only_run("mine")
    assert read.config["mine"] == 1 and read.config["max_steps"] == 4
    assert read.config["peft_config"] == {"default": {"r": 8}}
    assert read.summary["after"] == 1.0 and "eval/loss" in read.summary and "train_loss" in read.summary
    assert len(wbnb.Api().runs("huggingface")) == 0


def test_evaluate_and_predict_after_training_continue_the_callback_s_run(store_dir: Path, tmp_path: Path) -> None:
    t = trainer(tmp_path, callbacks=[WandbCallback()])
    t.train()
    t.evaluate()
    t.predict(Tokens(8))
    assert wbnb.run is not None  # reopened; nothing in transformers says when evaluating ends
    wbnb.finish()
    run = only_run()  # the same run, not a second one
    assert [r[STEP] for r in run.history(pandas=False) if r.get("eval/loss") is not None] == [2, 4, 4]
    assert "test/loss" in run.summary and "test/runtime" in run.summary


def test_log_model_end_logs_the_base_and_the_final_model(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WBNB_LOG_MODEL", "end")
    trainer(tmp_path, callbacks=[WandbCallback()]).train()
    run = only_run()
    api = wbnb.Api()
    base = api.artifact(f"huggingface/model-{run.id}:base_model")
    assert base.type == "model" and base.metadata["initial_model"] is True
    assert base.metadata["model_config"]["hidden_size"] == 16 and base.metadata["num_parameters"] > 0
    final = api.artifact(f"huggingface/model-{run.id}:final_model")
    assert set(final.aliases) >= {"final_model", "latest"} and final.metadata["final_model"] is True
    assert final.metadata["train_loss"] == run.summary["train_loss"]  # the summary's numbers
    files = {f.name for f in final.files()}
    assert {"config.json", "model.safetensors", "model_architecture.txt", "training_args.bin"} <= files
    folder = Path(final.download(root=str(tmp_path / "dl")))
    reloaded = BertForSequenceClassification.from_pretrained(folder)
    assert reloaded.config.hidden_size == 16


def test_log_model_checkpoint_logs_each_checkpoint_with_its_step(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WBNB_LOG_MODEL", raising=False)
    monkeypatch.setenv("WANDB_LOG_MODEL", "checkpoint")
    trainer(tmp_path, callbacks=[WandbCallback()], save_strategy="steps", save_steps=2, run_name="named").train()
    versions = only_run().logged_artifacts()
    assert [a.name for a in versions] == ["model-named:v0", "model-named:v1", "model-named:v2", "model-named:v3"]
    aliases = [set(a.aliases) for a in versions]
    assert "base_model" in aliases[0] and "final_model" in aliases[3]
    assert {"checkpoint_global_step_2", "epoch_0.5"} <= aliases[1]
    assert {"checkpoint_global_step_4", "epoch_1.0"} <= aliases[2]
    assert "model.safetensors" in {f.name for f in versions[1].files()}


def test_watch_from_the_environment(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    watched: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(Run, "watch", lambda self, model, **kw: watched.append((model, kw)))
    monkeypatch.setenv("WANDB_WATCH", "all")
    t = trainer(tmp_path, callbacks=[WandbCallback()], logging_steps=150)
    t.train()
    assert watched == [(t.model, {"log": "all", "log_freq": 150})]  # transformers': max(100, logging_steps)
    monkeypatch.setenv("WBNB_WATCH", "false")  # wbnb's variable first
    trainer(tmp_path, callbacks=[WandbCallback()]).train()
    assert len(watched) == 1


def test_an_unwritable_store_warns_and_training_goes_on(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("WBNB_DIR", str(blocked / "store"))
    t = trainer(tmp_path, callbacks=[WandbCallback()])
    with pytest.warns(RuntimeWarning, match="could not start the run"):
        out = t.train()
    assert out.global_step == 4 and wbnb.run is None


def test_an_artifact_the_store_refuses_warns_and_the_run_still_finishes(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Run, *args: Any, **kwargs: Any) -> None:
        raise StoreError("disk full")

    monkeypatch.setenv("WBNB_LOG_MODEL", "end")
    monkeypatch.setattr(Run, "log_artifact", refuse)
    with pytest.warns(RuntimeWarning, match="could not log the (base )?model: disk full"):
        out = trainer(tmp_path, callbacks=[WandbCallback()]).train()
    assert out.global_step == 4
    wbnb.finish()
    run = only_run()
    assert run.state == "finished" and "train_loss" in run.summary


def test_only_the_main_process_logs(store_dir: Path, tmp_path: Path) -> None:
    t = trainer(tmp_path)
    state = TrainerState(is_world_process_zero=False, global_step=1)
    callback = WandbCallback()
    callback.on_train_begin(t.args, state, TrainerControl(), model=t.model)
    callback.on_log(t.args, state, TrainerControl(), model=t.model, logs={"loss": 1.0})
    callback.on_predict(t.args, state, TrainerControl(), metrics={"test_loss": 1.0})
    callback.on_train_end(t.args, state, TrainerControl(), model=t.model)
    assert wbnb.run is None and not (store_dir / "projects").exists()


def test_import_wbnb_imports_no_transformers() -> None:
    code = "import sys, wbnb, wbnb.integration; print('transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
