"""``watch()`` on real torch models (CPU): its hooks never raise into the model, and what
they log is read back from the store."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import wbnb
from wbnb.data import histogram
from wbnb.sdk import watch
from wbnb.sdk.watch import MAX_ELEMENTS


def _rows(run: Any) -> list[dict[str, Any]]:
    return list(wbnb.Api().run(run.path).scan_history())


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_a_half_precision_model_trains_under_watch_all(store_dir: Path, dtype: torch.dtype) -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(6, 3).to(dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a warning: bf16 is converted, not skipped
        for _ in range(3):
            optimizer.zero_grad()
            loss = model(torch.randn(4, 6, dtype=dtype)).float().pow(2).mean()
            loss.backward()
            optimizer.step()
            run.log({"loss": loss})  # a half-born scalar tensor
    wbnb.finish()
    rows = _rows(run)
    assert len(rows) == 3 and all(isinstance(r["loss"], float) for r in rows)
    for row in rows:
        for key, size in (("gradients/weight", 18), ("parameters/weight", 18), ("gradients/bias", 3)):
            assert row[key]["_type"] == "histogram" and sum(row[key]["values"]) == size, (key, row[key])


def test_parameters_near_the_float64_limits_are_binned(store_dir: Path) -> None:
    model = torch.nn.Linear(4, 2, bias=False).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.7e308, -1.7e308, 0.0, 1.0], [2.0, -3.0, 1e-300, 5.0]], dtype=torch.float64))
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    for _ in range(2):
        model(torch.ones(1, 4, dtype=torch.float64)).sum().backward()
        run.log({"step_done": 1})
    wbnb.finish()
    rows = _rows(run)
    assert len(rows) == 2
    for row in rows:
        weights = row["parameters/weight"]
        assert sum(weights["values"]) == 8
        assert weights["bins"][0] == -1.7e308 and weights["bins"][-1] == 1.7e308
        assert np.isfinite(weights["bins"]).all()
        assert sum(row["gradients/weight"]["values"]) == 8


def test_a_failing_hook_warns_once_and_training_goes_on(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("histogram exploded")

    monkeypatch.setattr(histogram.Histogram, "__init__", broken)
    model = torch.nn.Linear(3, 1)
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    with pytest.warns(RuntimeWarning, match=r"wbnb.watch: could not log .*histogram exploded") as said:
        for i in range(3):
            model(torch.randn(2, 3)).sum().backward()
            run.log({"i": i})
    wbnb.finish()
    assert len(said) == 1
    assert [r["i"] for r in _rows(run)] == [0, 1, 2]  # the user's own rows are all there


def _hooks(model: torch.nn.Module) -> int:
    """Every forward hook on the model's modules and every tensor hook on its parameters."""
    modules = sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks) for m in model.modules())
    return modules + sum(len(p._backward_hooks or {}) for p in model.parameters())


def _step(model: torch.nn.Module, inputs: int = 4) -> None:
    model.zero_grad()
    model(torch.randn(2, inputs)).sum().backward()


def _mlp() -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))


def test_finish_removes_every_hook_and_training_goes_on(store_dir: Path) -> None:
    model = _mlp()
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    assert _hooks(model) == 5  # the 4 parameters' tensor hooks and the forward hook
    _step(model)
    run.log({"a": 1})
    wbnb.finish()
    assert _hooks(model) == 0
    _step(model)  # after finish: nothing fires, nothing is logged
    assert [sorted(r) for r in _rows(run)] == [
        sorted(
            ["a", "_step", "_runtime", "_timestamp"]
            + [f"{w}/{n}" for w in ("gradients", "parameters") for n in ("0.weight", "0.bias", "2.weight", "2.bias")]
        )
    ]
    with pytest.raises(RuntimeError, match="is finished"):  # hooks installed now would never be removed
        run.watch(model)
    assert _hooks(model) == 0


def test_unwatch_removes_the_models_given_or_all(store_dir: Path) -> None:
    a, b, c = _mlp(), _mlp(), _mlp()
    run = wbnb.init(project="p")
    run.watch([a, b], log="all", log_freq=1)
    run.watch(c, log="gradients", log_freq=1)
    run.unwatch(a)
    assert (_hooks(a), _hooks(b), _hooks(c)) == (0, 5, 4)
    with pytest.warns(RuntimeWarning, match="is not watched"):
        run.unwatch(a)
    wbnb.unwatch([b])  # the module-level call, as wandb.unwatch
    assert (_hooks(b), _hooks(c)) == (0, 4)
    wbnb.unwatch()
    assert _hooks(c) == 0
    for model in (a, b, c):
        _step(model)
    run.log({"a": 1})
    wbnb.finish()
    assert not [k for r in _rows(run) for k in r if k.startswith(("gradients/", "parameters/"))]


def test_watching_twice_replaces_the_hooks_and_keeps_the_names(store_dir: Path) -> None:
    model = _mlp()
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    run.watch(model, log="all", log_freq=1)
    assert _hooks(model) == 5
    _step(model)
    run.log({"i": 0})
    run.watch(model, log="parameters", log_freq=2)  # the later call's settings win
    assert _hooks(model) == 5  # log="parameters" keeps the gradient hooks: their clock counts until a forward runs
    for i in (1, 2):
        _step(model)
        run.log({"i": i})
    wbnb.finish()
    rows = _rows(run)
    assert sorted(k for k in rows[0] if "/" in k) == sorted(
        f"{w}/{n}" for w in ("gradients", "parameters") for n in ("0.weight", "0.bias", "2.weight", "2.bias")
    )
    assert sum(rows[0]["gradients/0.weight"]["values"]) == 12  # one histogram of the 12 weights, not two
    assert [sorted(k for k in r if "/" in k) for r in rows[1:]] == [
        [],
        ["parameters/0.bias", "parameters/0.weight", "parameters/2.bias", "parameters/2.weight"],
    ]


def test_several_models_are_named_as_wandb_names_them(store_dir: Path) -> None:
    a, b, c, d = (torch.nn.Linear(4, 1) for _ in range(4))
    run = wbnb.init(project="p")
    run.watch([a, b], log="gradients", log_freq=1)
    run.watch(c, log="gradients", log_freq=1, idx=7)
    run.watch(d, log="gradients", log_freq=1)
    run.watch(b, log="gradients", log_freq=1)  # again: keeps graph_1
    for model in (a, b, c, d):
        _step(model)
    run.log({"i": 0})
    wbnb.finish()
    names = sorted(k for k in _rows(run)[0] if k.endswith("weight"))
    # wandb's form: the first model plain, model i > 0 "graph_<i>" glued to the name
    assert names == [
        "gradients/graph_1weight",
        "gradients/graph_3weight",
        "gradients/graph_7weight",
        "gradients/weight",
    ]


def test_data_parallel_names_carry_no_module_prefix(store_dir: Path) -> None:
    model = _mlp()
    parallel = torch.nn.DataParallel(model)  # on CPU it runs the module itself
    run = wbnb.init(project="p")
    run.watch(parallel, log="all", log_freq=1)
    run.watch(model, log="all", log_freq=1)  # the same model: its hooks replaced, not doubled
    assert _hooks(parallel) == 5
    run.watch(parallel, log="all", log_freq=1)
    assert _hooks(parallel) == 5
    _step(parallel)
    run.log({"i": 0})
    wbnb.finish()
    assert _hooks(parallel) == 0
    assert sorted(k for k in _rows(run)[0] if "/" in k) == sorted(
        f"{w}/{n}" for w in ("gradients", "parameters") for n in ("0.weight", "0.bias", "2.weight", "2.bias")
    )


def test_distributed_data_parallel_names_carry_no_module_prefix(store_dir: Path, tmp_path: Path) -> None:
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'rendezvous'}", rank=0, world_size=1)
    try:
        model = torch.nn.parallel.DistributedDataParallel(_mlp())
        run = wbnb.init(project="p")
        run.watch(model, log="all", log_freq=1)
        _step(model)
        run.log({"i": 0})
        wbnb.finish()
        assert _hooks(model.module) == 0
    finally:
        dist.destroy_process_group()
    row = _rows(run)[0]
    assert sorted(k for k in row if "/" in k) == sorted(
        f"{w}/{n}" for w in ("gradients", "parameters") for n in ("0.weight", "0.bias", "2.weight", "2.bias")
    )
    assert sum(row["gradients/0.weight"]["values"]) == 12


def test_integer_empty_parameters_and_sparse_gradients_are_binned(store_dir: Path) -> None:
    model = torch.nn.Embedding(10, 3, sparse=True)
    model.register_parameter("codes", torch.nn.Parameter(torch.arange(6, dtype=torch.int8), requires_grad=False))
    model.register_parameter("empty", torch.nn.Parameter(torch.zeros(0, 3)))
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", "wbnb.Histogram: a sequence with no finite value")  # the empty one
        model(torch.tensor([1, 2])).sum().backward()
        run.log({"i": 0})
    wbnb.finish()
    row = _rows(run)[0]
    assert row["parameters/empty"]["values"] == []
    assert sum(row["parameters/codes"]["values"]) == 6 and row["parameters/codes"]["bins"][-1] == 5
    grads = row["gradients/weight"]  # 6 ones where the rows were looked up, 24 implicit zeros
    assert sum(grads["values"]) == 30 and (grads["bins"][0], grads["bins"][-1]) == (0, 1)
    assert grads["values"][0] == 24 and grads["values"][-1] == 6


class _Scaler:
    """What watch() reads of a torch.amp.GradScaler."""

    def __init__(self, value: float) -> None:
        self.value = value

    def get_scale(self) -> float:
        return self.value

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        return loss * self.value


@pytest.mark.parametrize("make", [lambda: torch.amp.GradScaler("cpu", init_scale=1024.0), lambda: _Scaler(1024.0)])
def test_gradients_under_a_grad_scaler_are_unscaled(store_dir: Path, make: Callable[[], Any]) -> None:
    model, plain = torch.nn.Linear(3, 1), torch.nn.Linear(3, 1)
    scaler = make()
    run = wbnb.init(project="p")
    run.watch(model, log="gradients", log_freq=1, scaler=scaler)
    run.watch(plain, log="gradients", log_freq=1)
    for m in (model, plain):
        loss = m(torch.full((4, 3), 0.5)).sum()
        (scaler.scale(loss) if m is model else loss * 1024.0).backward()
    run.log({"i": 0})
    wbnb.finish()
    row = _rows(run)[0]
    middle = lambda key: (row[key]["bins"][0] + row[key]["bins"][-1]) / 2  # every weight's gradient is equal
    assert middle("gradients/weight") == 2.0  # d(sum)/dw = 4 rows x 0.5, unscaled
    assert middle("gradients/graph_1weight") == 2048.0  # no scaler: the scaled gradient


def test_a_failing_scaler_warns_once_and_training_goes_on(store_dir: Path) -> None:
    class Broken:
        def get_scale(self) -> float:
            raise RuntimeError("no scale")

    model = torch.nn.Linear(3, 1)
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1, scaler=Broken())
    with pytest.warns(RuntimeWarning, match=r"wbnb.watch: could not log .*no scale") as said:
        for i in range(3):
            _step(model, inputs=3)
            run.log({"i": i})
    wbnb.finish()
    assert len(said) == 1
    assert [r["i"] for r in _rows(run)] == [0, 1, 2]
    assert all("parameters/weight" in r for r in _rows(run))  # the parameters' path is unharmed
    with pytest.raises(TypeError, match="scaler must be"):
        wbnb.init(project="p").watch(model, scaler=object())
    wbnb.finish()


def test_log_graph_is_said_to_be_unsupported(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    with pytest.warns(RuntimeWarning, match="log_graph is not supported"):
        run.watch(torch.nn.Linear(2, 1), log_graph=True)
    wbnb.finish()


def test_a_huge_layer_is_sampled_before_binning(store_dir: Path) -> None:
    layer = torch.nn.Linear(3163, 3163, bias=False)  # 10M weights
    run = wbnb.init(project="p")
    x = torch.randn(2, 3163)
    started = time.perf_counter()
    layer(x).sum().backward()
    bare = time.perf_counter() - started
    run.watch(layer, log="all", log_freq=1)
    started = time.perf_counter()
    layer(x).sum().backward()
    watched = time.perf_counter() - started
    run.log({"i": 0})
    wbnb.finish()
    print(f"10M-weight layer: forward+backward {bare * 1e3:.1f} ms bare, {watched * 1e3:.1f} ms with both histograms")
    row = _rows(run)[0]
    for key in ("gradients/weight", "parameters/weight"):
        assert MAX_ELEMENTS // 2 < sum(row[key]["values"]) <= MAX_ELEMENTS, key


def test_torch_binning_matches_numpy_and_drops_what_is_not_finite() -> None:
    torch.manual_seed(0)
    values = torch.randn(5000)
    binned = watch.histogram(watch.sample(values))
    counts, edges = np.histogram(values.numpy().astype(np.float64), bins=64)
    assert np.allclose(binned.bins, edges, rtol=1e-6)
    assert sum(binned.histogram) == 5000 and np.abs(np.array(binned.histogram) - counts).sum() <= 4  # edge rounding
    spoilt = torch.tensor([1.0, 2.0, float("nan"), float("inf"), -float("inf"), 3.0])
    assert sum(watch.histogram(spoilt).histogram) == 3
    constant = watch.histogram(torch.full((7,), 2.5))  # numpy's bins around the one value
    assert sum(constant.histogram) == 7 and (constant.bins[0] + constant.bins[-1]) / 2 == 2.5
    huge = torch.tensor([-3e38, 0.0, 3e38])  # float32's bin widths would overflow: numpy bins it in float64
    assert sum(watch.histogram(huge).histogram) == 3 and watch.histogram(huge).bins[-1] == pytest.approx(3e38)


class _Wrapper(torch.nn.Module):
    """A model whose own forward is never called: training calls ``self.net`` (as a
    LightningModule's ``training_step`` does)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = _mlp()


def test_parameters_are_logged_when_the_watched_forward_is_never_called(store_dir: Path) -> None:
    model = _Wrapper()
    run = wbnb.init(project="p")
    run.watch(model, log="parameters", log_freq=2)
    for i in range(4):
        _step(model.net)
        with torch.no_grad():  # validation forwards are no training steps
            model.net(torch.randn(2, 4))
        run.log({"i": i})
    wbnb.finish()
    rows = _rows(run)
    assert [sorted(k for k in r if "/" in k) for r in rows] == [
        [],
        ["parameters/net.0.bias", "parameters/net.0.weight", "parameters/net.2.bias", "parameters/net.2.weight"],
        [],
        ["parameters/net.0.bias", "parameters/net.0.weight", "parameters/net.2.bias", "parameters/net.2.weight"],
    ]
    assert sum(rows[1]["parameters/net.0.weight"]["values"]) == 12


def test_a_lightning_module_calling_its_net_logs_parameters_every_log_freq_steps(
    store_dir: Path, tmp_path: Path
) -> None:
    import lightning.pytorch as pl
    from torch.utils.data import DataLoader, TensorDataset

    from wbnb.integration.lightning import WandbLogger

    class Module(pl.LightningModule):  # no forward(): the steps call self.net
        def __init__(self) -> None:
            super().__init__()
            self.net = _mlp()

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            loss = self.net(batch[0]).pow(2).mean()
            self.log("loss", loss)  # a row per step, which the histograms join
            return loss

        def validation_step(self, batch: Any, batch_idx: int) -> None:
            self.log("val", self.net(batch[0]).mean())

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.parameters(), lr=0.1)

    data = DataLoader(TensorDataset(torch.randn(24, 4)), batch_size=4)  # 6 steps
    logger = WandbLogger(project="lit")
    model = Module()
    logger.watch(model, log="all", log_freq=3, log_graph=False)
    trainer = pl.Trainer(
        max_epochs=1,
        accelerator="cpu",
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_checkpointing=False,
        default_root_dir=tmp_path,
    )
    trainer.fit(model, data, data)
    logger.experiment.finish()
    history = list(wbnb.Api().run(f"lit/{logger.version}").scan_history())
    for key in ("parameters/net.0.weight", "gradients/net.0.weight", "gradients/net.2.bias"):
        assert len([r for r in history if key in r]) == 2, key  # steps 3 and 6, validation not counted


def test_torch_compile_after_watch_traces_no_wbnb_code(store_dir: Path) -> None:
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    model = _mlp()
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=2)  # wandb's forward hook was traced: graph breaks, a graph per step
    compiled = torch.compile(model, backend="eager")
    for i in range(4):
        compiled.zero_grad()
        compiled(torch.randn(2, 4)).sum().backward()
        run.log({"i": i})
    wbnb.finish()
    assert counters["stats"]["unique_graphs"] == 1 and not counters["graph_break"]
    rows = _rows(run)
    assert ["parameters/0.weight" in r and "gradients/0.weight" in r for r in rows] == [False, True, False, True]


def test_non_finite_gradients_are_left_out_counted_and_said_once(store_dir: Path) -> None:
    model = torch.nn.Linear(3, 1)
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    inputs = [[1.0, float("inf"), 2.0], [1.0, 2.0, 3.0], [float("nan")] * 3]  # d(out)/dw is the input
    with pytest.warns(RuntimeWarning, match=r"gradients/weight has 1 NaN / inf value\(s\) of 3") as said:
        for i, x in enumerate(inputs):
            model(torch.tensor([x])).sum().backward()
            run.log({"i": i})
    wbnb.finish()
    assert len([w for w in said if "NaN / inf" in str(w.message)]) == 1  # said once per watch()
    rows = _rows(run)
    assert [r["i"] for r in rows] == [0, 1, 2]
    assert sum(rows[0]["gradients/weight"]["values"]) == 2  # the finite two
    assert sum(rows[1]["gradients/weight"]["values"]) == 3
    assert "gradients/weight" not in rows[2] and sum(rows[2]["gradients/bias"]["values"]) == 1  # none finite: none


def test_a_failing_store_warns_once_and_training_goes_on(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = _mlp()
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    store_row = run._log_row

    def failing(step: int, *args: Any) -> None:
        if any("/" in key for key in args[2]):  # the histograms' rows, not the user's
            raise OSError("disk full")
        store_row(step, *args)

    monkeypatch.setattr(run, "_log_row", failing)
    with pytest.warns(RuntimeWarning, match=r"wbnb.watch: could not log .*disk full") as said:
        for i in range(3):
            _step(model)
            run.log({"i": i})
    wbnb.finish()
    assert len(said) == 1
    assert [r["i"] for r in _rows(run)] == [0, 1, 2]


def test_a_model_watched_in_a_loop_of_runs_holds_none_of_them(store_dir: Path) -> None:
    import gc
    import weakref

    model = _mlp()
    runs = []
    for k in range(3):  # a sweep's or a notebook's runs, one model
        run = wbnb.init(project="p")
        run.watch(model, log="all", log_freq=1)
        _step(model)
        run.log({"k": k})
        wbnb.finish()
        runs.append((run.path, weakref.ref(run)))
        del run
    gc.collect()
    assert _hooks(model) == 0 and [ref() for _, ref in runs] == [None, None, None]  # the model keeps no run alive
    for path, _ in runs:  # each run its own histograms, named as a first model (no graph_<i>)
        (row,) = wbnb.Api().run(path).scan_history()
        assert "gradients/0.weight" in row and "parameters/2.bias" in row


def test_tied_parameters_are_hooked_once_under_their_first_name(store_dir: Path) -> None:
    class Tied(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = torch.nn.Linear(4, 4, bias=False)
            self.dec = torch.nn.Linear(4, 4, bias=False)
            self.dec.weight = self.enc.weight  # one parameter, used twice a step

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.dec(self.enc(x))

    model = Tied()
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=2)
    assert _hooks(model) == 2
    for i in range(2):
        model(torch.randn(2, 4)).sum().backward()
        run.log({"i": i})
    wbnb.finish()
    rows = _rows(run)
    assert [sorted(k for k in r if "/" in k) for r in rows] == [[], ["gradients/enc.weight", "parameters/enc.weight"]]
    assert sum(rows[1]["gradients/enc.weight"]["values"]) == 16  # one gradient a pass (both uses summed)


def test_a_compiled_model_is_watched_under_its_own_names(store_dir: Path) -> None:
    model = _mlp()
    compiled = torch.compile(model, backend="eager")
    run = wbnb.init(project="p")
    run.watch(compiled, log="all", log_freq=1)
    run.watch(model, log="all", log_freq=1)  # the same model: its hooks replaced, not doubled
    assert _hooks(model) == 5
    compiled(torch.randn(2, 4)).sum().backward()
    run.log({"i": 0})
    wbnb.finish()
    assert sorted(k for k in _rows(run)[0] if "/" in k) == sorted(
        f"{w}/{n}" for w in ("gradients", "parameters") for n in ("0.weight", "0.bias", "2.weight", "2.bias")
    )
