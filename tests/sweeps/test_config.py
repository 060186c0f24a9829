"""wbnb.sweeps.config: wandb's sweep config schema, its distributions and command macros."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from wbnb.errors import UsageError
from wbnb.sweeps import SweepConfigError, load_sweep_config, parse_sweep_config
from wbnb.sweeps import distributions as d
from wbnb.sweeps.command import args_json, expand_command


def one(spec: dict) -> d.Distribution:
    """The distribution of a sweep's single parameter ``x``."""
    cfg = parse_sweep_config({"method": "random", "parameters": {"x": spec}})
    return cfg.leaves()[("x",)]


def is_multiple(x: float, q: float) -> bool:
    return math.isclose(x / q, round(x / q), abs_tol=1e-9)


# kind, spec, class, a check that a value is in the support (quantization included)
CASES = [
    ("constant", {"value": "adam"}, d.Constant, lambda x: x == "adam"),
    ("categorical", {"values": [1, "a", [2]]}, d.Categorical, lambda x: x in (1, "a", [2])),
    ("int_uniform", {"min": -2, "max": 3}, d.IntUniform, lambda x: type(x) is int and -2 <= x <= 3),
    ("uniform", {"min": -1.0, "max": 2.0}, d.Uniform, lambda x: type(x) is float and -1 <= x <= 2),
    (
        "q_uniform",
        {"distribution": "q_uniform", "min": 0, "max": 10, "q": 2},
        d.QUniform,
        lambda x: type(x) is int and x in range(0, 11, 2),
    ),
    (
        "log_uniform",
        {"distribution": "log_uniform", "min": -3, "max": 0},
        d.LogUniform,
        lambda x: math.exp(-3) <= x <= 1,
    ),
    (
        "log_uniform_values",
        {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
        d.LogUniformValues,
        lambda x: 1e-4 <= x <= 1e-1,
    ),
    (
        "inv_log_uniform",
        {"distribution": "inv_log_uniform", "min": 0, "max": 3},
        d.InvLogUniform,
        lambda x: math.exp(-3) <= x <= 1,
    ),
    (
        "inv_log_uniform_values",
        {"distribution": "inv_log_uniform_values", "min": 1e-4, "max": 1e-1},
        d.InvLogUniformValues,
        lambda x: 1e-4 <= x <= 1e-1,
    ),
    (
        "q_log_uniform",
        {"distribution": "q_log_uniform", "min": 0, "max": math.log(100), "q": 5},
        d.QLogUniform,
        lambda x: type(x) is int and 0 <= x <= 100 and x % 5 == 0,
    ),
    (
        "q_log_uniform_values",
        {"distribution": "q_log_uniform_values", "min": 1, "max": 100, "q": 0.5},
        d.QLogUniformValues,
        lambda x: type(x) is float and 1 <= x <= 100 and is_multiple(x, 0.5),
    ),
    ("normal", {"distribution": "normal", "mu": 10, "sigma": 2}, d.Normal, lambda x: type(x) is float),
    (
        "q_normal",
        {"distribution": "q_normal", "q": 0.25},
        d.QNormal,
        lambda x: type(x) is float and is_multiple(x, 0.25),
    ),
    ("log_normal", {"distribution": "log_normal", "mu": -1}, d.LogNormal, lambda x: type(x) is float and x > 0),
    (
        "q_log_normal",
        {"distribution": "q_log_normal", "mu": 2, "q": 1},
        d.QLogNormal,
        lambda x: type(x) is int and x >= 0,
    ),
    ("beta", {"distribution": "beta", "a": 2, "b": 5}, d.Beta, lambda x: 0 <= x <= 1),
    (
        "q_beta",
        {"distribution": "q_beta", "a": 0.5, "b": 0.5, "q": 0.1},
        d.QBeta,
        lambda x: 0 <= x <= 1 and is_multiple(x, 0.1),
    ),
]


def test_every_wandb_distribution_is_covered() -> None:
    assert {c[0] for c in CASES} == set(d.DISTRIBUTIONS)


@pytest.mark.parametrize("kind,spec,cls,in_support", CASES, ids=[c[0] for c in CASES])
def test_each_distribution_parses_samples_and_maps_the_unit_interval_into_its_support(
    kind: str, spec: dict, cls: type, in_support
) -> None:
    dist = one(spec)
    assert type(dist) is cls and dist.kind == kind
    rng = np.random.default_rng(0)
    samples = [dist.sample(rng) for _ in range(2000)]
    assert all(in_support(x) for x in samples), [x for x in samples if not in_support(x)][:5]
    # the ends of the unit interval too: unbounded distributions stay finite there
    for u in (0.0, 1e-15, 0.25, 0.5, 0.75, 1 - 1e-15, 1.0):
        x = dist.from_unit(u)
        assert in_support(x), (u, x)
        if kind not in ("constant", "categorical"):
            assert math.isfinite(x)
        assert 0.0 <= dist.to_unit(x) <= 1.0
    # the same seed draws the same values
    assert [dist.sample(np.random.default_rng(0)) for _ in range(3)] == [
        dist.sample(np.random.default_rng(0)) for _ in range(3)
    ]


CONTINUOUS = [c for c in CASES if not c[0].startswith("q_") and c[0] not in ("constant", "categorical", "int_uniform")]


@pytest.mark.parametrize("kind,spec,cls,in_support", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_distributions_to_unit_inverts_from_unit(kind: str, spec: dict, cls: type, in_support) -> None:
    dist = one(spec)
    for u in np.linspace(0.01, 0.99, 25):
        assert dist.to_unit(dist.from_unit(u)) == pytest.approx(u, abs=1e-9)
    # monotone: a larger u is a larger value
    xs = [dist.from_unit(u) for u in np.linspace(0, 1, 50)]
    assert xs == sorted(xs)


def test_inverse_cdfs_match_wandbs_definitions() -> None:
    assert one({"min": 2.0, "max": 4.0}).from_unit(0.25) == 2.5
    assert one({"distribution": "log_uniform", "min": 0, "max": 2}).from_unit(0.5) == pytest.approx(math.e)
    lv = one({"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-2})
    assert lv.from_unit(0.5) == pytest.approx(1e-3) and lv.log_scale
    # inv_log_uniform: log(1/x) ~ U(min, max), so u = 0 is x = exp(-max)
    inv = one({"distribution": "inv_log_uniform", "min": 1, "max": 3})
    assert inv.from_unit(0.0) == pytest.approx(math.exp(-3)) and inv.from_unit(1.0) == pytest.approx(math.exp(-1))
    # inv_log_uniform_values: log(1/x) ~ U(log(1/max), log(1/min)): x between min and max
    iv = one({"distribution": "inv_log_uniform_values", "min": 0.01, "max": 1})
    assert iv.from_unit(0.5) == pytest.approx(0.1)
    assert one({"distribution": "normal", "mu": 3, "sigma": 2}).to_unit(3) == 0.5
    assert one({"distribution": "log_normal", "mu": 1}).from_unit(0.5) == pytest.approx(math.e)
    beta = one({"distribution": "beta", "a": 2, "b": 2})
    assert beta.from_unit(0.5) == pytest.approx(0.5) and beta.to_unit(0.5) == pytest.approx(0.5)
    # log-uniform draws spread evenly over the exponents: half fall below the geometric mean
    rng = np.random.default_rng(1)
    below = sum(lv.sample(rng) < 1e-3 for _ in range(4000))
    assert below / 4000 == pytest.approx(0.5, abs=0.03)


def test_quantization_rounds_to_q_and_an_int_q_gives_ints() -> None:
    qu = one({"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.25})
    # wandb's grid walks numpy.arange(min, max, q): max left out, points counted from min
    assert qu.grid_values() == [0.0, 0.25, 0.5, 0.75]
    assert one({"distribution": "q_uniform", "min": 1, "max": 10, "q": 2}).grid_values() == [1, 3, 5, 7, 9]
    assert {qu.sample(np.random.default_rng(s)) for s in range(200)} == {0.0, 0.25, 0.5, 0.75, 1.0}
    assert qu.from_unit(0.3) == 0.25 and qu.from_unit(0.4) == 0.5
    # q defaults to 1.0 (a float, as in wandb's schema): values are floats
    qd = one({"distribution": "q_uniform", "min": 0, "max": 3})
    assert qd.q == 1.0 and {type(qd.sample(np.random.default_rng(s))) for s in range(20)} == {float}
    assert one({"distribution": "q_normal", "q": 1}).from_unit(0.9) == 1
    assert one({"distribution": "q_beta"}).grid_values() is None
    assert {one({"distribution": "q_beta"}).from_unit(u) for u in np.linspace(0, 1, 11)} == {0.0, 1.0}


def test_a_grid_sweep_takes_discrete_parameters() -> None:
    cfg = parse_sweep_config(
        {
            "method": "grid",
            "parameters": {
                "a": {"values": [1, 2]},
                "b": {"value": 0},
                "c": {"min": 1, "max": 3},
                "d": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.5},
                "e": {"parameters": {"f": {"values": ["x"]}}},
            },
        }
    )
    assert [dist.grid_values() for dist in cfg.leaves().values()] == [[1, 2], [0], [1, 2, 3], [0.0, 0.5], ["x"]]


def test_discrete_distributions_round_trip_and_list_their_grid() -> None:
    iu = one({"min": 3, "max": 7})
    assert iu.grid_values() == [3, 4, 5, 6, 7]
    assert [iu.from_unit(iu.to_unit(x)) for x in range(3, 8)] == [3, 4, 5, 6, 7]
    assert iu.from_unit(0.0) == 3 and iu.from_unit(1.0) == 7
    assert {iu.sample(np.random.default_rng(s)) for s in range(200)} == {3, 4, 5, 6, 7}
    cat = one({"values": [1, True, "a", {"k": 1}]})
    assert [cat.from_unit(cat.to_unit(v)) for v in cat.grid_values()] == [1, True, "a", {"k": 1}]
    assert cat.index(True) == 1 and cat.index(1) == 0  # True == 1, yet a flag is not a count
    with pytest.raises(ValueError, match="not one of the values"):
        cat.to_unit("b")
    assert one({"value": 5}).grid_values() == [5]
    assert one({"min": 0.0, "max": 1.0}).grid_values() is None


def test_probabilities_weight_categorical_draws() -> None:
    cat = one({"values": ["a", "b", "c"], "probabilities": [0.7, 0.3, 0.0]})
    assert cat.probabilities == (0.7, 0.3, 0.0)
    rng = np.random.default_rng(0)
    draws = [cat.sample(rng) for _ in range(5000)]
    assert "c" not in draws
    assert draws.count("a") / len(draws) == pytest.approx(0.7, abs=0.03)
    assert cat.from_unit(0.69) == "a" and cat.from_unit(0.71) == "b" and cat.from_unit(1.0) == "b"
    assert one({"distribution": "categorical_w_probabilities", "values": [1, 2], "probabilities": [0.5, 0.5]}).kind == (
        "categorical"
    )


@pytest.mark.parametrize(
    "spec,cls",
    [
        ({"values": [1, 2]}, d.Categorical),
        ({"value": 1}, d.Constant),
        ({"value": None}, d.Constant),
        ({"min": 1, "max": 5}, d.IntUniform),
        ({"min": 1, "max": 5.0}, d.Uniform),  # one float bound: uniform, as wandb's schema infers
        ({"min": 0.1, "max": 1}, d.Uniform),
        ({"min": 0.1, "max": 0.5}, d.Uniform),
    ],
)
def test_distribution_is_inferred_when_omitted_as_wandb_infers_it(spec: dict, cls: type) -> None:
    assert type(one(spec)) is cls


def test_defaults_are_wandbs() -> None:
    assert one({"distribution": "normal"}) == d.Normal(mu=0.0, sigma=1.0)
    assert one({"distribution": "log_normal"}) == d.LogNormal(mu=0.0, sigma=1.0)
    assert one({"distribution": "q_log_normal"}).q == 1.0
    assert one({"distribution": "beta"}) == d.Beta(a=1.0, b=1.0)
    cfg = parse_sweep_config(
        {
            "method": "bayes",
            "metric": {"name": "val_loss"},
            "parameters": {"x": {"value": 1}},
            "early_terminate": {"type": "hyperband", "min_iter": 3},
        }
    )
    assert cfg.metric is not None and cfg.metric.goal == "minimize" and cfg.metric.target is None
    assert cfg.metric.impute == "worst"
    assert cfg.early_terminate is not None
    assert cfg.early_terminate.eta == 3 and cfg.early_terminate.strict is True
    assert cfg.run_cap is None and cfg.seed is None and cfg.command is None


def test_a_full_config_parses_from_yaml_json_or_a_file(tmp_path) -> None:
    text = """
name: tutorial
description: bayes with hyperband
program: train.py
method: bayes
metric: {name: val_acc, goal: maximize, target: 0.99}
run_cap: 30
seed: 7
entity: me
project: p
parameters:
  learning_rate: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}
  batch_size: {values: [32, 64, 128], probabilities: [0.25, 0.5, 0.25]}
  optimizer: {value: adam}
  hidden: {min: 32, max: 256}
  dropout: {min: 0.0, max: 0.5}
early_terminate: {type: hyperband, max_iter: 27, s: 3, eta: 3, strict: false}
command: ["${env}", "${interpreter}", "${program}", "--epochs=5", "${args}"]
"""
    cfg = parse_sweep_config(text)
    assert (cfg.name, cfg.description, cfg.program, cfg.method, cfg.run_cap, cfg.seed) == (
        "tutorial",
        "bayes with hyperband",
        "train.py",
        "bayes",
        30,
        7,
    )
    assert cfg.metric is not None and (cfg.metric.name, cfg.metric.goal, cfg.metric.target) == (
        "val_acc",
        "maximize",
        0.99,
    )
    assert list(cfg.parameters) == ["learning_rate", "batch_size", "optimizer", "hidden", "dropout"]
    assert cfg.early_terminate is not None and cfg.early_terminate.strict is False
    assert cfg.raw["entity"] == "me"  # wandb's keys that a sweep's home uses are kept as given
    assert parse_sweep_config(json.dumps(cfg.raw)) == cfg
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    assert load_sweep_config(path) == cfg


def test_nested_parameters_flatten_to_paths_and_nest_back() -> None:
    cfg = parse_sweep_config(
        {
            "method": "grid",
            "parameters": {
                "epochs": {"value": 3},
                "optimizer": {
                    "parameters": {
                        "name": {"values": ["adam", "sgd"]},
                        "schedule": {"parameters": {"warmup": {"min": 0, "max": 10}}},
                    }
                },
                "model.depth": {"values": [2, 4]},  # a dotted name is one name, not a path
            },
        }
    )
    leaves = cfg.leaves()
    assert list(leaves) == [("epochs",), ("optimizer", "name"), ("optimizer", "schedule", "warmup"), ("model.depth",)]
    assert isinstance(leaves[("optimizer", "schedule", "warmup")], d.IntUniform)
    assert cfg.parameters["optimizer"].parameters is not None
    values = {path: dist.from_unit(0.0) for path, dist in leaves.items()}
    assert cfg.nest(values) == {
        "epochs": 3,
        "optimizer": {"name": "adam", "schedule": {"warmup": 0}},
        "model.depth": 2,
    }


def test_hyperband_bands_follow_wandbs_rule() -> None:
    def bands(**et) -> list[int]:
        cfg = parse_sweep_config(
            {"method": "random", "parameters": {"x": {"value": 1}}, "early_terminate": {"type": "hyperband", **et}}
        )
        assert cfg.early_terminate is not None
        return cfg.early_terminate.bands()

    assert bands(max_iter=27, s=3) == [1, 3, 9]
    assert bands(max_iter=5, eta=2, s=2) == [1, 2]  # wandb's own doctest
    assert bands(max_iter=27, s=9) == [1, 3, 9]  # stops below 1
    b = bands(min_iter=3)
    assert b == [3**k for k in range(1, 40)]  # wandb's 100 bands, those below 2^63
    assert bands(min_iter=2, eta=2)[:4] == [2, 4, 8, 16]
    assert bands(min_iter=4, eta=1.5)[:4] == [4, 6, 9, 13]
    assert bands(min_iter=1, eta=1e10) == [10**k for k in range(0, 20, 10)]  # below 2^63 only


def test_command_macros_expand_as_wandbs_agent_does() -> None:
    params = {"lr": 0.01, "deep": True, "wide": False, "opt": {"m": 0.9}}
    flags = ["--lr=0.01", "--deep=True", "--wide=False", "--opt={'m': 0.9}"]
    assert expand_command(None, params, program="train.py", interpreter="py", env="/usr/bin/env") == [
        "/usr/bin/env",
        "py",
        "train.py",
        *flags,
    ]
    assert expand_command(None, {"a": 1}, program="t.py", interpreter="py", env=None) == ["py", "t.py", "--a=1"]
    cmd = ["run", "${args_no_equals}", "|", "${args_no_hyphens}", "|", "${args_no_boolean_flags}", "|", "${args_json}"]
    assert expand_command(cmd, params, program=None) == [
        "run",
        *["--lr", "0.01", "--deep", "True", "--wide", "False", "--opt", "{'m': 0.9}"],
        "|",
        *["lr=0.01", "deep=True", "wide=False", "opt={'m': 0.9}"],
        "|",
        *["--lr=0.01", "--deep", "--opt={'m': 0.9}"],
        "|",
        '{"lr": 0.01, "deep": true, "wide": false, "opt": {"m": 0.9}}',
    ]
    assert json.loads(args_json(params)) == params
    hydra = ["${args_append_hydra}", "${args_override_hydra}"]  # wandb's agent has these too
    assert expand_command(hydra, {"a.b": 1}, program=None) == ["+a.b=1", "++a.b=1"]
    assert expand_command(["x", "${args_json_file}"], params, program=None, args_json_file="/tmp/a.json") == [
        "x",
        "/tmp/a.json",
    ]
    environ = {"DATA": "/data"}
    assert expand_command(["--root=${envvar:DATA}/x", "${envvar:NOPE}"], {}, program=None, environ=environ) == [
        "--root=/data/x",
        "NOPE",
    ]
    with pytest.raises(ValueError, match="args_json_file"):
        expand_command(["${args_json_file}"], params, program=None)
    with pytest.raises(ValueError, match="program"):
        expand_command(None, params, program=None)
    with pytest.raises(ValueError, match="unknown macro"):
        expand_command(["${argz}"], params, program=None)


def base(**kw) -> dict:
    cfg: dict = {"method": "random", "parameters": {"x": {"value": 1}}}
    cfg.update(kw)
    return cfg


def param(spec: dict, name: str = "lr") -> dict:
    return base(parameters={name: spec})


@pytest.mark.parametrize(
    "config,message",
    [
        ({"parameters": {"x": {"value": 1}}}, "method: required"),
        (base(method="hill"), "method: must be one of grid, random, bayes (got 'hill')"),
        (base(method="custom"), "method: must be one of"),
        (param({"min": 0.5, "max": 0.1}), "parameters.lr.max: must be > min (got max 0.1, min 0.5)"),
        (param({"min": 3, "max": 3}), "parameters.lr.max: must be > min"),
        (param({"distribution": "loguniform", "min": 1, "max": 2}), "parameters.lr.distribution: unknown 'loguniform'"),
        (param({"distribution": "int_uniform", "min": 1.5, "max": 4}), "parameters.lr.min: must be an integer"),
        (param({"distribution": "log_uniform_values", "min": 0, "max": 1}), "parameters.lr.min: must be > 0"),
        (param({"distribution": "q_log_uniform_values", "min": -1, "max": 1}), "parameters.lr.min: must be > 0"),
        (param({"distribution": "uniform", "max": 1}), "parameters.lr.min: required for distribution uniform"),
        (param({"distribution": "q_uniform", "min": 0, "max": 1, "q": 0}), "parameters.lr.q: must be > 0"),
        (param({"distribution": "normal", "sigma": -1}), "parameters.lr.sigma: must be > 0"),
        (param({"distribution": "beta", "a": "2"}), "parameters.lr.a: must be a number"),
        (param({"min": True, "max": 3}), "parameters.lr.min: must be a number"),
        (param({"distribution": "uniform", "min": 0, "max": 1, "q": 1}), "parameters.lr.q: not a field of"),
        (param({"values": [1, 2], "min": 0}), "parameters.lr.min: not a field of distribution categorical"),
        (param({"values": []}), "parameters.lr.values: must be a non-empty list"),
        (param({"values": "abc"}), "parameters.lr.values: must be a non-empty list"),
        (param({"values": [1, 2], "probabilities": [0.5, 0.6]}), "parameters.lr.probabilities: must sum to 1"),
        (param({"values": [1, 2], "probabilities": [1.0]}), "parameters.lr.probabilities: must be a list of 2"),
        (param({"values": [1, 2], "probabilities": [1.5, -0.5]}), "parameters.lr.probabilities[1]: must be"),
        (param({"max": 3}), "parameters.lr: needs value, values"),
        (param(3), "parameters.lr: must be a mapping"),
        (param({"value": 1}, name="1st"), "parameters.1st: a name is"),
        (base(parameters={}), "parameters: must name at least one parameter"),
        (
            param({"parameters": {"m": {"parameters": {"lr": {"min": 1, "max": 0}}}}}),
            "parameters.lr.parameters.m.parameters.lr.max: must be > min",
        ),
        (param({"parameters": {"m": {"value": 1}}, "value": 2}), "parameters.lr.value: a parameter with nested"),
        (base(metric={"goal": "maximize"}), "metric.name: required"),
        (base(metric={"name": "acc", "goal": "max"}), "metric.goal: must be one of minimize, maximize"),
        (base(metric={"name": "acc", "target": "high"}), "metric.target: must be a number"),
        (base(metric={"name": "acc", "foo": 1}), "metric.foo: unknown key"),
        (base(early_terminate={"type": "hyperband"}), "early_terminate: hyperband needs min_iter, or max_iter and s"),
        (base(early_terminate={"type": "hyperband", "max_iter": 9}), "early_terminate: hyperband needs"),
        (base(early_terminate={"type": "envelope", "min_iter": 1}), "early_terminate.type: must be one of hyperband"),
        (
            base(early_terminate={"type": "hyperband", "min_iter": 0}),
            "early_terminate.min_iter: must be an integer >= 1",
        ),
        (
            base(early_terminate={"type": "hyperband", "min_iter": 1, "eta": 1}),
            "early_terminate.eta: must be a number > 1",
        ),
        (base(early_terminate={"type": "hyperband", "min_iter": 1, "strict": "yes"}), "early_terminate.strict"),
        (
            base(early_terminate={"type": "hyperband", "max_iter": 2, "s": 2}),
            "early_terminate.max_iter: max_iter / eta",
        ),
        (param({"min": 0.1, "max": 1.0}) | {"method": "grid"}, "parameters.lr: grid search needs value, values"),
        (
            base(method="grid", parameters={"o": {"parameters": {"m": {"distribution": "normal"}}}}),
            "parameters.o.parameters.m: grid search needs value, values, int_uniform or q_uniform (got normal)",
        ),
        (
            param({"values": [1, 2], "probabilities": [0.5, 0.5]}) | {"method": "grid"},
            "parameters.lr.probabilities: grid search takes no probabilities",
        ),
        (base(run_cap=0), "run_cap: must be an integer > 0"),
        (base(run_cap=2.5), "run_cap: must be an integer > 0"),
        (base(seed=-1), "seed: must be an integer >= 0"),
        (base(name=3), "name: must be a string"),
        (base(paramters={}), "paramters: unknown key"),
        (base(scheduler={"engine": "optuna"}), "scheduler: custom schedulers"),
        (base(command="python train.py"), "command: must be a list"),
        (base(program="t.py", command=["${env}", "${argz}"]), "command[1]: unknown macro ${argz}"),
        (base(command=["${interpreter}", "${program}"]), "program: required: the command uses ${program}"),
        ("method: [grid", "not valid YAML"),
        ("- 1\n- 2", "must be a mapping"),
    ],
)
def test_a_bad_config_is_refused_naming_the_field(config, message: str) -> None:
    with pytest.raises(SweepConfigError) as err:
        parse_sweep_config(config)
    assert message in str(err.value)
    # wandb code catches ValueError; wbnb's callers catch UsageError
    assert isinstance(err.value, ValueError) and isinstance(err.value, UsageError)
    assert str(err.value).startswith(err.value.path)


def test_beta_samples_without_scipy_and_names_the_extra_its_cdf_needs(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "scipy.special", None)  # an import of it now fails
    monkeypatch.setitem(sys.modules, "scipy", None)
    beta = one({"distribution": "q_beta", "a": 2, "b": 2, "q": 0.5})
    assert beta.sample(np.random.default_rng(0)) in (0.0, 0.5, 1.0)
    with pytest.raises(ImportError, match=r"wbnb\[sweeps\]"):
        beta.to_unit(0.5)
