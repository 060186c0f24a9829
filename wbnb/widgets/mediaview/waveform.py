"""A sound's waveform as the MediaView draws it: the lowest and highest sample of each
pixel column, over every channel. Python alone computes it (the page and the picture only
draw the columns), from a WAV that the standard library's ``wave`` reads (PCM, 8 to 32
bits); other formats have none."""

from __future__ import annotations

import io
import wave

import numpy as np

from .contract import MAX_COLUMNS

_SCALE = {1: 128.0, 2: 32768.0, 3: 8388608.0, 4: 2147483648.0}  # full scale per sample width


def _samples(data: bytes) -> np.ndarray | None:
    """Every sample of a PCM WAV as floats in -1..1, (frames, channels); None when
    ``wave`` cannot read it (not a WAV, float or compressed samples, a bad header)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            width, channels = w.getsampwidth(), w.getnchannels()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError, ValueError):
        return None
    if width not in _SCALE or channels < 1:
        return None
    if width == 1:  # unsigned 8-bit
        values = np.frombuffer(raw, np.uint8).astype(np.float64) - 128.0
    elif width == 3:  # 24-bit little-endian: sign-extend into int32
        b = np.frombuffer(raw[: len(raw) // 3 * 3], np.uint8).reshape(-1, 3).astype(np.int32)
        values = ((b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8).astype(np.float64)
    else:
        values = np.frombuffer(raw[: len(raw) // width * width], f"<i{width}").astype(np.float64)
    frames = len(values) // channels
    return (values[: frames * channels] / _SCALE[width]).reshape(frames, channels)


def peaks(data: bytes, columns: int) -> np.ndarray | None:
    """The waveform of WAV bytes in ``columns`` pixel columns (1..``MAX_COLUMNS``): a
    (2, columns) float64 array, each column's lowest sample then its highest (a column
    narrower than a sample repeats its sample); None without a readable WAV or samples."""
    samples = _samples(data)
    if samples is None or not len(samples):
        return None
    columns = max(1, min(MAX_COLUMNS, int(columns)))
    starts = np.arange(columns, dtype=np.int64) * len(samples) // columns
    return np.stack(
        [np.minimum.reduceat(samples.min(axis=1), starts), np.maximum.reduceat(samples.max(axis=1), starts)]
    )
