"""Issue 19 acceptance / red-team probes for PyTorch ``wandb.watch`` / ``wandb.unwatch``: wandb's
tutorial loop (``import wbnb as wandb``), then what W&B users hit: frozen and shared parameters,
non-finite gradients, saving and copying a watched model, wrong arguments."""

from __future__ import annotations

import copy
import io
import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import wbnb as wandb  # noqa: E402


def history(run: Any) -> list[dict[str, Any]]:
    return list(wandb.Api().run(f"{run.project}/{run.id}").scan_history())


def keys(run: Any) -> set[str]:
    return {k for row in history(run) for k in row if not k.startswith("_")}


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x: Any) -> Any:
        return self.fc2(torch.relu(self.fc1(x)))


def train(model: Any, steps: int, log: bool = True, loss_scale: float = 1.0) -> None:
    torch.manual_seed(0)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    for _ in range(steps):
        x, y = torch.randn(8, 4), torch.randint(0, 2, (8,))
        optimizer.zero_grad()
        loss = criterion(model(x), y) * loss_scale
        loss.backward()
        optimizer.step()
        if log:
            wandb.log({"loss": float(loss)})


def test_tutorial_watch_all_with_criterion(store_dir: Any) -> None:
    model = Net()
    run = wandb.init(project="pytorch-demo", config={"epochs": 1})
    wandb.watch(model, nn.CrossEntropyLoss(), log="all", log_freq=10)
    train(model, 30)
    wandb.finish()
    got = keys(run)
    for name in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
        assert f"gradients/{name}" in got and f"parameters/{name}" in got, sorted(got)
    rows = [r for r in history(run) if "gradients/fc1.weight" in r]
    assert len(rows) == 3
    assert rows[0]["gradients/fc1.weight"]["_type"] == "histogram"


def test_run_watch_default_logs_gradients_only(store_dir: Any) -> None:
    model = Net()
    with wandb.init(project="p") as run:
        run.watch(model, log_freq=5)
        train(model, 10)
    got = keys(run)
    assert "gradients/fc1.weight" in got and not any(k.startswith("parameters/") for k in got)


def test_watch_before_init_is_a_clear_error(store_dir: Any) -> None:
    with pytest.raises(Exception, match="init") as info:
        wandb.watch(Net())
    assert isinstance(info.value, (wandb.Error, RuntimeError, ValueError)), repr(info.value)


def test_watch_a_thing_that_is_not_a_module(store_dir: Any) -> None:
    wandb.init(project="p")
    with pytest.raises((TypeError, ValueError), match="Module"):
        wandb.watch("my model")
    with pytest.raises((TypeError, ValueError), match="Module"):
        wandb.watch(None)
    wandb.finish()


@pytest.mark.parametrize(("kwargs", "word"), [({"log": "everything"}, "log"), ({"log_freq": 0}, "log_freq")])
def test_watch_bad_arguments_name_the_argument(store_dir: Any, kwargs: dict[str, Any], word: str) -> None:
    wandb.init(project="p")
    with pytest.raises(ValueError, match=word):
        wandb.watch(Net(), **kwargs)
    wandb.finish()


def test_frozen_parameters_get_no_gradient_histograms_and_nothing_breaks(store_dir: Any) -> None:
    model = Net()
    for p in model.fc1.parameters():
        p.requires_grad_(False)
    run = wandb.init(project="p")
    wandb.watch(model, log="all", log_freq=1)
    train(model, 3)
    wandb.finish()
    got = keys(run)
    assert "gradients/fc2.weight" in got and "gradients/fc1.weight" not in got
    assert "parameters/fc1.weight" in got  # wandb logs every parameter's values


def test_shared_tied_parameters_are_logged_once(store_dir: Any) -> None:
    class Tied(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(10, 4)
            self.out = nn.Linear(4, 10, bias=False)
            self.out.weight = self.emb.weight  # tied weights, one Parameter under two names

        def forward(self, idx: Any) -> Any:
            return self.out(self.emb(idx))

    model = Tied()
    run = wandb.init(project="p")
    wandb.watch(model, log="all", log_freq=1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        nn.functional.cross_entropy(model(torch.randint(0, 10, (5,))), torch.randint(0, 10, (5,))).backward()
        opt.step()
        wandb.log({"loss": 1.0})
    wandb.finish()
    rows = [r for r in history(run) if "gradients/emb.weight" in r]
    assert len(rows) == 2, [sorted(r) for r in history(run)]


def test_a_module_used_twice_in_one_forward(store_dir: Any) -> None:
    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x: Any) -> Any:
            return self.fc(torch.relu(self.fc(x)))

    model = Twice()
    run = wandb.init(project="p")
    wandb.watch(model, log="all", log_freq=1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        model(torch.randn(2, 4)).sum().backward()
        opt.step()
        wandb.log({"loss": 1.0})
    wandb.finish()
    assert len([r for r in history(run) if "gradients/fc.weight" in r]) == 3


def test_an_unused_branch_and_a_model_without_parameters(store_dir: Any) -> None:
    class Branchy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.used = nn.Linear(4, 2)
            self.unused = nn.Linear(4, 2)

        def forward(self, x: Any) -> Any:
            return self.used(x)

    model = Branchy()
    run = wandb.init(project="p")
    wandb.watch([model, nn.ReLU()], log="all", log_freq=1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        model(torch.randn(3, 4)).sum().backward()
        opt.step()
        wandb.log({"loss": 1.0})
    wandb.finish()
    got = keys(run)
    assert "gradients/used.weight" in got and "gradients/unused.weight" not in got


def test_infinite_and_nan_gradients_do_not_break_training(store_dir: Any) -> None:
    model = Net()
    run = wandb.init(project="p")
    wandb.watch(model, log="all", log_freq=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train(model, 3, loss_scale=float("inf"))  # inf loss: inf / nan gradients, then nan weights
    wandb.finish()
    assert len([r for r in history(run) if "loss" in r]) == 3
    assert len([w for w in caught if "watch" in str(w.message)]) <= 1


def test_a_watched_model_can_be_saved_whole_and_deep_copied(store_dir: Any) -> None:
    # W&B users: "Can't pickle local object ...after_forward_hook" on torch.save(model) and on
    # copy.deepcopy(model) (EMA / best-model copies) once the model is watched.
    model = Net()
    wandb.init(project="p")
    wandb.watch(model, log="all", log_freq=1)
    train(model, 1)
    clone = copy.deepcopy(model)
    assert isinstance(clone, Net)
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    restored = torch.load(buffer, weights_only=False)
    assert isinstance(restored, Net)
    wandb.finish()


def test_a_deep_copy_of_a_watched_model_does_not_log_into_the_run(store_dir: Any) -> None:
    model = Net()
    run = wandb.init(project="p")
    wandb.watch(model, log="parameters", log_freq=1)
    ema = copy.deepcopy(model)
    with torch.no_grad():
        ema(torch.randn(2, 4))
    wandb.log({"x": 1})
    wandb.finish()
    # only the copy ran: wandb's hooks copied with the module would log its parameters as the model's
    assert "parameters/fc1.weight" not in keys(run)


def test_unwatch_stops_the_histograms(store_dir: Any) -> None:
    model = Net()
    run = wandb.init(project="p")
    wandb.watch(model, log="all", log_freq=1)
    train(model, 2)
    wandb.unwatch(model)
    train(model, 2)
    wandb.finish()
    rows = history(run)
    assert [("gradients/fc1.weight" in r) for r in rows] == [True, True, False, False]


def test_watch_after_finish_is_a_clear_error(store_dir: Any) -> None:
    run = wandb.init(project="p")
    run.finish()
    with pytest.raises(Exception, match="finish|init") as info:
        run.watch(Net())
    assert "Traceback" not in str(info.value)


def test_eval_only_forward_under_no_grad_logs_parameters(store_dir: Any) -> None:
    model = Net()
    run = wandb.init(project="p")
    wandb.watch(model, log="parameters", log_freq=1)
    with torch.no_grad():
        model(torch.randn(2, 4))
    wandb.log({"x": 1})
    wandb.finish()
    assert "parameters/fc2.bias" in keys(run)


def test_module_level_unwatch_with_no_run_is_harmless(store_dir: Any) -> None:
    # wandb.unwatch() at the end of a notebook after wandb.finish(): no traceback.
    model = Net()
    wandb.init(project="p")
    wandb.watch(model)
    wandb.finish()
    try:
        wandb.unwatch(model)
    except Exception as error:
        assert isinstance(error, wandb.Error) and "init" in str(error), repr(error)


def test_a_scripted_model_is_watched_or_refused_clearly(store_dir: Any) -> None:
    scripted = torch.jit.trace(Net(), torch.randn(2, 4))
    run = wandb.init(project="p")
    try:
        wandb.watch(scripted, log="gradients", log_freq=1)
    except (TypeError, ValueError) as error:
        assert "script" in str(error).lower() or "Module" in str(error), repr(error)
        wandb.finish()
        return
    opt = torch.optim.SGD(scripted.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        scripted(torch.randn(2, 4)).sum().backward()
        opt.step()
        wandb.log({"loss": 1.0})
    wandb.finish()
    assert "gradients/fc1.weight" in keys(run)


def test_watch_with_a_model_list_and_the_second_named_graph_1(store_dir: Any) -> None:
    gen, disc = Net(), Net()
    run = wandb.init(project="p")
    wandb.watch([gen, disc], log="parameters", log_freq=1)
    with torch.no_grad():
        gen(torch.randn(2, 4))
        disc(torch.randn(2, 4))
    wandb.log({"x": 1})
    wandb.finish()
    got = keys(run)
    assert "parameters/fc1.weight" in got and "parameters/graph_1fc1.weight" in got, sorted(got)
