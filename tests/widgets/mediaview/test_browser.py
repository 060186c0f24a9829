"""MediaView in Chromium (tests/widgets/harness.py): the audio player gets its file once
visible and plays it, the waveform is drawn, video bytes travel only once the cell is
visible, the step slider, runs side by side, ``ViewOptions.keys``, user strings as text,
and THE SANDBOX: logged Html's scripts run in an opaque origin and reach nothing of the page."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Harness, fresh_bundle, record

XSS = "<img src=x onerror=alert(1)>"


def _sine(seconds: float = 1.0, rate: int = 8000) -> np.ndarray:
    return 0.5 * np.sin(2 * np.pi * 220 * np.arange(int(seconds * rate)) / rate)


def _view(runs: Any, **kw: Any) -> Any:
    from wbnb.widgets import MediaView

    return MediaView(runs, min_interval=3600, **kw)


def _mount(h: Harness, w: Any, keys: list[str] | None = None, width: int | None = None) -> Any:
    """Mount ``w``'s view (``keys``: its ViewOptions, as the run panel mounts one per key;
    ``width``: of the element it is given); the comm records what Python sends."""
    fresh_bundle("mediaview")
    comm = record(w)
    h.add_model(w)
    h.page.evaluate(
        """async ([id, url, keys, width]) => {
        const mod = await import(url);
        const el = document.createElement("div");
        if (width) el.style.width = width + "px";
        document.getElementById("out").appendChild(el);
        const view = new mod.View(el, window.wbnb.models[id], undefined, keys ? { keys } : undefined);
        await view.ready;
        window.wbnb.cleanup = () => view.destroy();
    }""",
        [w.model_id, f"{h.base}/mediaview.js", keys, width],
    )
    return comm


def _sent(h: Harness, w: Any) -> list[dict[str, Any]]:
    return h.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent.splice(0)")


def _asked(h: Harness, w: Any, comm: Any) -> int:
    """Wait for the page's fetch, then answer what it asked; returns how many requests."""
    h.page.wait_for_function(f"() => window.wbnb.models['{w.model_id}'].sent.length === 1")
    return _pump(h, w, comm)


def _pump(h: Harness, w: Any, comm: Any, sent: list[dict[str, Any]] | None = None) -> int:
    """Answer the page's fetch requests the way the kernel would; returns how many."""
    sent = _sent(h, w) if sent is None else sent
    for content in sent:
        w._on_request(w, content, [])
    h.deliver(w, comm.take())
    return len(sent)


def _frames(h: Harness) -> None:
    """Two animation frames and a task: what an IntersectionObserver needs to report."""
    h.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r))))")


def test_audio_gets_a_playable_blob_once_visible_and_its_waveform_is_drawn(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name=XSS)
    for step in range(3):
        run.log({"speech": wbnb.Audio(_sine(1.0 + step), sample_rate=8000, caption=f"{XSS} {step}")}, step=step)
    run.finish()
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    w = _view(run)
    comm = _mount(harness, w)
    page = harness.page
    page.wait_for_function(f"() => window.wbnb.models['{w.model_id}'].sent.length === 1")
    (request,) = _sent(harness, w)
    assert [(i["step"], i["index"]) for i in request["items"]] == [(2, 0)]  # the newest step only
    assert request["items"][0]["columns"] > 100  # the waveform's pixel columns, the cell's width
    _pump(harness, w, comm, [request])
    page.wait_for_function("() => document.querySelector('.wbnb-mediaview audio').src.startsWith('blob:')")
    page.wait_for_function("() => Number.isFinite(document.querySelector('.wbnb-mediaview audio').duration)")
    assert abs(page.evaluate("() => document.querySelector('.wbnb-mediaview audio').duration") - 3.0) < 0.01
    drawn = page.evaluate(
        """() => { const c = document.querySelector('.wbnb-mediaview canvas.wbnb-wave');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [n, c.width * c.height]; }"""
    )
    assert 0.2 * drawn[1] < drawn[0] < drawn[1]  # a sine at half scale fills about half the canvas
    # user strings are text
    assert page.locator(".wbnb-mediaview figcaption").inner_text() == f"{XSS} 2"
    assert page.locator(".wbnb-run-title").inner_text().startswith(XSS)
    assert page.locator(".wbnb-mediaview img").count() == 0
    assert "wav · 3.00 s · 8000 Hz · 1 channel" in page.locator(".wbnb-about").inner_text()
    harness.screenshot("mediaview-audio")
    # the slider: step 0's sound is asked for and shown; the choice is a saved trait
    page.locator(".wbnb-step-slider").fill("0")
    assert _asked(harness, w, comm) == 1
    page.wait_for_function("() => document.querySelector('.wbnb-mediaview figcaption').textContent.endsWith(' 0')")
    page.wait_for_function("() => Number.isFinite(document.querySelector('.wbnb-mediaview audio').duration)")
    assert abs(page.evaluate("() => document.querySelector('.wbnb-mediaview audio').duration") - 1.0) < 0.01
    model = f"window.wbnb.models['{w.model_id}']"
    assert page.evaluate(f"() => [{model}.get('steps_shown'), {model}.saved > 0]") == [{"speech": 0}, True]
    assert "step 0" in page.locator(".wbnb-note").inner_text()
    harness.settle()
    assert page.evaluate("() => window.__xss") is False
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_an_old_step_the_snapshot_does_not_describe_comes_with_its_file(
    store_dir: Any, harness: Harness, monkeypatch: Any
) -> None:
    import wbnb
    from wbnb.widgets.mediaview import model

    monkeypatch.setattr(model, "DESCRIBED", 1)
    run = wbnb.init(project="p", name="long")
    run.log({"page": wbnb.Html("<p>old page</p>")}, step=0)
    run.log({"page": wbnb.Audio(_sine(0.5), sample_rate=8000, caption="newest")}, step=1)
    run.finish()
    w = _view(run)
    comm = _mount(harness, w)
    page = harness.page
    _asked(harness, w, comm)
    page.locator(".wbnb-step-slider").fill("0")
    page.wait_for_selector(".wbnb-mediaview .wbnb-pending")  # kind unknown until its file comes
    assert _asked(harness, w, comm) == 1
    frame = page.locator(".wbnb-mediaview iframe")
    frame.wait_for()
    assert frame.get_attribute("sandbox") == "allow-scripts" and "old page" in (frame.get_attribute("srcdoc") or "")
    assert page.locator(".wbnb-mediaview .wbnb-pending").count() == 0
    # back to the newest and again to the old one: drawn at once now that the page knows it
    page.locator(".wbnb-step-slider").fill("1")
    page.wait_for_selector(".wbnb-mediaview audio")
    page.locator(".wbnb-step-slider").fill("0")
    page.wait_for_selector(".wbnb-mediaview .wbnb-html")
    assert page.locator(".wbnb-mediaview .wbnb-pending").count() == 0
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_video_bytes_travel_only_once_the_cell_is_visible(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="vid")
    frames = np.zeros((4, 3, 24, 32), dtype=np.uint8)
    frames[:, 1] = 180
    run.log({"rollout": wbnb.Video(frames, fps=4, caption="green")})
    run.finish()
    w = _view(run)
    harness.page.evaluate("() => { document.getElementById('out').style.marginTop = '4000px'; }")
    comm = _mount(harness, w)
    harness.page.wait_for_selector(".wbnb-mediaview .wbnb-video")
    _frames(harness)
    assert _sent(harness, w) == []  # below the fold: nothing asked for
    assert harness.page.evaluate("() => document.querySelector('.wbnb-mediaview img').getAttribute('src')") is None
    harness.page.locator(".wbnb-mediaview .wbnb-video").scroll_into_view_if_needed()
    assert _asked(harness, w, comm) == 1
    harness.page.wait_for_function(
        "() => { const i = document.querySelector('.wbnb-mediaview img');"
        " return i.src.startsWith('blob:') && i.complete && i.naturalWidth === 32; }"
    )
    assert harness.page.locator(".wbnb-mediaview figcaption").inner_text() == "green"
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_a_played_cell_asks_for_its_file_before_it_was_seen(store_dir: Any, harness: Harness, tmp_path: Any) -> None:
    import wbnb

    movie = tmp_path / "m.webm"
    movie.write_bytes(b"\x1aE\xdf\xa3 not a real webm")
    run = wbnb.init(project="p", name="vid")
    run.log({"movie": wbnb.Video(str(movie))})
    run.finish()
    w = _view(run)
    harness.page.evaluate("() => { document.getElementById('out').style.marginTop = '4000px'; }")
    _mount(harness, w)
    harness.page.wait_for_selector(".wbnb-mediaview video")
    _frames(harness)
    assert _sent(harness, w) == []
    harness.page.evaluate(
        "() => document.querySelector('.wbnb-mediaview .wbnb-video').dispatchEvent(new PointerEvent('pointerdown'))"
    )
    harness.page.wait_for_function(f"() => window.wbnb.models['{w.model_id}'].sent.length === 1")


SPY = """<!doctype html><html><body><p>spy</p><script>
const out = { origin: String(self.origin) };
const attempt = (name, f) => { try { out[name] = String(f()); } catch (e) { out[name] = "blocked: " + e.name; } };
attempt("parentDom", () => {
  const n = parent.document.body.innerHTML.length; parent.document.body.innerHTML = "PWNED"; return n;
});
attempt("topDom", () => top.document.getElementById("out").textContent);
attempt("frameElement", () => window.frameElement && window.frameElement.outerHTML);
attempt("cookie", () => document.cookie);
attempt("parentCookie", () => parent.document.cookie);
attempt("storage", () => localStorage.getItem("wbnb-marker"));
attempt("parentStorage", () => parent.localStorage.getItem("wbnb-marker"));
attempt("topLocation", () => {
  const was = top.location.href; top.location.href = "about:blank#pwned"; return "read " + was;
});
parent.postMessage({ wbnbSpy: out }, "*");
</script></body></html>"""


def test_the_sandbox_logged_html_runs_but_reaches_nothing_of_the_page(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="sandbox")
    run.log({"report": wbnb.Html(SPY)})
    run.finish()
    page = harness.page
    url = page.url
    page.evaluate(
        """() => {
        document.cookie = "wbnb_marker=secret-cookie; path=/";
        localStorage.setItem("wbnb-marker", "secret-storage");
        const m = document.createElement("div"); m.id = "marker"; m.textContent = "untouched";
        document.body.appendChild(m);
        window.__spy = null;
        window.addEventListener("message", (e) => { if (e.data && e.data.wbnbSpy) window.__spy = e.data.wbnbSpy; });
    }"""
    )
    assert "wbnb_marker=secret-cookie" in page.evaluate("() => document.cookie")  # the marker is readable here
    w = _view(run, html_height=200)
    comm = _mount(harness, w)
    assert _asked(harness, w, comm) == 1
    page.wait_for_function("() => window.__spy !== null")  # the script ran (allow-scripts) and posted what it read
    spy = page.evaluate("() => window.__spy")
    assert spy["origin"] == "null"  # an opaque origin
    for name in ("parentDom", "topDom", "frameElement", "cookie", "parentCookie", "storage", "parentStorage"):
        assert spy[name].startswith("blocked: ") or spy[name] in ("null", ""), (name, spy[name])
    assert not spy["topLocation"].startswith("read")
    assert "secret" not in str(spy)
    # the page is untouched: its DOM, its address, the frame's attributes
    assert page.evaluate("() => document.getElementById('marker').textContent") == "untouched"
    assert "PWNED" not in page.evaluate("() => document.body.innerText")
    assert page.locator("#out .wbnb-mediaview iframe").count() == 1  # the page's own elements are all there
    assert page.url == url
    frame = page.locator(".wbnb-mediaview iframe")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    assert "allow-same-origin" not in (frame.get_attribute("sandbox") or "")
    assert frame.get_attribute("src") is None and "spy" in (frame.get_attribute("srcdoc") or "")
    assert page.evaluate("() => document.querySelector('.wbnb-mediaview iframe').contentDocument") is None
    assert page.evaluate("() => document.querySelector('.wbnb-mediaview .wbnb-frame').clientHeight") == 200
    assert page.locator(".wbnb-mediaview .wbnb-html-head").inner_text().startswith("HTML (sandboxed)")
    harness.screenshot("mediaview-sandbox")


def test_runs_side_by_side_keys_option_and_the_elements_width(store_dir: Any, harness: Harness) -> None:
    import wbnb

    runs = []
    for name in ("left", "right"):
        run = wbnb.init(project="p", name=name, reinit="create_new")
        run.log({"speech": wbnb.Audio(_sine(0.5), sample_rate=8000), "page": wbnb.Html("<p>hi</p>")})
        run.finish()
        runs.append(run)
    w = _view(runs)
    _mount(harness, w, keys=["speech"], width=340)
    page = harness.page
    page.wait_for_selector(".wbnb-mediaview .wbnb-run")
    assert page.locator(".wbnb-mediaview .wbnb-key").count() == 1  # only the key it was given
    assert page.locator(".wbnb-mediaview .wbnb-head").inner_text() == "speech"
    assert page.locator(".wbnb-mediaview iframe").count() == 0
    titles = page.locator(".wbnb-run-title").all_inner_texts()
    assert len(titles) == 2 and titles[0].startswith("left") and titles[1].startswith("right")
    widths = page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-mediaview .wbnb-cell')].map(c => c.getBoundingClientRect().right)"
    )
    left = page.evaluate("() => document.querySelector('.wbnb-mediaview').getBoundingClientRect().left")
    assert widths and all(r - left <= 341 for r in widths)  # laid out to the element's width
    page.evaluate("() => window.wbnb.cleanup()")
    # wide: the two runs side by side
    page.evaluate("() => { document.getElementById('out').replaceChildren(); }")
    w2 = _view(runs)
    _mount(harness, w2, width=1100)
    page.wait_for_selector(".wbnb-mediaview .wbnb-run")
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-key[data-key=\"speech\"] .wbnb-run')]"
        ".map(r => r.getBoundingClientRect().top)"
    )
    assert len(tops) == 2 and tops[0] == tops[1]
    assert page.locator(".wbnb-mediaview .wbnb-key").count() == 2
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_blob_urls_are_revoked_when_the_view_goes(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    run.log({"speech": wbnb.Audio(_sine(0.2), sample_rate=8000)})
    run.finish()
    w = _view(run)
    comm = _mount(harness, w)
    page = harness.page
    _asked(harness, w, comm)
    page.wait_for_function("() => document.querySelector('.wbnb-mediaview audio').src.startsWith('blob:')")
    src = page.evaluate("() => document.querySelector('.wbnb-mediaview audio').src")
    assert page.evaluate("(u) => fetch(u).then(r => r.ok)", src) is True
    page.evaluate("() => window.wbnb.cleanup()")
    assert page.evaluate("(u) => fetch(u).then(() => 'read', () => 'revoked')", src) == "revoked"
