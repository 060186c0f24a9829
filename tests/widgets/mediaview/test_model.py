"""MediaView's Python half against a real store: the index of audio, video and html, the
answers with files and waveforms, live deltas, the step rule's cases, and the picture."""

from __future__ import annotations

import base64
import io
import json
import re
import wave
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wbnb.widgets.mediaview.steps import step_shown
from wbnb.widgets.mediaview.waveform import peaks

from ..harness import ROOT, record

XSS = "<img src=x onerror=alert(1)>"
HOSTILE_HTML = "<script>alert(1)</script><img src=x onerror=alert(2)><p>Hello <b>world</b> &amp; more</p>"


def _sine(seconds: float = 1.0, rate: int = 8000, amplitude: float = 0.5, hz: float = 220) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * np.sin(2 * np.pi * hz * t)


def _gif_frames(shade: int = 200) -> np.ndarray:
    frames = np.zeros((3, 3, 12, 16), dtype=np.uint8)
    frames[:, 0] = shade  # red
    return frames


def _view(runs: Any, **kw: Any) -> Any:
    from wbnb.widgets import MediaView

    return MediaView(runs, min_interval=3600, **kw)


def _logged_run(tmp_path: Path) -> Any:
    import wbnb

    mp4 = tmp_path / "clip.mp4"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a movie")
    mp3 = tmp_path / "voice.mp3"
    mp3.write_bytes(b"ID3\x03\x00 not really a song")
    run = wbnb.init(project="p", name="media")
    for step in range(3):
        run.log(
            {
                "sound": wbnb.Audio(_sine(amplitude=0.2 + 0.2 * step), sample_rate=8000, caption=f"epoch {step}"),
                "rollout": [wbnb.Video(_gif_frames(), fps=5, caption=XSS), wbnb.Video(str(mp4))],
                "report": wbnb.Html(HOSTILE_HTML),
                "loss": 1.0 / (step + 1),
            },
            step=step,
        )
    run.log({"voice": wbnb.Audio(str(mp3), caption="mp3")}, step=3)
    run.finish()
    return run


def test_the_index_lists_each_key_step_and_medium_without_bytes(store_dir: Any, tmp_path: Path) -> None:
    run = _logged_run(tmp_path)
    w = _view(run, live=False)
    assert w.media_keys == ["report", "rollout", "sound", "voice"]
    assert w.steps("sound") == [0, 1, 2] and w.steps("voice") == [3] and w.steps("loss") == []
    series = {s["key"]: s for s in w._snapshot["series"]}
    assert series["sound"]["items"][1] == [
        {
            "kind": "audio",
            "format": "wav",
            "mime": "audio/wav",
            "caption": "epoch 1",
            "about": "wav · 1.00 s · 8000 Hz · 1 channel",
        }
    ]
    gif, mp4 = series["rollout"]["items"][0]
    assert gif == {
        "kind": "video",
        "format": "gif",
        "mime": "image/gif",
        "caption": XSS,
        "about": "gif · 5 fps · 3 frames · 16×12",
    }
    assert (mp4["mime"], mp4["caption"], mp4["about"]) == ("video/mp4", None, "mp4")
    assert series["report"]["items"][2] == [
        {"kind": "html", "format": "html", "mime": "text/html", "caption": None, "about": "html"}
    ]
    assert series["voice"]["items"][0][0]["mime"] == "audio/mpeg"
    assert series["rollout"]["counts"] == [2, 2, 2] and series["voice"]["counts"] == [1]
    assert "data" not in json.dumps(w._snapshot)  # no file bytes in the trait: a few hundred bytes a medium
    assert len(json.dumps(w._snapshot)) < 3000


def test_answers_carry_the_files_and_a_wav_waveform(store_dir: Any, tmp_path: Path) -> None:
    run = _logged_run(tmp_path)
    w = _view(run, live=False)
    ids = {s["key"]: s["id"] for s in w._snapshot["series"]}
    reply, buffers = w.index.answer(
        {
            "type": "fetch",
            "req": 9,
            "items": [
                {"id": ids["sound"], "step": 2, "index": 0, "columns": 50},
                {"id": ids["rollout"], "step": 1, "index": 1},
                {"id": ids["report"], "step": 0, "index": 0, "columns": 50},  # html: no waveform whatever it asks
                {"id": ids["voice"], "step": 3, "index": 0, "columns": 50},  # mp3: none either
                {"id": ids["sound"], "step": 7, "index": 0},  # no such step
                {"id": 99, "step": 0, "index": 0},  # no such series
                {"bogus": True},
            ],
        }
    )
    assert reply["req"] == 9 and reply["type"] == "media"
    assert [(i["id"], i["step"], i["index"], i["item"]["mime"], i["peaks"]) for i in reply["items"]] == [
        (ids["sound"], 2, 0, "audio/wav", 50),
        (ids["rollout"], 1, 1, "video/mp4", 0),
        (ids["report"], 0, 0, "text/html", 0),
        (ids["voice"], 3, 0, "audio/mpeg", 0),
    ]
    store = run._store
    recs = [w.index.media(0, "sound", 2)[0], w.index.media(0, "rollout", 1)[1], w.index.media(0, "report", 0)[0]]
    assert buffers[0::2][:3] == [store.media(r["path"]) for r in recs]
    assert b"<script>alert(1)</script>" in buffers[4]  # the page as logged: only a sandbox shows it
    wave_ = np.frombuffer(buffers[1], dtype="<f8").reshape(2, 50)
    assert wave_[0].min() == pytest.approx(-0.6, abs=0.01) and wave_[1].max() == pytest.approx(0.6, abs=0.01)
    assert buffers[3] == buffers[5] == buffers[7] == b""
    # the widget answers the page's message with a custom message carrying the buffers
    comm = record(w)
    w._on_request(w, {"type": "fetch", "req": 1, "items": [{"id": ids["rollout"], "step": 0, "index": 0}]}, [])
    ((data, bufs),) = comm.take()
    assert data["content"]["items"][0]["item"]["caption"] == XSS and bufs[0][:6] == b"GIF89a" and bufs[1] == b""


def test_the_snapshot_describes_only_the_newest_steps(store_dir: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import wbnb
    from wbnb.widgets.mediaview import model

    monkeypatch.setattr(model, "DESCRIBED", 2)
    run = wbnb.init(project="p", name="long")
    for step in range(5):
        run.log({"sound": wbnb.Audio(_sine(0.05), sample_rate=8000, caption=f"s{step}")}, step=step)
    run.finish()
    w = _view(run, live=False)
    (series,) = w._snapshot["series"]
    assert series["steps"] == [0, 1, 2, 3, 4] and series["counts"] == [1] * 5
    assert [[i["caption"] for i in items] for items in series["items"]] == [[], [], [], ["s3"], ["s4"]]
    reply, _ = w.index.answer({"type": "fetch", "req": 1, "items": [{"id": series["id"], "step": 0, "index": 0}]})
    assert reply["items"][0]["item"]["caption"] == "s0"  # an old step's medium is described by its reply


def test_a_big_request_stops_short_and_the_first_file_always_goes(
    store_dir: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wbnb.widgets.mediaview import model

    run = _logged_run(tmp_path)
    w = _view(run, live=False)
    sid = next(s["id"] for s in w._snapshot["series"] if s["key"] == "sound")
    monkeypatch.setattr(model, "MAX_ANSWER_BYTES", 10)
    reply, buffers = w.index.answer(
        {"type": "fetch", "req": 1, "items": [{"id": sid, "step": s, "index": 0} for s in range(3)]}
    )
    assert [i["step"] for i in reply["items"]] == [0] and len(buffers[0]) > 10


def test_waveform_is_each_columns_low_and_high_over_every_channel() -> None:
    def wav(samples: np.ndarray, width: int) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as f:
            f.setnchannels(samples.shape[1])
            f.setsampwidth(width)
            f.setframerate(1000)
            f.writeframes(samples.tobytes())
        return buf.getvalue()

    stereo = np.array([[0, -16384], [16384, 0], [-32768, 32767], [8192, 8192]], dtype="<i2")
    assert peaks(wav(stereo, 2), 2).tolist() == [[-0.5, -1.0], [0.5, 32767 / 32768]]
    assert peaks(wav(stereo, 2), 8).shape == (2, 8)  # more columns than samples: each repeats its sample
    eight = np.array([[0], [128], [255]], dtype=np.uint8)  # 8-bit WAVs are unsigned
    assert peaks(wav(eight, 1), 1).tolist() == [[-1.0], [127 / 128]]
    v24 = np.array([-(2**23), 2**22], dtype="<i4")
    raw24 = b"".join(int(v).to_bytes(4, "little", signed=True)[:3] for v in v24)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(3)
        f.setframerate(1000)
        f.writeframes(raw24)
    assert peaks(buf.getvalue(), 1).tolist() == [[-1.0], [0.5]]
    assert peaks(b"ID3 not a wav", 10) is None and peaks(wav(stereo[:0], 2), 10) is None


def test_live_deltas_add_steps_and_a_step_logged_again_replaces(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="live")
    run.log({"sound": wbnb.Audio(_sine(0.1), sample_rate=8000)}, step=0)
    w = _view(run)
    comm = record(w)
    run.log({"sound": wbnb.Audio(_sine(0.2), sample_rate=8000, caption="new")}, step=4)
    run.log({"page": wbnb.Html("<p>x</p>")}, step=4)
    assert w._feed.tick() == "delta"
    ((data, bufs),) = comm.take()
    upd = data["content"]["upd"]
    assert [(u["key"], u["step"], [i["caption"] for i in u["items"]]) for u in upd] == [
        ("sound", 4, ["new"]),
        ("page", 4, [None]),
    ]
    assert bufs == []
    run.log({"sound": wbnb.Audio(_sine(0.3), sample_rate=8000, caption="again")}, step=4)
    assert w._feed.tick() == "delta"
    ((data, _),) = comm.take()
    assert data["content"]["upd"][0]["items"][0]["caption"] == "again"
    assert w.steps("sound") == [0, 4] and w.index.media(0, "sound", 4)[0]["caption"] == "again"
    assert w._feed.tick() is None
    run.finish()


def test_keys_and_runs(store_dir: Any) -> None:
    import wbnb

    runs = []
    for name, steps in (("a", range(3)), ("b", range(1, 5, 2))):
        run = wbnb.init(project="p", name=name, reinit="create_new")
        for s in steps:
            run.log({"val/sound": wbnb.Audio(_sine(0.1), sample_rate=8000), "page": wbnb.Html("<p>x</p>")}, step=s)
        run.finish()
        runs.append(run)
    w = _view(runs, keys="val/*", live=False)
    assert w.media_keys == ["val/sound"]
    assert [s["run"] for s in w._snapshot["series"]] == [0, 1]
    assert [r["name"] for r in w._snapshot["runs"]] == ["a", "b"]
    assert w.steps("val/sound", run=1) == [1, 3]
    w.steps_shown = {"val/sound": 1}  # each run's last by step 1, in the picture as on the page
    svg = w.to_svg()
    assert "a · step 1<" in svg and "b · step 1<" in svg
    w.steps_shown = {"val/sound": 0}
    assert "b · nothing logged by step 0<" in w.to_svg()


CASES = json.loads((ROOT / "tests" / "cases" / "steps.json").read_text())


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["name"])
def test_step_shown_cases(case: dict[str, Any]) -> None:
    assert step_shown(case["steps"], case["chosen"]) == case["expected"]


# -- the picture ---------------------------------------------------------------------------


def _tags(svg: str) -> set[str]:
    return {el.tag.rpartition("}")[2] for el in ET.fromstring(svg).iter()}


def test_picture_draws_waveform_gif_frame_and_html_as_escaped_text(store_dir: Any, tmp_path: Path) -> None:
    run = _logged_run(tmp_path)
    w = _view(run, live=False)
    svg = w.to_svg()
    tags = _tags(svg)  # well-formed SVG
    assert tags <= {"svg", "rect", "text", "g", "path", "image"}, tags
    texts = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "HTML (sandboxed)" in texts and "Hello world & more" in texts
    assert not any("alert" in t for t in texts if t != XSS)  # a script's text is not visible text
    assert XSS in texts and "epoch 2" in texts  # captions as text, the newest step
    assert "no waveform (mp3)" in texts and "video (mp4)" in texts
    assert any(t.startswith("media · step 2") for t in texts)
    paths = ET.fromstring(svg).findall(".//{http://www.w3.org/2000/svg}path")
    assert len(paths) == 1 and paths[0].get("d", "").count("M") == 240  # a column per pixel
    (image,) = ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}image")
    png = base64.b64decode(image.get("{http://www.w3.org/1999/xlink}href", "").partition(",")[2])
    from PIL import Image

    first = Image.open(io.BytesIO(png)).convert("RGB")
    assert first.getpixel((first.width // 2, first.height // 2)) == (200, 0, 0)  # the GIF's first frame
    # the chosen step is drawn: its caption, not the newest's
    w.steps_shown = {"sound": 0}
    assert "epoch 0" in w.to_svg() and "epoch 2" not in w.to_svg()


def test_the_saved_page_holds_no_live_tag_of_logged_html(store_dir: Any) -> None:
    import wbnb
    from wbnb.widgets.pictures.show import picture_bundle

    run = wbnb.init(project="p", name=XSS)
    run.log({XSS: wbnb.Html("<script>alert(1)</script><img src=x onerror=alert(2)>" + XSS + "<p>visible</p>")})
    run.log({"a": wbnb.Audio(_sine(0.1), sample_rate=8000, caption="<script>alert(3)</script>")})
    run.finish()
    w = _view(run, live=False)
    svg = w.to_svg()
    assert not re.search(r"<\s*(script|img|iframe|foreignObject)\b", svg, re.IGNORECASE)
    assert not re.search(r"\son\w+\s*=", re.sub(r">[^<]*<", "><", svg))  # no event attribute on any tag
    assert _tags(svg) <= {"svg", "rect", "text", "g", "path"}
    out = picture_bundle(svg)
    html = out["text/html"]
    # the HTML output is one <img> of the SVG as a data URI: it runs no script, and its SVG is the above
    assert re.findall(r"<\s*(\w+)", html) == ["div", "img"]
    assert base64.b64decode(html.partition("base64,")[2].partition('"')[0]).decode() == svg
