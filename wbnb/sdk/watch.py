"""``run.watch(model)``: histograms of a torch model's gradients and parameters.

A parameter's every ``log_freq``-th gradient is logged as backward produces it (tensor
hooks). The model's parameters (frozen ones included) are logged every ``log_freq`` calls
of its ``forward``, wandb's rule (an eval-only or frozen model is logged too), by a forward
hook that does nothing in a copy or unpickled model (``deepcopy`` for an EMA, ``torch.save``)
and nothing inside ``torch.compile`` (no wbnb code traced); while that hook has never
fired (a LightningModule whose ``training_step`` calls ``self.net``, a compiled model),
every ``log_freq`` backward passes that reach the model count instead. Both are logged with
``commit=False`` so they join the user's next ``log()`` step instead of adding steps of
their own. Keys are wandb's:
``gradients/<param>`` / ``parameters/<param>``, where the model of index ``i > 0``
(``idx``, else the order the run first watched it in) puts ``graph_<i>`` before the
parameter's name, as wandb does (``gradients/graph_1fc.weight``).

What users of wandb's ``watch`` reported, and what holds here:

- the hooks go at ``finish()`` and at ``unwatch()`` (all models, or those given);
- watching a model again replaces its hooks (none doubled) and keeps its names;
- a ``DataParallel`` / ``DistributedDataParallel`` / ``torch.compile`` wrapper is
  unwrapped: names carry no ``module.`` / ``_orig_mod.``, and the wrapped model and its
  wrapper are the same watched model;
- a histogram's cost is bounded: a tensor of more than ``MAX_ELEMENTS`` (1M) elements
  is sampled at an even stride first, on its own device, so at most 1M float32 values
  are copied to the CPU and binned; bfloat16 / float16 / integer tensors are converted
  to float32 after sampling (numpy has no bfloat16); a sparse gradient counts its
  implicit zeros;
- under mixed precision, ``scaler=`` (a ``torch.amp.GradScaler``, or anything with
  ``get_scale()``) divides gradients by the loss scale, so the histograms show the
  gradients the optimizer steps with, not ``scale`` times them;
- NaN / inf values are left out of the histograms (as wandb) and counted; the first is
  said once per ``watch()``; a tensor with nothing finite is not logged that step;
- a hook runs inside the user's backward pass, so it never raises into it: whatever
  goes wrong is warned once per ``watch()`` and the model carries on.

torch is imported only inside a watch() call (the model has imported it already).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LogFn = Callable[..., None]  # the run's log(data, commit=False)

MAX_ELEMENTS = 1_000_000  # a histogram bins at most this many of a tensor's elements
BINS = 64  # wandb's
_FLOAT32_WIDE = 1e30  # values and bin scales below it keep float32 bin arithmetic finite
_MODES = ("gradients", "parameters", "all", None)
# Wrappers whose parameters are their inner module's under a prefix: class name -> attribute.
_WRAPPERS = {"DataParallel": "module", "DistributedDataParallel": "module", "OptimizedModule": "_orig_mod"}


def unwrap(model: Any) -> Any:
    """The model a ``DataParallel`` / ``DistributedDataParallel`` / ``torch.compile``
    wrapper holds (``model`` itself when it is none of them)."""
    while (attr := _WRAPPERS.get(type(model).__name__)) is not None and hasattr(model, attr):
        model = getattr(model, attr)
    return model


@dataclass
class _Watched:
    index: int
    handles: list[Any] = field(default_factory=list)

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles.clear()


class Watcher:
    """The models one run watches and their hooks; ``log_to`` is the run's ``log``,
    ``finished()`` says the run has ended (a hook firing late logs nothing)."""

    def __init__(self, log_to: LogFn, finished: Callable[[], bool]) -> None:
        self._log_to = log_to
        self._finished = finished
        self._watched: dict[int, _Watched] = {}  # id(unwrapped model) ->
        self._models: dict[int, Any] = {}  # the same keys -> the model, kept alive while watched (ids stay unique)
        self._next_index = 0  # wandb's running model index, here per run

    def watch(
        self,
        models: Any,
        log: str | None = "gradients",
        log_freq: int = 1000,
        idx: int | None = None,
        scaler: Any = None,
    ) -> None:
        """Hook one model or a list of them (see the module's docstring)."""
        if log not in _MODES:
            raise ValueError(f"watch: log must be 'gradients', 'parameters', 'all' or None, got {log!r}")
        if isinstance(log_freq, bool) or not isinstance(log_freq, int) or log_freq < 1:
            raise ValueError(f"watch: log_freq must be a positive int, got {log_freq!r}")
        if idx is not None and (isinstance(idx, bool) or not isinstance(idx, int) or idx < 0):
            raise ValueError(f"watch: idx must be a non-negative int or None, got {idx!r}")
        if scaler is not None and not callable(getattr(scaler, "get_scale", None)):
            raise TypeError(f"watch: scaler must be a torch.amp.GradScaler (with get_scale()), got {scaler!r}")
        models = list(models) if isinstance(models, (list, tuple)) else [models]
        for model in models:
            if not hasattr(model, "named_parameters") or not hasattr(model, "register_forward_hook"):
                raise TypeError(f"watch: expected a torch.nn.Module, got {type(model).__name__}")
        for offset, model in enumerate(models):
            inner = unwrap(model)
            old = self._watched.pop(id(inner), None)
            if old is not None:
                old.remove()
            if idx is not None:
                index = idx + offset
            elif old is not None:
                index = old.index
            else:
                index = self._next_index
            if old is None:  # wandb counts every new model, idx given or not
                self._next_index += 1
            watched = _Watched(index)
            if log is not None:
                guard = _Guard(self._log_to, self._finished)
                clock = _Clock(inner, f"graph_{index}" if index > 0 else "", log, log_freq, guard, scaler)
                for name, param in inner.named_parameters():
                    if param.requires_grad:  # a frozen one has no gradient to hook (its values are logged)
                        watched.handles.append(param.register_hook(clock.hook(name)))
                if clock.parameters:
                    watched.handles.append(inner.register_forward_hook(_ForwardTick(clock)))
            self._watched[id(inner)] = watched
            self._models[id(inner)] = inner

    def unwatch(self, models: Any = None) -> None:
        """Remove the hooks of ``models`` (one or a list; wrappers unwrapped), or of every
        watched model when None; a model not watched is warned about."""
        if models is None:
            keys = list(self._watched)
        else:
            keys = []
            for model in models if isinstance(models, (list, tuple)) else [models]:
                if id(unwrap(model)) in self._watched:
                    keys.append(id(unwrap(model)))
                else:
                    warnings.warn(f"wbnb.unwatch: {type(model).__name__} is not watched", RuntimeWarning, stacklevel=4)
        for key in keys:
            self._watched.pop(key).remove()
            del self._models[key]


class _Guard:
    """Logs the histograms of one ``watch()``'s hooks; never raises."""

    def __init__(self, log_to: LogFn, finished: Callable[[], bool]) -> None:
        self.log_to = log_to
        self.finished = finished
        self.warned = False
        self.nonfinite = 0  # values left out of this watch()'s histograms as NaN / inf, all told

    def log(self, what: str, tensors: Callable[[], dict[str, Any]]) -> None:
        """Log a histogram of each of ``tensors()`` (``sample``'s flat tensors) at the run's
        open step; NaN / inf are left out and counted (a tensor with nothing finite is not
        logged, as wandb); a failure is warned once, and what it could not log is skipped."""
        if self.finished():
            return
        try:
            histograms = {}
            for key, flat in tensors().items():
                kept, lo, hi = finite(flat)
                if kept.numel() < flat.numel():
                    self._count_nonfinite(key, flat.numel() - kept.numel(), flat.numel())
                if kept.numel() or not flat.numel():  # an empty tensor: an empty histogram
                    histograms[key] = _binned(kept, lo, hi)
            if histograms:  # not an empty record when nothing was finite
                self.log_to(histograms, commit=False)
        except Exception as e:  # the user's model must never see it
            if not self.warned:
                self.warned = True
                warnings.warn(
                    f"wbnb.watch: could not log the histograms of {what}: {type(e).__name__}: {e}. "
                    "Training goes on; later failures of this watch() are not reported.",
                    RuntimeWarning,
                    stacklevel=2,
                )

    def _count_nonfinite(self, key: str, bad: int, total: int) -> None:
        if not self.nonfinite:  # said at the first; the count goes on (``nonfinite``)
            warnings.warn(
                f"wbnb.watch: {key} has {bad} NaN / inf value(s) of {total}; they are left out of its histograms "
                "(a tensor with none finite is not logged). Under a GradScaler, inf gradients in the steps it "
                "skips are expected. Said once per watch().",
                RuntimeWarning,
                stacklevel=2,
            )
        self.nonfinite += bad


class _Clock:
    """One watched model's hooks: a parameter's every ``log_freq``-th gradient is logged;
    the model's parameters every ``log_freq`` forwards (``forward``), or, while no forward
    was seen, once per ``log_freq`` backward passes that reach the model, counted by its
    parameters' gradients (the first to reach a multiple of ``log_freq`` logs them)."""

    def __init__(self, model: Any, prefix: str, log: str, log_freq: int, guard: _Guard, scaler: Any) -> None:
        self.model = model
        self.prefix = prefix
        self.gradients = log in ("gradients", "all")
        self.parameters = log in ("parameters", "all")
        self.log_freq = log_freq
        self.guard = guard
        self.scaler = scaler
        self.logged = 0  # the gradient count the parameters were last logged at
        self.forwards = 0  # calls of the model's forward seen (outside torch.compile)

    def hook(self, name: str) -> Callable[[Any], None]:
        """The tensor hook of the parameter ``name``."""
        key = f"gradients/{self.prefix}{name}"
        log_freq = self.log_freq  # a local: this runs at every backward pass
        calls = 0

        def hook(grad: Any) -> None:
            nonlocal calls
            calls += 1
            if calls % log_freq:
                return
            if self.parameters and not self.forwards and calls > self.logged:
                self.logged = calls
                self.guard.log(f"parameters/{self.prefix}*", self._parameters)
            if self.gradients:
                self.guard.log(key, lambda: {key: _unscaled(sample(grad), self.scaler)})

        return hook

    def forward(self) -> None:
        """The model's forward ran: every ``log_freq``-th, log its parameters."""
        self.forwards += 1
        if self.forwards % self.log_freq == 0:
            self.guard.log(f"parameters/{self.prefix}*", self._parameters)

    def _parameters(self) -> dict[str, Any]:
        return {f"parameters/{self.prefix}{n}": sample(p) for n, p in self.model.named_parameters()}


class _ForwardTick:
    """The watched model's forward hook. Under ``torch.compile`` it is traced as nothing
    (``is_compiling()`` is a constant there: no graph break); a copy of the model
    (``deepcopy``, ``torch.save``) gets an inert hook, so an EMA copy never logs as the model."""

    def __init__(self, clock: _Clock) -> None:
        import torch

        self.clock = clock
        self.is_compiling = torch.compiler.is_compiling

    def __call__(self, module: Any, inputs: Any, output: Any) -> None:
        if not self.is_compiling():
            self.clock.forward()

    def __reduce__(self) -> tuple[type[_Inert], tuple[()]]:
        return (_Inert, ())


class _Inert:
    """What a copied or unpickled model's forward hook becomes: it does nothing."""

    def __call__(self, *args: Any) -> None:
        return None


def sample(tensor: Any) -> Any:
    """At most ``MAX_ELEMENTS`` of ``tensor``'s elements (every k-th) as a flat float32
    (float64 stays) tensor on its own device; a sparse tensor's implicit zeros are counted."""
    t = tensor.detach()
    zeros = 0
    if t.is_sparse:
        t = t.coalesce()
        zeros = t.numel() - t.values().numel()
        t = t.values()
    step = max(1, -(-(t.numel() + zeros) // MAX_ELEMENTS))  # 1 for an empty tensor
    flat = t.flatten()[::step]
    if not flat.is_floating_point() or flat.element_size() < 4:
        flat = flat.float()
    if zeros:
        padded = flat.new_zeros(flat.numel() + zeros // step)
        padded[: flat.numel()] = flat
        flat = padded
    return flat


def finite(flat: Any) -> tuple[Any, float, float]:
    """``flat`` without its NaN / inf values, and their least and greatest (0.0, 0.0 when
    none is left)."""
    lo, hi = (float(v) for v in flat.aminmax()) if flat.numel() else (0.0, 0.0)
    if not (math.isfinite(lo) and math.isfinite(hi)):  # NaN makes both NaN
        flat = flat[flat.isfinite()]
        lo, hi = (float(v) for v in flat.aminmax()) if flat.numel() else (0.0, 0.0)
    return flat, lo, hi


def histogram(flat: Any) -> Any:
    """A ``Histogram`` of ``sample()``'s flat tensor (NaN / inf dropped), counted by torch
    where the tensor lies (from a GPU only the counts come back): each value's bin index,
    then ``bincount``, 4x cheaper than ``histc`` on a CPU. float64, and ranges too wide or
    too narrow for float32 bins, go to ``data/histogram.py``, which bins any finite range."""
    return _binned(*finite(flat))


def _binned(flat: Any, lo: float, hi: float) -> Any:
    """``histogram`` of a flat tensor of finite values between ``lo`` and ``hi``."""
    import numpy as np  # not at import: ``import wbnb`` loads no numpy

    from ..data import Histogram

    if flat.element_size() == 4 and lo < hi and max(-lo, hi) < _FLOAT32_WIDE and BINS / (hi - lo) < _FLOAT32_WIDE:
        # hi itself goes to the last bin; uint8 bin indices (BINS <= 256): 1.7x faster than int64 on a CPU
        index = flat.sub(lo).mul_(BINS / (hi - lo)).clamp_(max=BINS - 1).byte()
        counts = index.bincount(minlength=BINS).cpu().numpy()
        return Histogram(np_histogram=(counts, np.linspace(lo, hi, BINS + 1)))
    return Histogram(flat.cpu())


def _unscaled(values: Any, scaler: Any) -> Any:
    """``values`` of a gradient divided by the loss scale ``scaler`` multiplied the loss by."""
    scale = 1.0 if scaler is None else float(scaler.get_scale())  # 1.0 for a disabled scaler
    return values if scale == 1.0 else values / scale
