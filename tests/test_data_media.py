"""Audio, Video, Html, Plotly and Object3D (and ``log({"chart": plt})``): each logged in a
real run, its record read back through ``Api().run(...).history()`` and its stored file
checked (WAV samples through ``wave``, GIF frames through Pillow, points through
``np.load``, files byte for byte)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage

import wbnb
from wbnb.data import Audio, Html, Object3D, Plotly, Video, base
from wbnb.data import video as video_module
from wbnb.data.image import _to_uint8
from wbnb.store import local as local_module
from wbnb.store import media as media_module

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


# --- Video -------------------------------------------------------------------------------


def test_video_is_encoded_on_the_media_thread_after_log_returns(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The encoder is held until finish() starts waiting for it: log() returned and the
    row is stored while the file is not there yet, and finish() waited for it."""
    release, threads = threading.Event(), []
    encode, wait_written = video_module._encode_gif, local_module.wait_written

    def held_encode(frames: np.ndarray, fps: float) -> bytes:
        threads.append(threading.current_thread().name)
        assert release.wait(10), "nothing waited for the encoder"
        return encode(frames, fps)

    def finish_waits() -> None:
        release.set()
        wait_written()

    monkeypatch.setattr(video_module, "_encode_gif", held_encode)
    monkeypatch.setattr(local_module, "wait_written", finish_waits)
    frames = distinct_frames(6)
    run = wbnb.init(project="media")
    run.log({"clip": Video(frames, fps=5, caption="walk")})
    frames[:] = 0  # the caller's array may change: the video is a snapshot
    record = wbnb.Api().run(f"media/{run.id}").history(pandas=False)[0]["clip"]
    file = store_dir / record["path"]
    assert not file.exists()  # the row points ahead of its file
    run.finish()
    assert threads == ["wbnb-media"]
    assert record == {
        "_type": "video",
        "path": record["path"],
        "format": "gif",
        "fps": 5.0,
        "frames": 6,
        "width": 10,
        "height": 8,
        "caption": "walk",
    }
    decoded = gif_frames(file.read_bytes())
    assert len(decoded) == 6 and decoded[0].shape == (8, 10, 3)
    np.testing.assert_array_equal(decoded[3], distinct_frames(6)[3].transpose(1, 2, 0))
    with PILImage.open(file) as gif:
        assert gif.info["duration"] == 200 and gif.info["loop"] == 0


@pytest.mark.parametrize(("batch", "grid"), [(3, (1, 4)), (4, (2, 2)), (5, (2, 4))])
def test_video_batches_are_tiled_into_a_grid_as_wandb_does(store_dir: Path, batch: int, grid: tuple[int, int]) -> None:
    h, w = 4, 6
    videos = np.zeros((batch, 3, 3, h, w), np.uint8)
    for b in range(batch):
        for t in range(3):
            videos[b, t] = np.array([40 + b * 40, 60 * t, 200])[:, None, None]
    rows, media = log_and_read({"grid": Video(videos)})
    record = rows[0]["grid"]
    n_rows, n_cols = grid
    assert (record["width"], record["height"], record["frames"]) == (n_cols * w, n_rows * h, 3)
    decoded = gif_frames(media(record["path"]))
    for t, frame in enumerate(decoded):
        for cell in range(n_rows * n_cols):
            r, c = divmod(cell, n_cols)
            want = [40 + cell * 40, 60 * t, 200] if cell < batch else [0, 0, 0]
            assert (frame[r * h : (r + 1) * h, c * w : (c + 1) * w] == want).all(), (t, cell)


def test_video_float_frames_are_read_as_image_reads_pixels(store_dir: Path) -> None:
    unit = distinct_frames(2, c=1).astype(np.float32) / 255  # 0..1
    # Image's reading of pixels, applied to the whole video: one scale for every frame
    wide = np.linspace(-0.5, 300, 2 * 8 * 10).reshape(2, 1, 8, 10)
    with pytest.warns(RuntimeWarning, match="float pixels below 0 are rescaled from their min..max"):
        rows, media = log_and_read({"unit": Video(unit), "wide": Video(wide)})
        expected = _to_uint8(wide)[1, 0]
    row = rows[0]
    np.testing.assert_array_equal(gif_frames(media(row["wide"]["path"]))[1][..., 0], expected)
    decoded = gif_frames(media(row["unit"]["path"]))
    np.testing.assert_array_equal(decoded[1][..., 0], distinct_frames(2, c=1)[1, 0])


def test_the_same_video_is_encoded_and_stored_once(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    encode = video_module._encode_gif
    monkeypatch.setattr(video_module, "_encode_gif", lambda f, fps: calls.append(1) or encode(f, fps))
    frames = distinct_frames(3)
    rows, _ = log_and_read({"v": Video(frames), "again": Video(frames.copy())}, steps=2)
    assert len({row[key]["path"] for row in rows for key in ("v", "again")}) == 1
    assert len(calls) == 1
    assert len(list((store_dir / "media").rglob("*.gif"))) == 1


def test_video_files_keep_their_bytes(store_dir: Path, tmp_path: Path) -> None:
    gif = tmp_path / "clip.gif"
    images = [PILImage.fromarray(f.transpose(1, 2, 0)) for f in distinct_frames(2)]
    images[0].save(gif, save_all=True, append_images=images[1:])
    mp4 = tmp_path / "clip.mp4"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42 fake movie")
    rows, media = log_and_read({"gif": Video(gif), "mp4": Video(str(mp4), format="mp4")})
    assert media(rows[0]["gif"]["path"]) == gif.read_bytes()
    assert (rows[0]["gif"]["width"], rows[0]["gif"]["height"], rows[0]["gif"]["fps"]) == (10, 8, None)
    assert media(rows[0]["mp4"]["path"]) == mp4.read_bytes() and rows[0]["mp4"]["format"] == "mp4"


def test_video_bad_input_names_what_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for data in (np.zeros((3, 8, 8)), np.zeros((2, 2, 8, 8)), np.zeros((0, 3, 8, 8)), np.zeros((1, 2, 3, 4, 5, 6))):
        with pytest.raises(ValueError, match=r"Video got an array of shape .*accepted: a uint8 or float"):
            Video(data)
    for data in (None, np.array([["a"]]), object()):
        with pytest.raises(TypeError, match=r"Video got .*accepted: a uint8 or float"):
            Video(data)
    for fps in (0, -1, "4", float("inf"), True):
        with pytest.raises(ValueError, match=r"fps must be a positive number"):
            Video(distinct_frames(2), fps=fps)
    with pytest.raises(ValueError, match=r"encodes frames as GIF only .* log a \.mp4 file"):
        Video(distinct_frames(2), format="mp4")
    with pytest.raises(ValueError, match=r"format 'avi'; accepted: \['mp4'"):
        Video(distinct_frames(2), format="avi")
    (tmp_path / "a.webm").write_bytes(b"\x1a\x45\xdf\xa3 fake")
    with pytest.raises(ValueError, match=r"format 'mp4' for .*a.webm', a \.webm file"):
        Video(tmp_path / "a.webm", format="mp4")
    (tmp_path / "a.gif").write_bytes(b"not a gif at all")
    with pytest.raises(ValueError, match=r"has a \.gif name but is not a GIF"):
        Video(tmp_path / "a.gif")
    with pytest.raises(ValueError, match=r"extension 'avi'"):
        Video(tmp_path / "a.avi")
    real_find_spec = video_module.importlib.util.find_spec
    monkeypatch.setattr(
        video_module.importlib.util, "find_spec", lambda name: None if name == "PIL" else real_find_spec(name)
    )
    with pytest.raises(ImportError, match=r"pip install 'wbnb\[media\]'"):
        Video(distinct_frames(2))


def test_a_video_that_cannot_be_encoded_is_reported_and_the_run_goes_on(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(frames: np.ndarray, fps: float) -> bytes:
        raise RuntimeError("encoder broke")

    monkeypatch.setattr(video_module, "_encode_gif", broken)
    run = wbnb.init(project="media")
    with pytest.warns(RuntimeWarning, match=r"cannot write media files .*encoder broke"):
        run.log({"v": Video(distinct_frames(2)), "loss": 0.5})
        media_module.wait_written()
    run.log({"loss": 0.25})
    run.finish()
    assert "1 media files could not be saved" in capsys.readouterr().err
    rows = wbnb.Api().run(f"media/{run.id}").history(pandas=False)
    assert [row["loss"] for row in rows] == [0.5, 0.25]
    assert not (store_dir / rows[0]["v"]["path"]).exists()


def test_put_later_waits_while_too_many_files_wait_to_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loop that logs videos faster than they are encoded is slowed down, not left to
    fill memory with frames: past MAX_PENDING, put_later waits for the oldest."""
    monkeypatch.setattr(media_module, "MAX_PENDING", 1)
    store = media_module.MediaStore(tmp_path)
    release, returned, first_written = threading.Event(), threading.Event(), []

    def held() -> bytes:
        assert release.wait(30), "the test never released the first file"
        return b"first"

    first = store.put_later("a" * 64, "gif", held)

    def second() -> None:
        store.put_later("b" * 64, "gif", lambda: b"second")
        first_written.append((tmp_path / first).exists())
        returned.set()

    threading.Thread(target=second, name="second").start()
    assert not returned.wait(0.5)  # the first is still held: the second waits for it
    release.set()
    assert returned.wait(30) and first_written == [True]
    media_module.wait_written()
    assert (tmp_path / first).read_bytes() == b"first"
    assert (tmp_path / media_module.derived_path("b" * 64, "gif")).read_bytes() == b"second"


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


# --- Plotly ------------------------------------------------------------------------------


class StandIn:
    """What wbnb uses of a plotly Figure: ``to_plotly_json()``, a fresh dict each call."""

    def __init__(self, n: int) -> None:
        self.data = {"x": np.arange(n), "y": np.arange(n) * 0.5}

    def to_plotly_json(self) -> dict[str, Any]:
        trace = {"type": "scatter", "x": self.data["x"].copy(), "y": self.data["y"].copy()}
        return {"data": [trace], "layout": {"title": {"text": "stand-in"}, "nan": float("nan")}}


class JsonOnly:
    def to_json(self) -> str:
        return '{"data": [], "layout": {"title": "json only"}}'


def test_plotly_figures_are_stored_as_their_json(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import plotly.graph_objects as go

    threads = []
    encode = Plotly._encode
    monkeypatch.setattr(Plotly, "_encode", lambda self: threads.append(threading.current_thread().name) or encode(self))
    fig = go.Figure(go.Scatter(x=np.arange(50), y=np.arange(50) ** 2))
    expected = fig.to_json().encode()
    run = wbnb.init(project="media")
    run.log({"fig": fig, "wrapped": Plotly(StandIn(4)), "json": Plotly(JsonOnly())})
    fig.update_layout(title="changed after log")  # the logged figure is a snapshot
    run.finish()
    row = wbnb.Api().run(f"media/{run.id}").history(pandas=False)[0]
    media = wbnb.Api().store.media
    assert row["fig"] == {"_type": "plotly", "path": row["fig"]["path"]} and row["fig"]["path"].endswith(".json")
    assert media(row["fig"]["path"]) == expected
    assert json.loads(media(row["wrapped"]["path"])) == {
        "data": [{"type": "scatter", "x": [0, 1, 2, 3], "y": [0.0, 0.5, 1.0, 1.5]}],
        "layout": {"title": {"text": "stand-in"}, "nan": None},
    }
    assert media(row["json"]["path"]) == JsonOnly().to_json().encode()
    assert threads == ["wbnb-media", "wbnb-media"]  # the two snapshots; to_json() texts are stored as given


def test_plotly_bad_input_names_what_is_accepted() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    with pytest.raises(TypeError, match=r"Plotly got a matplotlib figure; log it directly"):
        Plotly(fig)
    plt.close(fig)
    with pytest.raises(TypeError, match=r"Plotly got a dict; accepted: a plotly figure"):
        Plotly({"data": []})

    class ListFigure:
        def to_plotly_json(self) -> list[int]:
            return [1]

    with pytest.raises(TypeError, match=r"to_plotly_json\(\) returned a list, not a dict"):
        Plotly(ListFigure())


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


# --- conversions in log() ----------------------------------------------------------------


def test_logging_the_pyplot_module_stores_the_current_figure(store_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2, 1), dpi=40)
    plt.plot([0, 1], [1, 0])
    try:
        rows, media = log_and_read({"chart": plt})
    finally:
        plt.close(fig)
    record = rows[0]["chart"]
    assert (record["_type"], record["format"], record["width"], record["height"]) == ("image", "png", 80, 40)
    assert PILImage.open(io.BytesIO(media(record["path"]))).size == (80, 40)


def test_media_types_are_exported_lazily_and_html_needs_no_numpy() -> None:
    code = (
        "import sys, wbnb\n"
        "assert 'numpy' not in sys.modules\n"
        "assert 'wbnb' in repr(wbnb.Html('<p>x</p>')) and 'numpy' not in sys.modules\n"
        "assert [wbnb.Audio, wbnb.Video, wbnb.Plotly, wbnb.Object3D]\n"
        "import wbnb.data as d\n"
        "assert (d.Audio, d.Video, d.Html, d.Plotly, d.Object3D) == (wbnb.Audio, wbnb.Video, wbnb.Html,"
        " wbnb.Plotly, wbnb.Object3D)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
