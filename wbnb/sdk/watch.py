"""``run.watch(model)``: histograms of a torch model's gradients and parameters.

Gradients are caught by tensor hooks as backward produces them; parameters are read
after every ``log_freq``-th forward pass. Both are logged with ``commit=False`` so
they join the user's next ``log()`` step instead of adding steps of their own.
torch is never imported here: the model brings it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .run import Run

_MODES = ("gradients", "parameters", "all", None)


def watch_models(run: Run, models: Any, log: str | None = "gradients", log_freq: int = 1000) -> Callable[[], None]:
    """Install the hooks on one model or a list of them; return a function removing them."""
    if log not in _MODES:
        raise ValueError(f"watch: log must be 'gradients', 'parameters', 'all' or None, got {log!r}")
    if not isinstance(log_freq, int) or log_freq < 1:
        raise ValueError(f"watch: log_freq must be a positive int, got {log_freq!r}")
    models = models if isinstance(models, (list, tuple)) else [models]
    handles: list[Any] = []
    for index, model in enumerate(models):
        if not hasattr(model, "named_parameters") or not hasattr(model, "register_forward_hook"):
            raise TypeError(f"watch: expected a torch.nn.Module, got {type(model).__name__}")
        prefix = f"{index}." if len(models) > 1 else ""
        if log in ("gradients", "all"):
            handles += _watch_gradients(run, model, prefix, log_freq)
        if log in ("parameters", "all"):
            handles.append(_watch_parameters(run, model, prefix, log_freq))
    return lambda: [h.remove() for h in handles]


def _watch_gradients(run: Run, model: Any, prefix: str, log_freq: int) -> list[Any]:
    from ..data import Histogram

    handles = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        calls = [0]

        def hook(grad: Any, key: str = f"gradients/{prefix}{name}", calls: list[int] = calls) -> None:
            calls[0] += 1
            if calls[0] % log_freq == 0 and not run._finished:
                run.log({key: Histogram(grad.detach())}, commit=False)

        handles.append(param.register_hook(hook))
    return handles


def _watch_parameters(run: Run, model: Any, prefix: str, log_freq: int) -> Any:
    from ..data import Histogram

    calls = [0]

    def hook(module: Any, inputs: Any, output: Any) -> None:
        calls[0] += 1
        if calls[0] % log_freq == 0 and not run._finished:
            run.log(
                {f"parameters/{prefix}{n}": Histogram(p.detach()) for n, p in module.named_parameters()}, commit=False
            )

    return model.register_forward_hook(hook)
