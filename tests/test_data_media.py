"""Audio, Html and Object3D: each logged in a real run, its record read back through
``Api().run(...).history()`` and its stored file checked (WAV samples through ``wave``,
points through ``np.load``, files byte for byte)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage

import wbnb
from wbnb.data import Audio, Html, Object3D, base

Reader = Callable[[str], bytes]


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees the once-per-process data warnings afresh."""
    monkeypatch.setattr(base, "_said", set())


def log_and_read(values: dict[str, Any], steps: int = 1) -> tuple[list[dict[str, Any]], Reader]:
    """Log ``values`` at ``steps`` steps of a new run, finish it, and return the rows as
    ``Api`` reads them back, with a reader of the media files they point to."""
    run = wbnb.init(project="media")
    for _ in range(steps):
        run.log(values)
    run.finish()
    api = wbnb.Api()
    return api.run(f"media/{run.id}").history(pandas=False), api.store.media


def wav_samples(data: bytes) -> tuple[int, int, np.ndarray]:
    """(sample rate, sample width, samples as (frames, channels) int16) of a WAV."""
    with wave.open(io.BytesIO(data)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())
        return w.getframerate(), w.getsampwidth(), samples


def gif_frames(data: bytes) -> list[np.ndarray]:
    with PILImage.open(io.BytesIO(data)) as gif:
        frames = []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
        return frames


def distinct_frames(t: int, c: int = 3, h: int = 8, w: int = 10) -> np.ndarray:
    """(T, C, H, W) uint8 frames, each a different solid colour (GIF merges equal frames)."""
    frames = np.zeros((t, c, h, w), np.uint8)
    for i in range(t):
        frames[i] = (np.arange(c)[:, None, None] * 50 + i * 20) % 256
    return frames


# --- Audio -------------------------------------------------------------------------------


def test_audio_arrays_are_stored_as_16_bit_wav(store_dir: Path) -> None:
    mono = np.sin(np.linspace(0, 20, 800))
    stereo = np.stack([np.arange(400, dtype=np.int16), -np.arange(400, dtype=np.int16)], axis=1)
    rows, media = log_and_read(
        {"mono": Audio(mono, sample_rate=8000, caption="sine"), "stereo": Audio(stereo, sample_rate=44100)}
    )
    record = rows[0]["mono"]
    assert record == {
        "_type": "audio",
        "path": record["path"],
        "format": "wav",
        "sample_rate": 8000,
        "duration": 0.1,
        "channels": 1,
        "caption": "sine",
    }
    rate, width, samples = wav_samples(media(record["path"]))
    assert (rate, width) == (8000, 2)
    np.testing.assert_array_equal(samples[:, 0], np.rint(mono * 32767).astype(np.int16))
    record = rows[0]["stereo"]
    assert (record["channels"], record["sample_rate"]) == (2, 44100)
    rate, _, samples = wav_samples(media(record["path"]))
    np.testing.assert_array_equal(samples, stereo)


def test_audio_clips_out_of_range_and_silences_nan_with_one_warning_each(store_dir: Path) -> None:
    loud = np.array([0.5, 2.0, -3.0, 1.0])
    with pytest.warns(RuntimeWarning, match=r"read as -1\.\.1; got values in -3\.\.2") as caught:
        values = {"a": Audio(loud, sample_rate=4), "b": Audio(loud * 2, sample_rate=4)}
    assert len(caught) == 1
    with pytest.warns(RuntimeWarning, match="NaN or infinite are stored as silence"):
        values["c"] = Audio(np.array([np.nan, 0.5, np.inf, 0.0]), sample_rate=4)
    rows, media = log_and_read(values)
    np.testing.assert_array_equal(wav_samples(media(rows[0]["a"]["path"]))[2][:, 0], [16384, 32767, -32767, 32767])
    np.testing.assert_array_equal(wav_samples(media(rows[0]["c"]["path"]))[2][:, 0], [0, 16384, 0, 0])


def test_audio_files_keep_their_bytes_and_a_wav_says_its_rate(store_dir: Path, tmp_path: Path) -> None:
    wav_path = tmp_path / "voice.wav"
    with wave.open(str(wav_path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(np.zeros((2205, 2), "<i2").tobytes())
    mp3_path = tmp_path / "song.MP3"
    mp3_path.write_bytes(b"ID3\x04\x00fake mp3 frames")
    rows, media = log_and_read({"wav": Audio(wav_path), "mp3": Audio(str(mp3_path), sample_rate=44100)})
    wav, mp3 = rows[0]["wav"], rows[0]["mp3"]
    assert media(wav["path"]) == wav_path.read_bytes() and wav["path"].endswith(".wav")
    assert (wav["sample_rate"], wav["duration"], wav["channels"]) == (22050, 0.1, 2)
    assert media(mp3["path"]) == mp3_path.read_bytes() and mp3["path"].endswith(".mp3")
    assert (mp3["format"], mp3["sample_rate"], mp3["duration"]) == ("mp3", 44100, None)


def test_audio_bad_input_names_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no sample_rate; pass the samples per second"):
        Audio(np.zeros(10))
    for rate in (0, -1, 1.5, "16000", True, float("nan")):
        with pytest.raises(ValueError, match=r"sample_rate must be a positive integer"):
            Audio(np.zeros(10), sample_rate=rate)
    for data in (np.zeros(0), np.zeros((2, 2, 2))):
        with pytest.raises(ValueError, match=r"Audio got an array of shape .*accepted: a 1-D array"):
            Audio(data, sample_rate=8000)
    with pytest.raises(ValueError, match=r"shape \(2, 100\).*pass data.T"):
        Audio(np.zeros((2, 100)), sample_rate=8000)
    for data in (None, {"a": 1}, np.array(["a"]), np.array([True])):
        with pytest.raises(TypeError, match=r"Audio got .*accepted: a 1-D array"):
            Audio(data, sample_rate=8000)
    with pytest.raises(ValueError, match=r"extension 'txt'; accepted file types: \['wav'"):
        Audio(str(tmp_path / "notes.txt"))
    with pytest.raises(ValueError, match=r"not an existing file"):
        Audio(tmp_path / "missing.wav")
    (tmp_path / "fake.wav").write_bytes(b"not a wave file")
    with pytest.raises(ValueError, match=r"not a WAV \(RIFF/WAVE\) file"):
        Audio(tmp_path / "fake.wav")


# --- Html --------------------------------------------------------------------------------


def test_html_strings_files_and_file_objects_are_stored(store_dir: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text("<html><body><p>from a file</p></body></html>")
    rows, media = log_and_read(
        {
            "text": Html("<html><HEAD><title>t</title></HEAD><body><a href='/x'>x</a></body></html>"),
            "raw": Html("<p>no injection</p>", inject=False),
            "file": Html(str(page)),
            "path": Html(page, inject=False),
            "fileobj": Html(io.StringIO("<p>read</p>")),
            "not_a_path": Html("report.html", data_is_not_path=True, inject=False),
        }
    )
    row = rows[0]
    assert row["text"] == {"_type": "html", "path": row["text"]["path"]} and row["text"]["path"].endswith(".html")
    assert media(row["text"]["path"]) == (
        b"<html><HEAD><base target=\"_blank\"><title>t</title></HEAD><body><a href='/x'>x</a></body></html>"
    )
    assert media(row["raw"]["path"]) == b"<p>no injection</p>"
    assert media(row["file"]["path"]) == (
        b'<html><head><base target="_blank"></head><body><p>from a file</p></body></html>'
    )
    assert media(row["path"]["path"]) == page.read_bytes()
    assert media(row["fileobj"]["path"]) == b'<base target="_blank"><p>read</p>'
    assert media(row["not_a_path"]["path"]) == b"report.html"


def test_html_bad_input_names_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"looks like a file name but no such file exists"):
        Html("report.html")
    for data in ("", "  \n", io.BytesIO(b"")):
        with pytest.raises(ValueError, match=r"Html got an empty page"):
            Html(data)
    for data in (None, 42, ["<p>"]):
        with pytest.raises(TypeError, match=r"Html got a .*; accepted: HTML text"):
            Html(data)
    (tmp_path / "page.txt").write_text("<p>")
    with pytest.raises(ValueError, match=r"extension 'txt'; accepted file types: \['html', 'htm'\]"):
        Html(tmp_path / "page.txt")


# --- Object3D ----------------------------------------------------------------------------


def test_point_clouds_are_stored_as_float32_npy(store_dir: Path) -> None:
    rng = np.random.default_rng(3)
    xyz, xyzc = rng.normal(size=(50, 3)), np.hstack([rng.normal(size=(20, 3)), rng.integers(0, 5, (20, 1))])
    xyzrgb = np.hstack([rng.normal(size=(10, 3)), rng.integers(0, 256, (10, 3))])
    rows, media = log_and_read(
        {"xyz": Object3D(xyz, caption="cloud"), "xyzc": Object3D.from_numpy(xyzc), "xyzrgb": Object3D(xyzrgb)}
    )
    row = rows[0]
    assert row["xyz"] == {
        "_type": "object3d",
        "path": row["xyz"]["path"],
        "format": "npy",
        "points": 50,
        "columns": "xyz",
        "caption": "cloud",
    }
    for key, points in (("xyz", xyz), ("xyzc", xyzc), ("xyzrgb", xyzrgb)):
        stored = np.load(io.BytesIO(media(row[key]["path"])), allow_pickle=False)
        assert stored.dtype == np.float32 and row[key]["columns"] == key and row[key]["points"] == len(points)
        np.testing.assert_array_equal(stored, points.astype(np.float32))


def test_points_with_nan_are_dropped_with_one_warning(store_dir: Path) -> None:
    points = np.array([[0, 0, 0], [np.nan, 1, 1], [2, 2, np.inf], [3, 3, 3]], dtype=float)
    with pytest.warns(RuntimeWarning, match="NaN or infinite value .* are dropped") as caught:
        values = {"a": Object3D(points), "b": Object3D(points * 2)}
    assert len(caught) == 1
    rows, media = log_and_read(values)
    assert rows[0]["a"]["points"] == 2
    np.testing.assert_array_equal(np.load(io.BytesIO(media(rows[0]["a"]["path"]))), [[0, 0, 0], [3, 3, 3]])


def test_model_files_keep_their_bytes(store_dir: Path, tmp_path: Path) -> None:
    obj = tmp_path / "cube.obj"
    obj.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    gltf = tmp_path / "scene.gltf"
    gltf.write_text(json.dumps({"asset": {"version": "2.0"}, "buffers": [{"uri": "data:,", "byteLength": 0}]}))
    glb = tmp_path / "scene.glb"
    glb.write_bytes(b"glTF\x02\x00\x00\x00" + bytes(8))
    rows, media = log_and_read(
        {
            "obj": Object3D(obj),
            "gltf": Object3D.from_file(str(gltf)),
            "glb": Object3D(glb),
            "stream": Object3D.from_file(io.StringIO(obj.read_text()), file_type="obj"),
        }
    )
    row = rows[0]
    for key, file in (("obj", obj), ("gltf", gltf), ("glb", glb), ("stream", obj)):
        assert media(row[key]["path"]) == file.read_bytes() and row[key]["format"] == file.suffix[1:]
        assert row[key]["points"] is None


def test_object3d_bad_input_names_what_is_accepted(tmp_path: Path) -> None:
    for data in (np.zeros((4, 5)), np.zeros(3), np.zeros((0, 3)), np.zeros((2, 3, 3))):
        with pytest.raises(ValueError, match=r"Object3D got an array of shape .*accepted: a numeric array"):
            Object3D(data)
    for data in (None, np.array([["a", "b", "c"]]), np.zeros((2, 3), dtype=bool)):
        with pytest.raises(TypeError, match=r"Object3D got .*accepted: a numeric array"):
            Object3D(data)
    (tmp_path / "scene.gltf").write_text(json.dumps({"buffers": [{"uri": "scene.bin", "byteLength": 4}]}))
    with pytest.raises(ValueError, match=r"needs the files \['scene.bin'\] beside it.*export a \.glb"):
        Object3D(tmp_path / "scene.gltf")
    (tmp_path / "bad.glb").write_bytes(b"not binary gltf")
    with pytest.raises(ValueError, match=r"has a \.glb name but is not a binary glTF"):
        Object3D(tmp_path / "bad.glb")
    with pytest.raises(ValueError, match=r"extension 'ply'"):
        Object3D(tmp_path / "cloud.ply")
    with pytest.raises(ValueError, match=r"file_type=None; accepted: \['obj'"):
        Object3D.from_file(io.StringIO("v 0 0 0"))
    with pytest.raises(TypeError, match=r"from_numpy got a str"):
        Object3D.from_numpy("cube.obj")
    with pytest.raises(TypeError, match=r"from_file got an array"):
        Object3D.from_file(np.zeros((3, 3)))


def test_media_types_are_exported_lazily_and_html_needs_no_numpy() -> None:
    code = (
        "import sys, wbnb\n"
        "assert 'numpy' not in sys.modules\n"
        "assert 'wbnb' in repr(wbnb.Html('<p>x</p>')) and 'numpy' not in sys.modules\n"
        "assert [wbnb.Audio, wbnb.Object3D]\n"
        "import wbnb.data as d\n"
        "assert (d.Audio, d.Html, d.Object3D) == (wbnb.Audio, wbnb.Html, wbnb.Object3D)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
