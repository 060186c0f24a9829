"""Static pictures: every widget's output carries an SVG of what it shows, well-formed,
escaped, drawn from the widget's own data; a saved notebook shows the final ones in
``nbconvert --to html`` without a kernel."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import wbnb
from tests.waiting import wait_for_system_samples
from wbnb.data.png import decode_png, encode_png, png_size, shrink
from wbnb.widgets import ConfusionMatrix, Curves, Gallery, Histograms, RunPanel, RunTable, System

NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
XSS = "<img src=x onerror=alert(1)>"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{NS}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def images(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{NS}image"))


def embedded_png(image: ET.Element) -> bytes:
    prefix, _, data = image.get(XLINK, "").partition(",")
    assert prefix == "data:image/png;base64"
    return base64.b64decode(data)


def output_texts(w: Any) -> list[str]:
    """The texts of ``w``'s picture, once its output is seen to hold the view and a
    well-formed picture with no ``img`` or ``script`` element (user text stays text)."""
    data, _ = w._repr_mimebundle_()
    assert data[WIDGET_VIEW]["model_id"] == w.model_id
    root = parse(data["image/svg+xml"])  # well-formed, or this raises
    assert not any(el.tag.endswith(("img", "script")) for el in root.iter())
    return texts(root)


def assert_escaped(svg: str) -> None:
    root = parse(svg)
    assert not any(el.tag.endswith("img") or el.tag.endswith("script") for el in root.iter())
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert any(XSS in t for t in texts(root))  # the literal name, as text


@pytest.fixture
def media_run(store_dir: Path) -> str:
    """A finished run with scalars, images, a confusion matrix and a histogram per step,
    and the XSS string as run name, key, caption and class name."""
    run = wbnb.init(project="pics", name=XSS, config={"lr": 0.01, "note": XSS})
    rng = np.random.default_rng(0)
    for i in range(20):
        wbnb.log(
            {
                "train/loss": 1 / (i + 1),
                XSS: i,
                "val/acc": i / 20,
                "samples": [
                    wbnb.Image(np.full((8, 8, 3), 10 * i, dtype=np.uint8), caption=f"step {i} #{j}") for j in range(3)
                ],
                "odd": [wbnb.Image(np.zeros((4, 4), dtype=np.uint8), caption=XSS)],
                "cm": wbnb.plot.confusion_matrix(
                    y_true=[0, 0, 1, 1, 1, 2], preds=[0, 1, 1, 1, 2, 2], class_names=["cat", XSS, "bird"]
                ),
                "weights": wbnb.Histogram(rng.normal(i / 10, 1, size=200)),
            }
        )
    run.finish(quiet=True)
    return f"pics/{run.id}"


def test_every_widget_output_holds_view_text_and_picture(media_run: str) -> None:
    widgets = [
        Curves(media_run, live=False),
        Gallery(media_run, live=False),
        ConfusionMatrix(media_run, live=False),
        Histograms(media_run, live=False),
        RunTable("pics"),
        RunPanel(media_run, live=False),
    ]
    for w in widgets:
        data, _metadata = w._repr_mimebundle_()
        assert {WIDGET_VIEW, "text/plain", "image/svg+xml"} <= set(data), type(w).__name__
        assert data["text/plain"].startswith(f"wbnb {type(w).__name__} (trust the notebook")
        assert "text/html" not in data  # it would outrank the picture nowhere, but it is not wanted
        assert data[WIDGET_VIEW]["model_id"] == w.model_id
        assert_escaped(data["image/svg+xml"])
        assert w.to_svg() == data["image/svg+xml"]


def test_curves_picture_has_sections_every_key_and_a_legend_per_run(store_dir: Path) -> None:
    paths = []
    for name in ("alpha", XSS):
        with wbnb.init(project="c", name=name, reinit="create_new") as run:
            for i in range(2000):
                wbnb.log({"loss": 1 / (i + 1), "val/acc": i / 2000, "val/loss": 2 / (i + 1)})
        paths.append(f"c/{run.id}")
    root = parse(Curves(paths, live=False).to_svg())
    words = texts(root)
    assert {"Charts", "val", "loss", "val/acc", "val/loss"} <= set(words)  # sections, then one chart per key
    assert "■ alpha" in words and f"■ {XSS}" in words  # the legend
    assert "step 0" in words and "1999" in words  # the step axis, to the last step
    lines = list(root.iter(f"{NS}polyline"))
    assert len(lines) == 6  # 3 keys x 2 runs
    assert {line.get("stroke") for line in lines} == {"#4c78a8", "#f58518"}  # the widget's run colours
    # Each line keeps at most two points per pixel column of its ~200 px plot.
    assert all(len(line.get("points", "").split()) <= 2 * 200 for line in lines)
    words = texts(parse(Curves(paths, live=False, x_axis="relative").to_svg()))
    assert "seconds 0" in words  # the x-axis the viewer chose


def test_curves_picture_draws_the_log_scale_and_smoothing_chosen(store_dir: Path) -> None:
    with wbnb.init(project="sm") as run:
        for i in range(400):
            wbnb.log({"loss": 1 / (i + 1) + 0.2 * (i % 2)})
    w = Curves(f"sm/{run.id}", live=False)
    plain = parse(w.to_svg())
    assert len(list(plain.iter(f"{NS}polyline"))) == 1 and not any("smoothed" in t for t in texts(plain))
    w.smoothing, w.log_y = 0.9, True
    root = parse(w.to_svg())
    raw, smooth = root.iter(f"{NS}polyline")  # the faint raw line under the smoothed one
    assert raw.get("stroke-opacity") == "0.25" and smooth.get("stroke-opacity") is None
    assert "log, smoothed 0.9" in texts(root)

    def spread(line: ET.Element) -> float:
        ys = [float(p.split(",")[1]) for p in line.get("points", "").split()]
        return float(np.mean(np.abs(np.diff(ys))))

    assert spread(smooth) < spread(raw) / 5  # the zigzag of the raw values is smoothed away


def test_curves_picture_on_a_log_scale_leaves_out_each_lines_own_values_below_zero(store_dir: Path) -> None:
    with wbnb.init(project="lg") as run:
        for v in (4.0, -1.0, 4.0, 4.0):
            wbnb.log({"loss": v})
    root = parse(Curves(f"lg/{run.id}", live=False, log_y=True, smoothing=0.5).to_svg())
    raw, smooth = root.iter(f"{NS}polyline")
    assert len(raw.get("points", "").split()) == 3  # the raw -1 has no place on a log scale
    # Its smoothed value (2/3) has: the page's spec filters each layer on its own field.
    assert len(smooth.get("points", "").split()) == 4


def test_a_picture_is_not_drawn_while_a_tick_changes_the_widget(store_dir: Path) -> None:
    import threading

    with wbnb.init(project="lock") as run:
        for i in range(100):
            wbnb.log({"loss": 1 / (i + 1)})
    w = Curves(f"lock/{run.id}", live=False)
    panel = RunPanel(f"lock/{run.id}", live=False)
    for widget, feed in ((w, w._feed), (panel, panel.curves._feed)):
        drawn: list[str] = []
        with feed.lock:  # as a tick holds it while it ingests
            t = threading.Thread(target=lambda x, out: out.append(x.to_svg()), args=(widget, drawn))
            t.start()
            t.join(0.3)
            assert t.is_alive() and not drawn  # waiting for the tick to end
        t.join(10)
        assert drawn and "<polyline" in drawn[0]


def test_system_picture_reuses_the_curves_small_multiples(store_dir: Path) -> None:
    run = wbnb.init(project="sys", settings={"system_interval": 0.05})
    wait_for_system_samples(run)
    run.finish(quiet=True)
    root = parse(System(f"sys/{run.id}", live=False).to_svg())
    words = texts(root)
    assert "CPU" in words and any(w.startswith("seconds ") for w in words)  # sections; runtime on x
    assert list(root.iter(f"{NS}polyline"))


def test_gallery_picture_shows_the_last_step_with_captions(media_run: str) -> None:
    gallery = Gallery(media_run, keys="samples", live=False)
    root = parse(gallery.to_svg())
    words = texts(root)
    assert [w for w in words if w.startswith("step 19 #")] == ["step 19 #0", "step 19 #1", "step 19 #2"]
    assert f"{XSS} · step 19" in words  # run name and step
    imgs = images(root)
    assert len(imgs) == 3
    pixels = decode_png(embedded_png(imgs[0]))
    assert pixels is not None and pixels.shape == (8, 8, 3) and int(pixels[0, 0, 0]) == 190  # step 19's shade
    gallery.step = 4  # the viewer's chosen step, as the trait saves it
    assert [w for w in texts(parse(gallery.to_svg())) if w.startswith("step 4 #")] == [
        "step 4 #0",
        "step 4 #1",
        "step 4 #2",
    ]
    assert_escaped(Gallery(media_run, keys="odd", live=False).to_svg())  # the caption


def test_gallery_picture_is_bounded_and_says_what_it_left_out(store_dir: Path) -> None:
    big = (np.indices((600, 900)).sum(axis=0) % 256).astype(np.uint8)  # a 900 x 600 gradient
    with wbnb.init(project="g") as run:
        wbnb.log(
            {
                "many": [wbnb.Image(np.full((4, 4), i, dtype=np.uint8), caption=f"n{i}") for i in range(20)],
                "big": [wbnb.Image(big)],
            }
        )
    root = parse(Gallery(f"g/{run.id}", keys="many", per_page=24, live=False).to_svg())
    assert len(images(root)) == 16
    assert "… 4 more images not in this picture" in texts(root)
    root = parse(Gallery(f"g/{run.id}", keys="big", size=150, live=False).to_svg())
    (img,) = images(root)
    width, height = png_size(embedded_png(img))
    assert max(width, height) <= 150 and width > height  # a thumbnail, same shape


def test_confusion_picture_has_counts_and_class_names(media_run: str) -> None:
    cm = ConfusionMatrix(media_run, live=False)
    root = parse(cm.to_svg())
    words = texts(root)
    assert {"cat", "bird", "predicted", "true"} <= set(words)
    assert any(w.startswith("<img src=x") and w.endswith("…") for w in words)  # long names clipped, as text
    cells = [w for w in words if w.isdigit()]
    assert cells == ["1", "1", "0", "0", "2", "1", "0", "0", "1"]  # row by row, as logged
    assert len(list(root.iter(f"{NS}rect"))) >= 9
    assert_escaped(cm.to_svg())
    cm.normalize = "true"
    assert "50.0%" in texts(parse(cm.to_svg()))  # cat: 1 of 2 right


def test_confusion_picture_of_100_classes_is_one_image_without_counts(store_dir: Path) -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 100, 3000)
    with wbnb.init(project="cm") as run:
        wbnb.log(
            {
                "cm": wbnb.plot.confusion_matrix(
                    y_true=y, preds=(y + rng.integers(0, 2, 3000)) % 100, class_names=[f"class {i}" for i in range(100)]
                )
            }
        )
    svg = ConfusionMatrix(f"cm/{run.id}", live=False).to_svg()
    root = parse(svg)
    words = texts(root)
    assert len(images(root)) == 1 and len(svg) < 60_000
    assert not [w for w in words if w.isdigit()]  # cells too small for counts
    labels = [w for w in words if w.startswith("class ")]
    assert "class 0" in labels and 20 <= len(labels) <= 120  # thinned out, rows and columns


def test_histograms_picture_is_a_heatmap_per_key(media_run: str) -> None:
    root = parse(Histograms(media_run, live=False).to_svg())
    words = texts(root)
    assert "weights" in words and f"{XSS} · 20 steps" in words and "step 0" in words and "step 19" in words
    (img,) = images(root)
    pixels = decode_png(embedded_png(img))
    assert pixels is not None and pixels.shape[0] >= 20  # a row (or more) per step


def test_panel_picture_stacks_header_and_every_part(media_run: str) -> None:
    root = parse(RunPanel(media_run, live=False).to_svg())
    words = texts(root)
    assert words[0] == XSS and words[1].startswith("pics/") and " · finished · " in words[1]
    for part in ("train/loss", "odd", "cm", "weights"):  # curves, gallery (its first key), confusion, histograms
        assert part in words, part
    assert len(images(root)) >= 2  # gallery images and the histogram heatmap


def test_png_decode_undoes_encode_and_shrink_averages_blocks() -> None:
    rgb = np.random.default_rng(2).integers(0, 256, (13, 7, 3), dtype=np.uint8)
    assert np.array_equal(decode_png(encode_png(rgb)), rgb)
    grey = rgb[..., 0].copy()
    assert np.array_equal(decode_png(encode_png(grey)), grey)
    assert decode_png(b"not a png") is None
    small = shrink(np.full((100, 60, 3), 7, dtype=np.uint8), 25)
    assert small.shape == (25, 15, 3) and int(small.max()) == 7


# -- in a kernel, saved, converted -------------------------------------------------------

NOTEBOOK = [
    (
        "import os\nos.environ.update(WBNB_CONSOLE='0')\nimport numpy as np, wbnb\n"
        "from wbnb.widgets import ConfusionMatrix, Curves, Gallery, Histograms, RunTable, System\n"
        f"run = wbnb.init(project='saved', name={XSS!r}, settings={{'system_interval': 0.1}})"
    ),
    "Curves(run)",
    "Gallery(run)",
    "display(ConfusionMatrix(run))",
    "Histograms(run)",
    "System(run)",
    (
        "for i in range(50):\n"
        "    wbnb.log({'loss': 1 / (i + 1), 'samples': [wbnb.Image(np.full((8, 8), i, dtype=np.uint8), "
        "caption=f'final {i}')],\n"
        "              'cm': wbnb.plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1, 0], class_names=['a', 'b']),\n"
        "              'w': wbnb.Histogram(np.arange(10) + i)})\n"
        "import time\n"
        "deadline = time.monotonic() + 60  # until the run has a few system samples\n"
        "while len(run._store.rows('saved', run.id, stream='system')[0]) < 2 and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)"
    ),
    "run.finish()",
    "RunTable('saved')",
]


def _svgs_in_html(html: str) -> list[str]:
    """The SVG outputs of an nbconvert page (it embeds each as a base64 <img>)."""
    return [base64.b64decode(b).decode() for b in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]


def _convert(path: Path, *extra: str) -> str:
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", *extra, str(path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return path.with_suffix(".html").read_text()


@pytest.mark.timeout(600)
def test_saved_notebook_shows_every_widget_final_picture_in_nbconvert_html(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK]
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs: dict[int, dict[str, Any]] = {}
    for i, cell in enumerate(nb.cells):
        for before, out in zip(cell.outputs, cell.outputs[1:]):
            if "image/svg+xml" in out.get("data", {}):
                assert WIDGET_VIEW in before.get("data", {}), f"cell {i}: the picture follows its live view"
                outputs.setdefault(i, out["data"])
    assert sorted(outputs) == [0, 1, 2, 3, 4, 5, 8]  # the panel init() shows, each widget, the table
    # finish() replaced the pictures taken at display (no data yet) with the final ones.
    final = {i: texts(parse(d["image/svg+xml"])) for i, d in outputs.items()}
    assert any(" · finished · " in w for w in final[0]) and "loss" in final[0]  # the panel
    assert "49" in final[1] and "step 0" in final[1]  # curves, to the last step
    assert "final 49" in final[2] and f"{XSS} · step 49" in final[2]  # gallery: the last step's caption
    assert [w for w in final[3] if w.isdigit()] == ["1", "0", "1", "1"]  # confusion counts
    assert "step 49" in final[4] and "w" in final[4]  # histograms
    assert "CPU" in final[5]  # system
    assert "saved · 1 of 1 runs" in final[8] and "finished" in final[8]  # the table, after finish

    # Saved as JupyterLab saves by default (no widget state): nbconvert shows the pictures.
    lab = nbformat.from_dict(nb)
    lab.metadata.pop("widgets", None)
    nbformat.write(lab, tmp_path / "lab.ipynb")
    html = _convert(tmp_path / "lab.ipynb")
    shown = _svgs_in_html(html)
    assert shown == [d["image/svg+xml"] for _, d in sorted(outputs.items())]
    assert "<img src=x onerror" not in html
    # With widget state (nbclient saves it) nbconvert hands the views to the widget manager;
    # the pictures, outputs of their own, are shown all the same, with no option.
    nbformat.write(nb, tmp_path / "state.ipynb")
    assert "widget-state+json" in (tmp_path / "state.ipynb").read_text()
    html = _convert(tmp_path / "state.ipynb")
    assert _svgs_in_html(html) == [d["image/svg+xml"] for _, d in sorted(outputs.items())]
