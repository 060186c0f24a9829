"""``wbnb.errors``: code written for wandb catches wbnb's errors by wandb's class names."""

from __future__ import annotations

from pathlib import Path

import pytest

import wbnb
import wbnb as wandb
from wbnb.store.remote import AuthError, ServerError


def test_errors_module_has_wandbs_classes_in_wandbs_hierarchy() -> None:
    errors = wandb.errors
    assert wandb.Error is errors.Error
    assert issubclass(errors.CommError, errors.Error) and issubclass(errors.UsageError, errors.Error)
    assert issubclass(errors.AuthenticationError, errors.CommError)
    assert issubclass(errors.UnsupportedError, errors.UsageError)
    e = errors.CommError("server gone", exc=OSError("reset"))
    assert e.message == "server gone" and str(e) == "server gone" and isinstance(e.exc, OSError)


def test_a_call_before_init_is_a_usage_error_and_still_a_runtime_error(store_dir: Path) -> None:
    for call in (lambda: wandb.log({"a": 1}), lambda: wandb.config["lr"], lambda: wandb.save("*.txt")):
        with pytest.raises(wandb.errors.UsageError, match=r"call wbnb.init\(\) first"):
            call()
        with pytest.raises(RuntimeError):  # what catching code written for wbnb expected
            call()


def test_changing_a_config_value_is_a_usage_error_and_still_a_value_error(store_dir: Path) -> None:
    run = wbnb.init(project="p", allow_val_change=False, config={"lr": 0.1})
    with pytest.raises(wandb.errors.UsageError, match="lr"):
        run.config.lr = 0.2
    with pytest.raises(ValueError):
        run.config.update({"lr": 0.3})
    run.finish()
    assert wbnb.Api().run(f"p/{run.id}").config["lr"] == 0.1


def test_store_trouble_is_an_error_and_a_missing_run_still_a_key_error(store_dir: Path) -> None:
    run = wbnb.init(project="p", id="taken")
    run.finish()
    with pytest.raises(wandb.errors.Error, match="already exists"):
        wbnb.init(project="p", id="taken")
    with pytest.raises(wandb.errors.Error, match="nope"):
        wbnb.Api().run("p/nope")
    with pytest.raises(KeyError):
        wbnb.Api().run("p/nope")


def test_server_errors_are_comm_errors_and_a_refused_key_an_authentication_error() -> None:
    with pytest.raises(wandb.errors.CommError, match="cannot reach") as caught:
        wbnb.login(key="any", host="http://127.0.0.1:9")  # nothing listens there
    assert isinstance(caught.value, ServerError)
    refused = AuthError("refused the API key")
    assert isinstance(refused, wandb.errors.AuthenticationError) and isinstance(refused, PermissionError)
    assert refused.message == "refused the API key"
