"""The gradients of a compiled Keras model's training loss on some data, with the active backend:
Keras 3 has no backend-neutral gradient call (``tf.GradientTape`` is TensorFlow's), so this uses
torch's autograd or ``jax.grad``. TensorFlow is not installed where wbnb is tested: on it,
``backend_supported()`` is False and the caller says so rather than run untested code.

As wandb's ``WandbCallback`` does (a pass of ``fit`` with an optimizer that records instead of
stepping), the data is cut in batches of 32 (``fit``'s default), each batch's loss is taken in
training mode, and each weight's gradients are summed over the batches. The model is left as it
was: the state a training-mode call moves (batch-norm statistics, dropout's seed) is put back.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any, cast

import keras
import numpy as np

BATCH = 32  # fit's default batch size, the batches wandb's gradient pass uses

SUPPORTED = ("torch", "jax")


def backend_supported() -> bool:
    """Whether gradients can be taken on Keras' active backend."""
    return keras.backend.backend() in SUPPORTED


def check_training_data(data: Any) -> None:
    """Raise ``ValueError`` unless ``data`` is ``(x, y)`` arrays or a ``keras.utils.PyDataset``."""
    if isinstance(data, keras.utils.PyDataset):
        return
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError("training_data must be a tuple (x, y) or a keras.utils.PyDataset of (x, y) batches")


def batches(data: Any) -> Iterator[tuple[Any, Any, Any]]:
    """``(x, y, sample_weight)`` batches of ``data`` (see ``check_training_data``)."""
    if isinstance(data, keras.utils.PyDataset):
        for index in range(len(data)):
            item = data[index]
            yield item[0], item[1], item[2] if len(item) > 2 else None
        return
    x, y = data
    count = len(keras.tree.flatten(x)[0])
    for start in range(0, count, BATCH):
        yield _cut(x, start), _cut(y, start), None


def _cut(data: Any, start: int) -> Any:
    """The batch from ``start`` of each array in ``data`` (an array, list or dict of them)."""
    return keras.tree.map_structure(lambda a: a[start : start + BATCH], data)


def summed_gradients(model: keras.Model, data: Any) -> list[np.ndarray | None]:
    """Per trainable variable of ``model`` (its order), the sum over ``data``'s batches of the
    gradient of the batch's training loss; ``None`` for a variable the loss does not use."""
    one_batch = _torch if keras.backend.backend() == "torch" else _jax
    total: list[np.ndarray | None] = [None] * len(model.trainable_variables)
    saved = [np.array(keras.ops.convert_to_numpy(v.value)) for v in model.non_trainable_variables]
    try:
        for x, y, weight in batches(data):
            for i, grad in enumerate(one_batch(model, x, y, weight)):
                if grad is not None:
                    total[i] = grad if total[i] is None else total[i] + grad
    finally:
        for variable, value in zip(model.non_trainable_variables, saved):
            variable.assign(value)
    return total


def _torch(model: keras.Model, x: Any, y: Any, weight: Any) -> list[np.ndarray | None]:
    import torch

    parameters = [v.value for v in model.trainable_variables]
    with torch.enable_grad():
        y_pred = model(x, training=True)
        loss = model.compute_loss(x=x, y=keras.ops.convert_to_tensor(y), y_pred=y_pred, sample_weight=weight)
        grads = torch.autograd.grad(loss, parameters, allow_unused=True)
    return [None if g is None else g.detach().cpu().numpy() for g in grads]


def _jax(model: keras.Model, x: Any, y: Any, weight: Any) -> list[np.ndarray | None]:
    grad = _jax_gradient.get(model)
    if grad is None:  # one compiled function a model (and a batch shape), not a trace a call
        grad = _jax_gradient[model] = _jax_compile(model)
    values = [[v.value for v in variables] for variables in _jax_state(model)]
    return [np.asarray(g) for g in grad(*values, x, keras.ops.convert_to_tensor(y), weight)]


def _jax_state(model: keras.Model) -> list[list[Any]]:
    return [
        model.trainable_variables,
        model.non_trainable_variables,
        model.metrics_variables,
        model.optimizer.variables,
    ]


def _jax_compile(model: keras.Model) -> Callable[..., Any]:
    import jax

    def loss(trainable: Any, non_trainable: Any, metrics: Any, optimizer: Any, x: Any, y: Any, weight: Any) -> Any:
        # Keras' own stateless loss (the one its JAX train step differentiates), unscaled.
        _, (unscaled, *_) = model.compute_loss_and_updates(
            trainable, non_trainable, metrics, x, y, weight, training=True, optimizer_variables=optimizer
        )
        return unscaled

    return cast("Callable[..., Any]", jax.jit(jax.grad(loss)))


_jax_gradient: weakref.WeakKeyDictionary[keras.Model, Callable[..., Any]] = weakref.WeakKeyDictionary()
