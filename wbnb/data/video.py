"""``Video``: frames encoded as an animated GIF off the caller's thread, or a video file
stored as it is.

Encoding a GIF (a palette per frame) takes ~10 ms a frame, too long for ``log()``. The
caller's thread only checks and snapshots the frames (as uint8) and hashes them; the
record names the file after that hash (``MediaSink.put_later``, see ``store/media.py``)
and the ``wbnb-media`` thread writes it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import struct
from typing import Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue
from wbnb.data.files import describe, is_path, positive_number, read_media_file
from wbnb.data.image import _to_uint8, to_numpy

_FILE_TYPES = ("mp4", "webm", "gif", "ogg")
_ACCEPTED = (
    "a uint8 or float array shaped (T, C, H, W) or (B, T, C, H, W) with C in 1, 3 or 4,"
    " or the path of a file of type " + ", ".join(_FILE_TYPES)
)


def _check_fps(fps: Any) -> float:
    number = positive_number(fps)
    if number is None:
        raise ValueError(f"Video fps must be a positive number of frames per second, got {fps!r}")
    return number


def _frames(data: Any) -> np.ndarray:
    """Check frames and return them as a new uint8 array (B, T, C, H, W): the snapshot
    the background encoder reads, whatever the caller does to its array afterwards."""
    arr = to_numpy(data)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Video got {describe(data)}; accepted: {_ACCEPTED}")
    if arr.ndim not in (4, 5) or arr.shape[-3] not in (1, 3, 4) or arr.size == 0:
        raise ValueError(f"Video got an array of shape {arr.shape}; accepted: {_ACCEPTED}")
    frames = np.ascontiguousarray(_to_uint8(arr))  # Image's reading of values, one rule for both
    return frames if frames.ndim == 5 else frames[None]


def _grid(batch: int) -> tuple[int, int]:
    """(rows, columns) of the grid that tiles ``batch`` videos, as wandb lays them out:
    the batch padded to a power of two, about as many rows as columns."""
    padded = 1 << (batch - 1).bit_length()
    rows = 2 ** ((batch.bit_length() - 1) // 2)
    return rows, padded // rows


def _tile(frames: np.ndarray) -> np.ndarray:
    """(B, T, C, H, W) frames as (T, rows * H, columns * W, C), empty cells black."""
    batch, t, c, h, w = frames.shape
    rows, cols = _grid(batch)
    if rows * cols > batch:
        frames = np.concatenate([frames, np.zeros((rows * cols - batch, t, c, h, w), np.uint8)])
    grid = frames.reshape(rows, cols, t, c, h, w).transpose(2, 0, 4, 1, 5, 3)
    return grid.reshape(t, rows * h, cols * w, c)


def _encode_gif(frames: np.ndarray, fps: float) -> bytes:
    """An endlessly looping GIF of (B, T, C, H, W) frames (runs on the media thread).
    Alpha is dropped; identical consecutive frames merge into one longer frame."""
    from PIL import Image as PILImage

    tiled = _tile(frames)
    tiled = tiled[..., 0] if tiled.shape[-1] == 1 else tiled[..., :3]
    images = [PILImage.fromarray(frame) for frame in tiled]
    buf = io.BytesIO()
    images[0].save(
        buf, format="GIF", save_all=True, append_images=images[1:], duration=max(20, round(1000 / fps)), loop=0
    )
    return buf.getvalue()


def _gif_size(path: Any, data: bytes) -> tuple[int, int]:
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10:
        raise ValueError(f"Video got {str(path)!r}, which has a .gif name but is not a GIF file")
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


class Video(WBValue):
    """A video to log: frames as an array (or torch tensor), or a video file.

    Arrays are (T, C, H, W), or (B, T, C, H, W) for B videos tiled into one grid as
    wandb does, with C = 1, 3 or 4 (alpha is dropped). Values are read as ``Image``
    reads pixels: uint8 as they are, floats as 0..1, NaN as 0 (wandb would truncate
    floats to uint8: 0..1 frames came out black). Frames are stored as an animated GIF, the
    format wandb falls back to without moviepy: wbnb ships no mp4 encoder, so
    ``format`` must be ``"gif"`` for arrays (log an .mp4 or .webm file to keep that
    format). Encoding needs Pillow (``pip install 'wbnb[media]'``) and happens on the
    ``wbnb-media`` thread: ``log()`` returns before the file exists, and ``finish()``
    waits for it. Files (.mp4, .webm, .gif, .ogg) keep their bytes.
    """

    _type = "video"

    def __init__(
        self, data_or_path: Any, caption: str | None = None, fps: float = 4, format: str | None = None
    ) -> None:
        self.caption = None if caption is None else str(caption)
        self.fps: float | None = _check_fps(fps)
        fmt = None if format is None else str(format).lower().lstrip(".")
        if fmt is not None and fmt not in _FILE_TYPES:
            raise ValueError(f"Video got format {format!r}; accepted: {list(_FILE_TYPES)}")
        self._bytes: bytes | None = None  # a file's bytes
        self._frames: np.ndarray | None = None  # or checked uint8 frames, encoded on the media thread
        self._key: str | None = None
        self.frames: int | None = None
        self.width: int | None = None
        self.height: int | None = None
        if is_path(data_or_path):
            self._bytes, self.format = read_media_file("Video", data_or_path, _FILE_TYPES)
            if fmt is not None and fmt != self.format:
                raise ValueError(f"Video got format {fmt!r} for {str(data_or_path)!r}, a .{self.format} file")
            self.fps = None  # the file's own
            if self.format == "gif":
                self.width, self.height = _gif_size(data_or_path, self._bytes)
            return
        if fmt not in (None, "gif"):
            raise ValueError(
                f"Video got format {fmt!r} for frames; wbnb encodes frames as GIF only (it ships no {fmt} encoder)."
                f" Pass format='gif' (the default), or log a .{fmt} file"
            )
        if importlib.util.find_spec("PIL") is None:
            raise ImportError("wbnb.Video encodes frames as GIF with Pillow: pip install 'wbnb[media]' (or pillow)")
        self._frames = _frames(data_or_path)
        self.format = "gif"
        batch, self.frames, _, h, w = self._frames.shape
        rows, cols = _grid(batch)
        self.width, self.height = cols * w, rows * h

    def _input_key(self) -> str:
        """The SHA-256 of everything the GIF is made from: the derived file's name."""
        if self._key is None:
            assert self._frames is not None
            digest = hashlib.sha256(f"wbnb.Video gif {self.fps!r} {self._frames.shape}\n".encode())
            digest.update(self._frames.data)
            self._key = digest.hexdigest()
        return self._key

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Return the video record; its file is stored through ``sink`` (frames: later,
        by the media thread)."""
        if self._bytes is not None:
            path = sink.put(self._bytes, self.format)
        else:
            frames, fps = self._frames, self.fps
            assert frames is not None and fps is not None
            path = sink.put_later(self._input_key(), "gif", lambda: _encode_gif(frames, fps))
        return {
            "_type": self._type,
            "path": path,
            "format": self.format,
            "fps": self.fps,
            "frames": self.frames,
            "width": self.width,
            "height": self.height,
            "caption": self.caption or None,
        }
