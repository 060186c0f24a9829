"""A sweep's configuration: wandb's sweep config schema, parsed and validated.

Follows wandb's JSON schema (the ``sweeps`` package's ``config/schema.json``): its keys, its
defaults (metric goal ``minimize``, hyperband ``eta`` 3 and ``strict`` true, ``q`` 1.0, ``mu`` 0,
``sigma`` 1, ``a`` = ``b`` = 1) and its inference when ``distribution`` is left out: ``values`` ->
categorical, ``value`` -> constant, integer ``min``/``max`` -> int_uniform, otherwise uniform.
Stricter than the schema where a value could only misbehave later: ``sigma``, ``a``, ``b``
must be > 0, ``probabilities`` must sum to 1, unknown command macros are refused, and a grid
sweep's parameters are checked here as wandb's grid search checks them when it starts. ``seed`` is
wbnb's addition.

Public API (the search methods and agents build on these names)::

    parse_sweep_config(config: Mapping[str, Any] | str) -> SweepConfig
        A dict, or YAML / JSON text; raises SweepConfigError naming the field path,
        e.g. "parameters.lr.max: must be > min (got max 0.1, min 0.5)".
    load_sweep_config(path) -> SweepConfig

    class SweepConfigError(UsageError, ValueError): .path (str, "" for the whole config)

    @dataclass(frozen=True) SweepConfig:
        method: Literal["grid", "random", "bayes"]
        parameters: dict[str, Param]         # top-level names, in the config's order
        metric: Metric | None
        early_terminate: Hyperband | None
        run_cap: int | None
        name: str | None; description: str | None
        program: str | None; command: list[str] | None
        seed: int | None
        raw: dict[str, Any]                  # the config as given (stored with the sweep)
        .leaves() -> dict[tuple[str, ...], Distribution]   # leaves by path: ("optimizer", "lr")
        .nest(flat: Mapping[tuple[str, ...], Any]) -> dict  # {("opt", "lr"): x} -> {"opt": {"lr": x}}

    @dataclass(frozen=True) Param: name; .distribution (a leaf) or .parameters (nested dict)
    @dataclass(frozen=True) Metric: name: str; goal: "minimize" | "maximize" = "minimize";
                                    target: float | None; impute; impute_while_running
    @dataclass(frozen=True) Hyperband: min_iter | None, max_iter | None, s | None, eta = 3,
                                       strict = True; .bands() -> list[int] (iterations judged at)

In wbnb.sweeps.distributions (frozen dataclasses, subclasses of Distribution):
    Distribution.kind: str (wandb's name); .sample(rng: numpy.random.Generator) -> value;
    .to_unit(x) -> float in [0, 1]; .from_unit(u: float) -> value (quantized, in the support);
    .grid_values() -> list | None (the finite support, None when continuous);
    .log_scale: bool (for the panel's axes); Categorical.index(value) -> int.
    Constant, Categorical, IntUniform, Uniform, QUniform, LogUniform, LogUniformValues,
    InvLogUniform, InvLogUniformValues, QLogUniform, QLogUniformValues, Normal, QNormal,
    LogNormal, QLogNormal, Beta, QBeta; DISTRIBUTIONS: dict[kind, class].

In wbnb.sweeps.command:
    expand_command(command, params, *, program, interpreter=sys.executable, env="/usr/bin/env",
                   args_json_file=None, environ=None) -> list[str]
    args_json(params) -> str (what ${args_json_file} must hold); DEFAULT_COMMAND; MACROS
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from ..errors import UsageError
from .command import MACROS, macro_name
from .distributions import DISTRIBUTIONS, Categorical, Distribution, IntUniform

Method = Literal["grid", "random", "bayes"]
Goal = Literal["minimize", "maximize"]
Impute = Literal["latest", "best", "worst"]


class SweepConfigError(UsageError, ValueError):
    """A sweep config that wandb's schema refuses; ``path`` names the field ("" for the whole config)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path


@dataclass(frozen=True)
class Metric:
    """``metric``: the summary value a sweep optimises (``impute*``: what Bayesian search assumes
    for failed or running trials, wandb's fields)."""

    name: str
    goal: Goal = "minimize"
    target: float | None = None
    impute: Impute = "worst"
    impute_while_running: Literal["latest", "best", "worst", "false"] = "false"


@dataclass(frozen=True)
class Hyperband:
    """``early_terminate: {type: hyperband, ...}``; ``strict`` defaults to true as in wandb's schema."""

    min_iter: int | None = None
    max_iter: int | None = None
    s: int | None = None
    eta: float = 3
    strict: bool = True

    def bands(self) -> list[int]:
        """The iterations (indices of the metric's logged values) runs are judged at, ascending,
        computed as wandb computes them: ``max_iter / eta^k`` for k = 1..s (while >= 1) when
        ``max_iter`` is given, else ``min_iter * eta^k`` for k = 0..99 (those below 2^63: no run
        logs more values, and a huge eta would overflow)."""
        if self.max_iter is not None and self.s is not None:
            bands, band = [], float(self.max_iter)
            for _ in range(self.s):
                band /= self.eta
                if band < 1:
                    break
                bands.append(int(band))
            return sorted(bands)
        assert self.min_iter is not None  # parse_sweep_config refuses neither
        bands, band = [], self.min_iter
        for _ in range(100):  # multiplied step by step, as wandb does, so float etas round alike
            if band >= 2**63:
                break
            bands.append(int(band))
            band *= self.eta
        return bands


@dataclass(frozen=True)
class Param:
    """One entry of ``parameters``: a leaf with a ``distribution``, or nested ``parameters``."""

    name: str
    distribution: Distribution | None = None
    parameters: dict[str, Param] | None = None


@dataclass(frozen=True)
class SweepConfig:
    """A parsed sweep config; ``raw`` is the config as given, for storing beside the sweep."""

    method: Method
    parameters: dict[str, Param]
    metric: Metric | None = None
    early_terminate: Hyperband | None = None
    run_cap: int | None = None
    name: str | None = None
    description: str | None = None
    program: str | None = None
    command: list[str] | None = None
    seed: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def leaves(self) -> dict[tuple[str, ...], Distribution]:
        """Every leaf distribution by its path of names (``("optimizer", "lr")`` for a nested one),
        in the config's order."""
        out: dict[tuple[str, ...], Distribution] = {}

        def walk(params: dict[str, Param], prefix: tuple[str, ...]) -> None:
            for name, p in params.items():
                if p.parameters is not None:
                    walk(p.parameters, prefix + (name,))
                else:
                    out[prefix + (name,)] = cast(Distribution, p.distribution)

        walk(self.parameters, ())
        return out

    def nest(self, flat: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
        """A run's config from leaf values: ``{("opt", "lr"): x}`` -> ``{"opt": {"lr": x}}``."""
        out: dict[str, Any] = {}
        for path, value in flat.items():
            node = out
            for name in path[:-1]:
                node = node.setdefault(name, {})
            node[path[-1]] = value
        return out


# wandb's schema: parameter names, and the top-level keys it knows (those we do not use are kept in raw).
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_IGNORED_KEYS = {"apiVersion", "kind", "controller", "entity", "project", "job", "image_uri"}
_KNOWN_KEYS = {f.name for f in dataclasses.fields(SweepConfig)} - {"raw"} | _IGNORED_KEYS
_NUMBERS = {"min", "max", "q", "mu", "sigma", "a", "b"}
_POSITIVE = {"q", "sigma", "a", "b"}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _mapping(v: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise SweepConfigError(path, f"must be a mapping (got {v!r})")
    return v


def _infer_kind(spec: Mapping[str, Any], path: str) -> str:
    # wandb's schema tries its parameter shapes in order; these are the ones without "distribution".
    if "values" in spec:
        return "categorical"
    if "value" in spec:
        return "constant"
    if "min" in spec and "max" in spec:
        return "int_uniform" if _is_int(spec["min"]) and _is_int(spec["max"]) else "uniform"
    raise SweepConfigError(path, "needs value, values, min and max, parameters, or a distribution")


def _parse_distribution(spec: Mapping[str, Any], path: str) -> Distribution:
    kind = spec.get("distribution")
    if kind is None:
        kind = _infer_kind(spec, path)
    elif kind == "categorical_w_probabilities":  # wandb's name for values with probabilities
        kind = "categorical"
    elif kind not in DISTRIBUTIONS:
        raise SweepConfigError(f"{path}.distribution", f"unknown {kind!r} (known: {', '.join(sorted(DISTRIBUTIONS))})")
    cls = DISTRIBUTIONS[kind]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in spec:
        if key != "distribution" and key not in fields:
            allowed = ", ".join(fields)
            raise SweepConfigError(f"{path}.{key}", f"not a field of distribution {kind} (it takes {allowed})")
    for name, f in fields.items():
        if name not in spec and f.default is dataclasses.MISSING:
            raise SweepConfigError(f"{path}.{name}", f"required for distribution {kind}")
        if name in _NUMBERS and name in spec:
            v = spec[name]
            if not _is_number(v):
                raise SweepConfigError(f"{path}.{name}", f"must be a number (got {v!r})")
            if name in _POSITIVE and v <= 0:
                raise SweepConfigError(f"{path}.{name}", f"must be > 0 (got {v!r})")
    if "min" in fields:
        lo, hi = spec["min"], spec["max"]
        if cls is IntUniform and not (_is_int(lo) and _is_int(hi)):
            bad = "min" if not _is_int(lo) else "max"
            raise SweepConfigError(f"{path}.{bad}", f"must be an integer for int_uniform (got {spec[bad]!r})")
        if lo >= hi:
            raise SweepConfigError(f"{path}.max", f"must be > min (got max {hi!r}, min {lo!r})")
        if kind.endswith("_values") and lo <= 0:
            raise SweepConfigError(f"{path}.min", f"must be > 0 for {kind}: these bounds are values (got {lo!r})")
    if cls is Categorical:
        return _parse_categorical(spec, path)
    return cls(**{k: v for k, v in spec.items() if k != "distribution"})


def _parse_categorical(spec: Mapping[str, Any], path: str) -> Categorical:
    values = spec["values"]
    if not isinstance(values, (list, tuple)) or not values:
        raise SweepConfigError(f"{path}.values", f"must be a non-empty list (got {values!r})")
    probs = spec.get("probabilities")
    if probs is None:
        return Categorical(tuple(values))
    if not isinstance(probs, (list, tuple)) or len(probs) != len(values):
        raise SweepConfigError(f"{path}.probabilities", f"must be a list of {len(values)} numbers, one per value")
    for i, p in enumerate(probs):
        if not _is_number(p) or p < 0:
            raise SweepConfigError(f"{path}.probabilities[{i}]", f"must be a number >= 0 (got {p!r})")
    if not math.isclose(sum(probs), 1.0, abs_tol=1e-6):
        raise SweepConfigError(f"{path}.probabilities", f"must sum to 1 (got {sum(probs)!r})")
    return Categorical(tuple(values), tuple(float(p) for p in probs))


def _parse_parameters(v: Any, path: str) -> dict[str, Param]:
    params = _mapping(v, path)
    if not params:
        raise SweepConfigError(path, "must name at least one parameter")
    out: dict[str, Param] = {}
    for name, spec in params.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise SweepConfigError(f"{path}.{name}", "a name is a letter or _ then letters, digits, _ . or -")
        spec = _mapping(spec, f"{path}.{name}")
        if "parameters" in spec:
            extra = sorted(k for k in spec if k != "parameters")
            if extra:
                raise SweepConfigError(
                    f"{path}.{name}.{extra[0]}", "a parameter with nested parameters has no other keys"
                )
            out[name] = Param(name, parameters=_parse_parameters(spec["parameters"], f"{path}.{name}.parameters"))
        else:
            out[name] = Param(name, distribution=_parse_distribution(spec, f"{path}.{name}"))
    return out


def _check_grid(params: dict[str, Param], path: str) -> None:
    # wandb's grid takes only parameters with a finite list of values, and no probabilities
    for name, p in params.items():
        if p.parameters is not None:
            _check_grid(p.parameters, f"{path}.{name}.parameters")
        elif isinstance(p.distribution, Categorical) and p.distribution.probabilities is not None:
            raise SweepConfigError(f"{path}.{name}.probabilities", "grid search takes no probabilities")
        elif p.distribution is not None and p.distribution.grid_values() is None:
            raise SweepConfigError(
                f"{path}.{name}",
                f"grid search needs value, values, int_uniform or q_uniform (got {p.distribution.kind})",
            )


def _choice(v: Any, path: str, allowed: tuple[str, ...]) -> Any:
    if v not in allowed:
        raise SweepConfigError(path, f"must be one of {', '.join(allowed)} (got {v!r})")
    return v


def _parse_metric(v: Any) -> Metric:
    m = _mapping(v, "metric")
    known = {f.name for f in dataclasses.fields(Metric)}
    for key in m:
        if key not in known:
            raise SweepConfigError(f"metric.{key}", f"unknown key (known: {', '.join(known)})")
    if not isinstance(m.get("name"), str) or not m["name"]:
        raise SweepConfigError("metric.name", f"required: the name of a logged metric (got {m.get('name')!r})")
    target = m.get("target")
    if target is not None and not _is_number(target):
        raise SweepConfigError("metric.target", f"must be a number (got {target!r})")
    return Metric(
        name=m["name"],
        goal=_choice(m.get("goal", "minimize"), "metric.goal", ("minimize", "maximize")),
        target=target,
        impute=_choice(m.get("impute", "worst"), "metric.impute", ("latest", "best", "worst")),
        impute_while_running=_choice(
            m.get("impute_while_running", "false"), "metric.impute_while_running", ("latest", "best", "worst", "false")
        ),
    )


def _parse_hyperband(v: Any) -> Hyperband:
    et = _mapping(v, "early_terminate")
    _choice(et.get("type"), "early_terminate.type", ("hyperband",))
    known = {f.name for f in dataclasses.fields(Hyperband)} | {"type"}
    for key in et:
        if key not in known:
            raise SweepConfigError(f"early_terminate.{key}", f"unknown key (known: {', '.join(sorted(known))})")
    for key in ("min_iter", "max_iter", "s"):
        if key in et and (not _is_int(et[key]) or et[key] < 1):
            raise SweepConfigError(f"early_terminate.{key}", f"must be an integer >= 1 (got {et[key]!r})")
    eta = et.get("eta", 3)
    if not _is_number(eta) or eta <= 1:
        raise SweepConfigError("early_terminate.eta", f"must be a number > 1 (got {eta!r})")
    strict = et.get("strict", True)
    if not isinstance(strict, bool):
        raise SweepConfigError("early_terminate.strict", f"must be true or false (got {strict!r})")
    if "min_iter" not in et and not ("max_iter" in et and "s" in et):
        raise SweepConfigError("early_terminate", "hyperband needs min_iter, or max_iter and s")
    hb = Hyperband(et.get("min_iter"), et.get("max_iter"), et.get("s"), eta, strict)
    if not hb.bands():
        raise SweepConfigError("early_terminate.max_iter", f"max_iter / eta is below 1: no band (got {hb.max_iter!r})")
    return hb


def _parse_command(v: Any, program: str | None) -> list[str]:
    if not isinstance(v, list):
        raise SweepConfigError("command", f"must be a list of arguments (got {v!r})")
    out = []
    for i, token in enumerate(v):
        if not isinstance(token, (str, int, float)) or isinstance(token, bool):
            raise SweepConfigError(f"command[{i}]", f"must be a string (got {token!r})")
        name = macro_name(str(token))
        if name is not None and name not in MACROS:
            raise SweepConfigError(f"command[{i}]", f"unknown macro {token} (known: {', '.join(sorted(MACROS))})")
        if name == "program" and program is None:
            raise SweepConfigError("program", "required: the command uses ${program}")
        out.append(str(token))
    return out


def _optional(cfg: Mapping[str, Any], key: str, kind: type, what: str) -> Any:
    v = cfg.get(key)
    if v is not None and (not isinstance(v, kind) or isinstance(v, bool)):
        raise SweepConfigError(key, f"must be {what} (got {v!r})")
    return v


def parse_sweep_config(config: Mapping[str, Any] | str) -> SweepConfig:
    """Validate a sweep config (a dict, or YAML / JSON text) against wandb's schema and parse it.

    Raises SweepConfigError (a UsageError and a ValueError) naming the first bad field.
    """
    if isinstance(config, str):
        config = _load_text(config)
    cfg = _mapping(config, "")
    for key in cfg:
        if key in ("metrics", "scheduler"):
            raise SweepConfigError(
                key, "custom schedulers and multi-objective sweeps (method custom) are not supported"
            )
        if key not in _KNOWN_KEYS:
            raise SweepConfigError(key, f"unknown key (known: {', '.join(sorted(_KNOWN_KEYS))})")
    if "method" not in cfg:
        raise SweepConfigError("method", "required: grid, random or bayes")
    method = _choice(cfg["method"], "method", ("grid", "random", "bayes"))
    program = _optional(cfg, "program", str, "a path to a script")
    run_cap = _optional(cfg, "run_cap", int, "an integer > 0")
    if run_cap is not None and run_cap < 1:
        raise SweepConfigError("run_cap", f"must be an integer > 0 (got {run_cap!r})")
    parameters = _parse_parameters(cfg["parameters"], "parameters") if "parameters" in cfg else {}
    if method == "grid":
        _check_grid(parameters, "parameters")
    seed = _optional(cfg, "seed", int, "an integer >= 0")
    if seed is not None and seed < 0:
        raise SweepConfigError("seed", f"must be an integer >= 0 (got {seed!r})")
    return SweepConfig(
        method=method,
        parameters=parameters,
        metric=_parse_metric(cfg["metric"]) if cfg.get("metric") is not None else None,
        early_terminate=_parse_hyperband(cfg["early_terminate"]) if cfg.get("early_terminate") is not None else None,
        run_cap=run_cap,
        name=_optional(cfg, "name", str, "a string"),
        description=_optional(cfg, "description", str, "a string"),
        program=program,
        command=_parse_command(cfg["command"], program) if cfg.get("command") is not None else None,
        seed=seed,
        raw=copy.deepcopy(dict(cfg)),
    )


def _load_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        import yaml
    except ImportError as e:  # PyYAML comes with wbnb[media]
        raise SweepConfigError("", "reading a YAML sweep config needs PyYAML: pip install pyyaml") from e
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise SweepConfigError("", f"not valid YAML: {e}") from e


def load_sweep_config(path: str | os.PathLike[str]) -> SweepConfig:
    """Parse the sweep config in a YAML or JSON file (``wbnb sweep sweep.yaml``)."""
    with open(path, encoding="utf-8") as f:
        return parse_sweep_config(f.read())
