"""A sweep's configuration: wandb's sweep config schema, parsed and validated.

Public API (the search methods and agents build on these names)::

    parse_sweep_config(config: Mapping[str, Any] | str) -> SweepConfig
        A dict, or YAML / JSON text; raises SweepConfigError naming the field path,
        e.g. "parameters.lr.max: must be > min (got 0.1 <= 0.5)".

    class SweepConfigError(UsageError, ValueError): .path (str, "" for the top level)

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
        .leaves() -> dict[str, Distribution] # flattened leaves, nested names joined by "."
        .nest(flat: Mapping[str, Any]) -> dict[str, Any]  # {"opt.lr": x} -> {"opt": {"lr": x}}

    @dataclass(frozen=True) Param: either .distribution (a leaf) or .parameters (nested dict)
    @dataclass(frozen=True) Metric: name: str; goal: "minimize" | "maximize" = "minimize";
                                    target: float | None
    @dataclass(frozen=True) Hyperband: min_iter | None, max_iter | None, eta: float = 3,
                                       s: int | None, strict: bool = False
                                       .bands() -> list[int]  (the iterations judged at)

In wbnb.sweeps.distributions (each frozen dataclass, subclass of Distribution):
    Distribution.kind: str (wandb's name); .sample(rng: numpy.random.Generator) -> Any;
    .to_unit(x) -> float in [0, 1]; .from_unit(u: float) -> value (quantized, in support);
    .grid_values() -> list | None (the finite support, None when continuous);
    .log_scale: bool (panel axes)
    Constant, Categorical, IntUniform, Uniform, QUniform, LogUniform, LogUniformValues,
    InvLogUniform, InvLogUniformValues, QLogUniform, QLogUniformValues, Normal, QNormal,
    LogNormal, QLogNormal, Beta, QBeta.

In wbnb.sweeps.command:
    expand_command(command: Sequence[str] | None, params: Mapping[str, Any], *,
                   program: str | None, interpreter: str = sys.executable, env: str = "/usr/bin/env",
                   args_json_file: str | None = None) -> list[str]
    (wandb's macros ${env} ${interpreter} ${program} ${args} ${args_no_equals} ${args_json}
    ${args_json_file}; default command "${env} ${interpreter} ${program} ${args}")

Work in progress: this docstring is the contract; the code below follows it.
"""
