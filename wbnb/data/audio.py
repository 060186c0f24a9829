"""``Audio``: samples encoded as a 16-bit PCM WAV file (standard library ``wave``), or
an audio file stored as it is."""

from __future__ import annotations

import io
import os
import wave
from typing import Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue, warn_once
from wbnb.data.files import describe, is_path, positive_number, read_media_file
from wbnb.data.image import to_numpy

_FILE_TYPES = ("wav", "mp3", "ogg", "flac", "m4a", "aac", "opus")
_ACCEPTED = (
    "a 1-D array of samples or a 2-D (samples, channels) array, floats in -1..1 or integers as 16-bit"
    " samples, with sample_rate=; or the path of a file of type " + ", ".join(_FILE_TYPES)
)
_MAX_RATE = 2**32 - 1  # a WAV header's field


def _check_rate(sample_rate: Any) -> int:
    rate = positive_number(sample_rate)
    if rate is None or not rate.is_integer() or rate > _MAX_RATE:
        raise ValueError(f"Audio sample_rate must be a positive integer (samples per second), got {sample_rate!r}")
    return int(rate)


def _pcm16(data: Any) -> np.ndarray:
    """Check samples (an array, a sequence, a tensor) and return them as int16 (samples, channels)."""
    arr = to_numpy(data)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"Audio got {describe(data)}; accepted: {_ACCEPTED}")
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(f"Audio got an array of shape {arr.shape}; accepted: {_ACCEPTED}")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[1] > arr.shape[0]:
        raise ValueError(
            f"Audio got an array of shape {arr.shape}: {arr.shape[1]} channels of {arr.shape[0]} samples."
            " Arrays are (samples, channels): pass data.T for (channels, samples)"
        )
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            warn_once("audio-nan", "wbnb.Audio: samples that are NaN or infinite are stored as silence (0)")
            arr = np.where(finite, arr, 0.0)
        if arr.min() < -1 or arr.max() > 1:
            warn_once(
                "audio-float-range",
                f"wbnb.Audio: float samples are read as -1..1; got values in {arr.min():g}..{arr.max():g}, which"
                " are clipped. Scale them into -1..1 first (this warning is shown once)",
            )
        return np.rint(np.clip(arr, -1.0, 1.0) * 32767).astype("<i2")
    if arr.dtype != np.int16 and (arr.min() < -32768 or arr.max() > 32767):
        warn_once(
            "audio-int-range",
            f"wbnb.Audio: integer samples are read as 16-bit (-32768..32767); got values in {arr.min()}..{arr.max()},"
            " which are clipped (this warning is shown once)",
        )
    return np.clip(arr, -32768, 32767).astype("<i2")


def _encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.tobytes())  # C order: the channels of each sample together
    return buf.getvalue()


def _wav_info(path: str | os.PathLike[str], data: bytes) -> tuple[int, int, int] | None:
    """(sample_rate, frames, channels) from a WAV header; None for a WAV that ``wave``
    cannot read (float or compressed samples), which is still stored."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"Audio got {str(path)!r}, which has a .wav name but is not a WAV (RIFF/WAVE) file")
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getframerate(), w.getnframes(), w.getnchannels()
    except (wave.Error, EOFError):
        return None


class Audio(WBValue):
    """A sound to log: an array of samples with its ``sample_rate``, or an audio file.

    Arrays are 1-D (mono) or (samples, channels), torch tensors too. Float samples are
    read as -1..1 (values outside are clipped, NaN and inf become silence, each with a
    warning shown once); integers are 16-bit samples. They are stored as a 16-bit PCM
    WAV. Files (.wav, .mp3, .ogg, .flac, .m4a, .aac, .opus) keep their bytes; a WAV's
    header gives the sample rate, duration and channels.
    """

    _type = "audio"

    def __init__(self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None) -> None:
        self.caption = None if caption is None else str(caption)
        rate = None if sample_rate is None else _check_rate(sample_rate)
        self.duration: float | None = None
        self.channels: int | None = None
        if is_path(data_or_path):
            self._bytes, self.format = read_media_file("Audio", data_or_path, _FILE_TYPES)
            info = _wav_info(data_or_path, self._bytes) if self.format == "wav" else None
            if info is not None:
                header_rate, frames, self.channels = info
                if rate is not None and rate != header_rate:
                    raise ValueError(
                        f"Audio got sample_rate={rate} for {str(data_or_path)!r}, whose header says {header_rate}"
                    )
                rate, self.duration = header_rate, frames / header_rate
        else:
            if rate is None:
                raise ValueError(
                    "Audio got an array but no sample_rate; pass the samples per second,"
                    " e.g. wbnb.Audio(samples, sample_rate=16000)"
                )
            samples = _pcm16(data_or_path)
            self._bytes, self.format = _encode_wav(samples, rate), "wav"
            self.channels, self.duration = samples.shape[1], samples.shape[0] / rate
        self.sample_rate = rate

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Store the sound through ``sink`` and return the audio record."""
        return {
            "_type": self._type,
            "path": sink.put(self._bytes, self.format),
            "format": self.format,
            "sample_rate": self.sample_rate,
            "duration": self.duration,
            "channels": self.channels,
            "caption": self.caption or None,
        }
