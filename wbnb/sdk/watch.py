"""``run.watch(model)``: histograms of a torch model's gradients and parameters.

Gradients are caught by tensor hooks as backward produces them; parameters are read
after every ``log_freq``-th forward pass. Both are logged with ``commit=False`` so
they join the user's next ``log()`` step instead of adding steps of their own.

A hook runs inside the user's forward or backward pass, so it never raises into it:
whatever goes wrong (a dtype numpy lacks is converted first, ``data/histogram.py``
bins any finite range) is warned once per ``watch()`` and the model carries on.
torch is never imported here: the model brings it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

LogFn = Callable[..., None]  # the run's log(data, commit=False)

_MODES = ("gradients", "parameters", "all", None)


def watch_models(
    log_to: LogFn, finished: Callable[[], bool], models: Any, log: str | None = "gradients", log_freq: int = 1000
) -> Callable[[], None]:
    """Install the hooks on one model or a list of them, logging through ``log_to`` until
    ``finished()`` says the run has ended; return a function removing them."""
    if log not in _MODES:
        raise ValueError(f"watch: log must be 'gradients', 'parameters', 'all' or None, got {log!r}")
    if not isinstance(log_freq, int) or log_freq < 1:
        raise ValueError(f"watch: log_freq must be a positive int, got {log_freq!r}")
    models = models if isinstance(models, (list, tuple)) else [models]
    handles: list[Any] = []
    guard = _Guard(log_to, finished)
    for index, model in enumerate(models):
        if not hasattr(model, "named_parameters") or not hasattr(model, "register_forward_hook"):
            raise TypeError(f"watch: expected a torch.nn.Module, got {type(model).__name__}")
        prefix = f"{index}." if len(models) > 1 else ""
        if log in ("gradients", "all"):
            handles += _watch_gradients(guard, model, prefix, log_freq)
        if log in ("parameters", "all"):
            handles.append(_watch_parameters(guard, model, prefix, log_freq))

    def remove() -> None:
        for handle in handles:
            handle.remove()

    return remove


class _Guard:
    """Logs histograms for the hooks of one ``watch()``; never raises."""

    def __init__(self, log_to: LogFn, finished: Callable[[], bool]) -> None:
        self.log_to = log_to
        self.finished = finished
        self.warned = False

    def log(self, what: str, tensors: Callable[[], dict[str, Any]]) -> None:
        """Log a histogram of each of ``tensors()`` (at the run's open step); a failure is
        warned once, and what it could not log is skipped."""
        if self.finished():
            return
        try:
            from ..data import Histogram

            self.log_to({key: Histogram(t.detach()) for key, t in tensors().items()}, commit=False)
        except Exception as e:  # the user's model must never see it
            if not self.warned:
                self.warned = True
                warnings.warn(
                    f"wbnb.watch: could not log the histograms of {what}: {type(e).__name__}: {e}. "
                    "Training goes on; later failures of this watch() are not reported.",
                    RuntimeWarning,
                    stacklevel=2,
                )


def _watch_gradients(guard: _Guard, model: Any, prefix: str, log_freq: int) -> list[Any]:
    handles = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        calls = [0]

        def hook(grad: Any, key: str = f"gradients/{prefix}{name}", calls: list[int] = calls) -> None:
            calls[0] += 1
            if calls[0] % log_freq == 0:
                guard.log(key, lambda: {key: grad})

        handles.append(param.register_hook(hook))
    return handles


def _watch_parameters(guard: _Guard, model: Any, prefix: str, log_freq: int) -> Any:
    calls = [0]

    def hook(module: Any, inputs: Any, output: Any) -> None:
        calls[0] += 1
        if calls[0] % log_freq == 0:
            guard.log(
                f"parameters/{prefix}*", lambda: {f"parameters/{prefix}{n}": p for n, p in module.named_parameters()}
            )

    return model.register_forward_hook(hook)
