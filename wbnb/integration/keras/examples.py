"""The ``examples`` images of the classic ``WandbCallback``, drawn as wandb's draws them: by what
the model takes and gives (``input_type`` / ``output_type``: ``image``, ``segmentation_mask``
or ``label``), inputs with the predicted class as caption, or predicted images beside the
targets (and the inputs), segmentation masks coloured one colour a class."""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from typing import Any

import numpy as np

from wbnb.data import Image

from .current import warn

IMAGE_TYPES = ("image", "images", "segmentation_mask")


def guess_data_type(shape: Sequence[int | None], risky: bool = False) -> str | None:
    """wandb's guess from a batch's shape: ``(n,)`` or ``(n, classes)`` a label, ``(n, h, w, 1|3|4)``
    an image, ``(n, h, w, classes)`` a segmentation mask; ``(n, h, w)`` an image when ``risky``
    (it may as well be a sequence)."""
    if len(shape) in (1, 2):
        return "label"
    if risky and len(shape) == 3:
        return "image"
    if len(shape) == 4:
        return "image" if shape[-1] in (1, 3, 4) else "segmentation_mask"
    return None


def class_colors(count: int) -> np.ndarray:
    """wandb's palette: class 0 black, the others fully saturated hues evenly spaced (RGB in 0..1)."""
    hues = [colorsys.hsv_to_rgb(i / max(count - 1, 1), 1.0, 1.0) for i in range(count - 1)]
    return np.array([(0.0, 0.0, 0.0), *hues])


def captions(outputs: np.ndarray, labels: Sequence[str]) -> list[str]:
    """A caption per row of a classifier's outputs: ``labels[argmax]`` (the index when there is
    no such label); for one sigmoid output, ``labels[1]`` above 0.5 else ``labels[0]`` with two
    labels, the value itself otherwise."""
    if outputs.shape[-1] == 1:
        if len(labels) == 2:
            return [labels[int(value > 0.5)] for value in outputs[..., 0].ravel()]
        if labels:
            warn('WandbCallback: the model has one output, so labels should be two: ["False label", "True label"]')
        return [str(value) for value in outputs[..., 0].ravel()]
    classes = outputs.reshape(len(outputs), -1).argmax(axis=1)
    return [labels[c] if c < len(labels) else str(c) for c in classes]


def pixels(masks: np.ndarray, colors: np.ndarray | None) -> np.ndarray:
    """Masks as images: a binary mask (no class axis, or one) as it is, else each pixel in the
    colour of its most likely class (``colors``, wandb's palette by default)."""
    if masks.ndim == 3 or masks.shape[-1] == 1:
        return masks
    palette = colors if colors is not None else class_colors(masks.shape[-1])
    return palette[masks.argmax(axis=-1)]


def examples(
    x: np.ndarray,
    y: np.ndarray,
    predicted: np.ndarray,
    input_type: str | None,
    output_type: str | None,
    labels: Sequence[str],
    colors: np.ndarray | None,
) -> list[Image]:
    """The images wandb logs as ``examples`` for inputs ``x``, targets ``y`` and predictions:
    image in, label out: the inputs captioned with the predicted class; image in, image out:
    input, prediction and target in turn (``grouping=3``); label in, image out, or anything in,
    image out: prediction and target (``grouping=2``, captioned by the input's class for a label
    in); image in, anything else out: the inputs alone."""

    def drawn(data: np.ndarray, kind: str | None) -> np.ndarray:
        return pixels(data, colors) if kind == "segmentation_mask" else data

    outputs_are_images = output_type in IMAGE_TYPES
    if input_type in IMAGE_TYPES:
        if output_type == "label":
            return [Image(image, caption=text) for image, text in zip(x, captions(predicted, labels))]
        if outputs_are_images:
            triples = zip(drawn(x, input_type), drawn(predicted, output_type), drawn(y, output_type))
            return [Image(a, grouping=3 if i == 0 else None) for trio in triples for i, a in enumerate(trio)]
        return [Image(image) for image in x]
    if not outputs_are_images:
        return []
    names: list[Any] = captions(x, labels) if input_type == "label" else [None] * len(x)
    pairs = zip(drawn(predicted, output_type), drawn(y, output_type), names)
    return [
        image for out, ref, name in pairs for image in (Image(out, caption=name, grouping=2), Image(ref, caption=name))
    ]
