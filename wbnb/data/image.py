"""``Image``: pixels, a file or a matplotlib figure, stored as one media file per image.

Also home to the small coercion helpers the other value types share: ``to_numpy``
(numpy arrays, sequences and torch tensors without importing torch) and ``to_plain``
(numpy scalars and arrays to JSON-able Python values).
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue, warn_once
from wbnb.data.png import encode_png, png_size

_FILE_TYPES = ("png", "jpg", "jpeg", "gif", "bmp", "webp", "svg")
# Encodings for pixel data other than PNG go through Pillow, imported only when asked for.
_PILLOW_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "bmp": "BMP", "webp": "WEBP"}
_MODE_CHANNELS = {"L": 1, "RGB": 3, "RGBA": 4}
_ACCEPTED_ARRAYS = "a bool, integer or float array shaped (H, W), (H, W, C) or (C, H, W) with C in 1, 3 or 4"


def is_torch_tensor(obj: Any) -> bool:
    """Return True for a torch tensor, without importing torch."""
    return type(obj).__module__.startswith("torch") and hasattr(obj, "detach")


def to_numpy(value: Any) -> np.ndarray:
    """Return ``value`` (an array, a sequence or a torch tensor) as a numpy array;
    bfloat16 / float16 / float8 tensors come as float32 (numpy has no bfloat16)."""
    if is_torch_tensor(value):
        tensor = value.detach().cpu()
        if tensor.is_floating_point() and tensor.element_size() < 4:
            tensor = tensor.float()
        return tensor.numpy()
    return np.asarray(value)


def to_plain(value: Any, sink: MediaSink | None = None) -> Any:
    """Return ``value`` as plain JSON types (NaN and inf become None).

    Nested ``WBValue``s become their records when a ``sink`` is given and are kept
    as they are otherwise, so this also checks values that are serialised later.
    """
    if isinstance(value, WBValue):
        return value if sink is None else value.to_json(sink)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (np.generic, np.ndarray)):
        return to_plain(value.tolist(), sink)
    if isinstance(value, (list, tuple)):
        return [to_plain(v, sink) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v, sink) for k, v in value.items()}
    if hasattr(value, "isoformat"):  # datetime, date, pandas Timestamp
        return None if value != value else value.isoformat()  # pandas' NaT (a missing time) is unequal to itself
    raise TypeError(
        f"cannot store a value of type {type(value).__name__}; accepted: numbers, strings, bools,"
        " None, datetimes, wbnb values (Image, ...) and lists/dicts/arrays of these"
    )


def is_matplotlib_figure(obj: Any) -> bool:
    """Return True for a matplotlib figure (or the pyplot module), without importing matplotlib."""
    if getattr(obj, "__name__", None) == "matplotlib.pyplot":
        return True
    return hasattr(obj, "savefig") and type(obj).__module__.startswith("matplotlib")


def _is_pil_image(obj: Any) -> bool:
    return type(obj).__module__.startswith("PIL") and hasattr(obj, "convert")


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    """Return a new uint8 array. Bools are 0 / 255, uint16 is scaled from 0..65535, other
    integers are clipped to 0..255. Floats are read as wandb reads them: 0..1, but
    rescaled from their min..max when some are negative, and read as 0..255 when some
    exceed 1 (each said once); NaN is 0, +inf the top."""
    if arr.dtype.kind == "b":
        return arr.astype(np.uint8) * 255
    if arr.dtype == np.uint16:
        return ((arr.astype(np.uint32) + 128) // 257).astype(np.uint8)  # 65535 -> 255, rounded
    if arr.dtype.kind != "f":
        return np.clip(arr, 0, 255).astype(np.uint8)
    with np.errstate(over="ignore", invalid="ignore"):
        arr = arr.astype(np.float64)
        finite = arr[np.isfinite(arr)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
        if lo < 0:
            warn_once(
                "image-negative",
                "wbnb.Image: float pixels below 0 are rescaled from their min..max to 0..1, as wandb does; pass "
                "values in 0..1 to have them read as they are. (Said once.)",
            )
            arr = (arr - lo) / (hi - lo) if hi > lo else np.where(np.isfinite(arr), 0.0, arr)
            hi = 1.0
        if hi > 1:
            warn_once(
                "image-255",
                "wbnb.Image: float pixels above 1 are read as 0..255, as wandb does, not as 0..1 (clipped to "
                "white); divide by 255 to silence this. (Said once.)",
            )
        else:
            arr = arr * 255
        arr = np.nan_to_num(arr, nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)


def _pixel_array(arr: np.ndarray, channels_first: bool) -> np.ndarray:
    """Check an image array and return it as uint8 (H, W) or (H, W, 3|4)."""
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"Image got an array of dtype {arr.dtype} with shape {arr.shape}; accepted: {_ACCEPTED_ARRAYS}"
        )
    # (C, H, W) is taken as channels-first when the last axis cannot be a channel axis
    # (torch tensors always are channels-first).
    if arr.ndim == 3 and arr.shape[0] in (1, 3, 4) and (channels_first or arr.shape[-1] not in (1, 3, 4)):
        arr = arr.transpose(1, 2, 0)
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (1, 3, 4))) or arr.size == 0:
        raise ValueError(f"Image got an array of shape {arr.shape} (dtype {arr.dtype}); accepted: {_ACCEPTED_ARRAYS}")
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    return _to_uint8(arr)


def _pil_pixels(img: Any, mode: str | None) -> np.ndarray:
    """Return a PIL image's pixels, converted to ``mode`` or to the nearest of L/RGB/RGBA."""
    if mode is None:
        bands = img.getbands()
        if img.mode in _MODE_CHANNELS:
            mode = img.mode
        elif "A" in bands or "transparency" in img.info:
            mode = "RGBA"
        elif len(bands) == 1 and img.mode != "P":  # 1-bit, 16-bit and float greys
            mode = "L"
        else:
            mode = "RGB"
    return np.array(img if img.mode == mode else img.convert(mode), dtype=np.uint8)


def _encode_pixels(pixels: np.ndarray, file_type: str) -> bytes:
    """Encode uint8 pixels as PNG ourselves, or in another format through Pillow."""
    if file_type == "png":
        return encode_png(pixels)
    from PIL import Image as PILImage

    img = PILImage.fromarray(pixels)
    if _PILLOW_FORMATS[file_type] == "JPEG" and img.mode == "RGBA":
        img = img.convert("RGB")  # JPEG has no alpha channel
    buf = io.BytesIO()
    img.save(buf, format=_PILLOW_FORMATS[file_type])
    return buf.getvalue()


def _read_image_file(path: Path) -> tuple[bytes, str, tuple[int, int] | None]:
    """Return a file's bytes, its extension (the stored format) and its (width, height) if known."""
    ext = path.suffix.lower().lstrip(".")
    if ext not in _FILE_TYPES:
        raise ValueError(
            f"Image got the file {str(path)!r} with extension {ext!r}; accepted file types: {list(_FILE_TYPES)}"
        )
    if not path.is_file():
        raise ValueError(f"Image got the path {str(path)!r}, which is not an existing file")
    data = path.read_bytes()
    return data, ext, _file_size(data, ext, path)


def _file_size(data: bytes, ext: str, path: Path) -> tuple[int, int] | None:
    """Return (width, height) of an image file, or None when it cannot be known without Pillow."""
    if ext == "svg":
        return None
    if ext == "png":
        size = png_size(data)
        if size is None:
            raise ValueError(f"Image got {str(path)!r}, which has a .png name but is not a PNG file")
        return size
    try:
        from PIL import Image as PILImage
    except ImportError:  # Pillow is optional: the file is still stored, only its size is unknown
        return None
    try:
        with PILImage.open(io.BytesIO(data)) as img:
            return img.size
    except Exception as exc:
        raise ValueError(f"Image got {str(path)!r}, which Pillow cannot read as an image: {exc}") from None


def _check_masks(masks: Any, size: tuple[int, int] | None) -> dict[str, dict[str, Any]]:
    """Validate wandb-style masks and return {name: {"pixels": uint8 array, "class_labels": ...}}."""
    if not isinstance(masks, dict):
        raise ValueError(
            "Image masks must be a dict of {name: {'mask_data': ..., 'class_labels': ...}},"
            f" got {type(masks).__name__}"
        )
    checked = {}
    for name, mask in masks.items():
        if not isinstance(mask, dict) or "mask_data" not in mask:
            raise ValueError(f"Image masks[{name!r}] must be a dict with a 'mask_data' array, got {mask!r:.80}")
        data = to_numpy(mask["mask_data"])
        if data.ndim != 2 or data.dtype.kind not in "biu" or data.size == 0:
            raise ValueError(
                f"Image masks[{name!r}]['mask_data'] has shape {data.shape} and dtype {data.dtype};"
                " accepted: a 2-D integer or bool array of class ids"
            )
        if data.min() < 0 or data.max() > 255:
            raise ValueError(
                f"Image masks[{name!r}]['mask_data'] holds values {data.min()}..{data.max()}; class ids must be 0..255"
            )
        if size is not None and data.shape != (size[1], size[0]):
            raise ValueError(
                f"Image masks[{name!r}]['mask_data'] has shape {data.shape}"
                f" but the image is (H, W) = {(size[1], size[0])}"
            )
        checked[str(name)] = {"pixels": data.astype(np.uint8), "class_labels": _class_labels(mask.get("class_labels"))}
    return checked


def _class_labels(labels: Any) -> dict[str, str]:
    """Return class labels as {"<int id>": "name"}."""
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise ValueError(f"class_labels must be a dict of {{int id: name}}, got {type(labels).__name__}")
    return {str(int(k)): str(v) for k, v in labels.items()}


def _check_boxes(boxes: Any) -> dict[str, dict[str, Any]]:
    """Validate wandb-style bounding boxes and return them as plain JSON."""
    if not isinstance(boxes, dict):
        raise ValueError(
            "Image boxes must be a dict of {name: {'box_data': [...], 'class_labels': ...}},"
            f" got {type(boxes).__name__}"
        )
    checked = {}
    for name, group in boxes.items():
        if not isinstance(group, dict) or not isinstance(group.get("box_data"), (list, tuple)):
            raise ValueError(f"Image boxes[{name!r}] must be a dict with a 'box_data' list, got {group!r:.80}")
        for i, box in enumerate(group["box_data"]):
            position = box.get("position") if isinstance(box, dict) else None
            keys = set(position) if isinstance(position, dict) else set()
            if not ({"minX", "maxX", "minY", "maxY"} <= keys or {"middle", "width", "height"} <= keys):
                raise ValueError(
                    f"Image boxes[{name!r}]['box_data'][{i}] has position {position!r}; accepted: a dict with"
                    " minX, maxX, minY, maxY or with middle ([x, y]), width, height"
                )
        checked[str(name)] = {
            "box_data": to_plain(list(group["box_data"])),
            "class_labels": _class_labels(group.get("class_labels")),
        }
    return checked


class Classes:
    """wandb's class set for an Image's masks and boxes: ``Classes([{"id": 1, "name": "cat"}, ...])``,
    passed as ``Image(..., classes=)`` (where a plain list of those dicts does as well)."""

    def __init__(self, class_set: list[dict[str, Any]]) -> None:
        if not isinstance(class_set, (list, tuple)) or not all(isinstance(c, dict) and "id" in c for c in class_set):
            raise ValueError(f"Classes takes a list of dicts with an 'id' (and a 'name'), got {class_set!r:.80}")
        self.class_set = list(class_set)


class Image(WBValue):
    """An image to log: an array, a torch tensor, a PIL image, a matplotlib figure or a file path.

    Arrays are checked and copied here and encoded when logged. ``mode`` (L, RGB or RGBA)
    converts PIL images and must match an array's channels; ``file_type`` picks the
    encoding of pixel data (png by default; others need Pillow). Files keep their bytes.
    """

    _type = "image"

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: str | None = None,
        grouping: int | None = None,
        classes: Classes | list[dict[str, Any]] | None = None,
        boxes: dict[str, dict[str, Any]] | None = None,
        masks: dict[str, dict[str, Any]] | None = None,
        file_type: str | None = None,
    ) -> None:
        if mode is not None and mode not in _MODE_CHANNELS:
            raise ValueError(f"Image got mode {mode!r}; accepted modes: {list(_MODE_CHANNELS)}")
        file_type = (file_type or "png").lower().lstrip(".")
        if file_type != "png" and file_type not in _PILLOW_FORMATS:
            raise ValueError(f"Image got file_type {file_type!r}; accepted: {['png', *_PILLOW_FORMATS]}")
        self.caption = None if caption is None else str(caption)
        self.grouping = grouping
        if isinstance(classes, Classes):
            classes = classes.class_set
        self.classes = None if classes is None else to_plain(classes)
        self._pixels: np.ndarray | None = None  # checked uint8 pixels, encoded by the first to_json
        self._bytes: bytes | None = None  # the encoded file
        self.format = file_type
        self.size: tuple[int, int] | None  # (width, height)

        if isinstance(data_or_path, (str, os.PathLike)):
            self._bytes, self.format, self.size = _read_image_file(Path(data_or_path))
        elif is_matplotlib_figure(data_or_path):
            # Render now: the figure may be changed or closed before the value is logged.
            buf = io.BytesIO()
            data_or_path.savefig(buf, format="png")
            self._bytes, self.format = buf.getvalue(), "png"
            self.size = png_size(self._bytes)
        else:
            if _is_pil_image(data_or_path):
                pixels = _pil_pixels(data_or_path, mode)
            else:
                pixels = _pixel_array(to_numpy(data_or_path), channels_first=is_torch_tensor(data_or_path))
                channels = 1 if pixels.ndim == 2 else pixels.shape[2]
                if mode is not None and _MODE_CHANNELS[mode] != channels:
                    raise ValueError(
                        f"Image got mode {mode!r} for an array with {channels} channel(s);"
                        f" {mode} needs {_MODE_CHANNELS[mode]}"
                    )
            self._pixels = pixels
            self.size = (pixels.shape[1], pixels.shape[0])
        self._masks = {} if masks is None else _check_masks(masks, self.size)
        self._boxes = {} if boxes is None else _check_boxes(boxes)

    def _encode(self) -> bytes:
        # Encode once and keep the (usually smaller) file bytes for later logs of this value.
        if self._bytes is None:
            assert self._pixels is not None
            self._bytes = _encode_pixels(self._pixels, self.format)
            self._pixels = None
        return self._bytes

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Store the image (and its masks) through ``sink`` and return the image record."""
        width, height = self.size or (None, None)
        record: dict[str, Any] = {
            "_type": self._type,
            "path": sink.put(self._encode(), self.format),
            "format": self.format,
            "width": width,
            "height": height,
            "caption": self.caption or None,
        }
        if self.grouping is not None:
            record["grouping"] = to_plain(self.grouping)
        if self.classes is not None:
            record["classes"] = self.classes
        if self._masks:
            record["masks"] = {
                name: {"path": sink.put(encode_png(m["pixels"]), "png"), "class_labels": m["class_labels"]}
                for name, m in self._masks.items()
            }
        if self._boxes:
            record["boxes"] = self._boxes
        return record
