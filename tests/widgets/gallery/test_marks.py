"""Images logged straight into ``run.log`` with masks and boxes (wandb's segmentation and
detection tutorials): the Gallery's answers (thumbnails and full size), its picture and its
page show them painted on (``widgets/imageoverlay.py``, as TableView does), with a legend
of their classes; the ``marks`` trait hides them."""

from __future__ import annotations

import base64
import re
from typing import Any

import numpy as np

from ..harness import Harness, record

CAT = "<b>cat</b>"  # a class name is text on the page, never HTML
GREY = 100
SIDE = 80


def _labelled_run(name: str = "seg") -> Any:
    """A run that logged, at step 0, a plain image and one with a mask (class 1: rows
    0-9) and a box (class 2: pixels 40..60 both ways)."""
    import wbnb

    grey = np.full((SIDE, SIDE, 3), GREY, dtype=np.uint8)
    mask = np.zeros((SIDE, SIDE), dtype=np.uint8)
    mask[0:10] = 1
    masks = {"predictions": {"mask_data": mask, "class_labels": {0: "background", 1: CAT}}}
    box = {"position": {"minX": 0.5, "maxX": 0.75, "minY": 0.5, "maxY": 0.75}, "class_id": 2}
    boxes = {"predictions": {"box_data": [box], "class_labels": {2: "dog"}}}
    run = wbnb.init(project="p", name=name)
    run.log({"seg": [wbnb.Image(grey), wbnb.Image(grey, masks=masks, boxes=boxes)]}, step=0)
    run.finish()
    return run


def _gallery(run: Any, **kw: Any) -> Any:
    from wbnb.widgets import Gallery

    return Gallery(run, min_interval=3600, **kw)


def _fetch(w: Any) -> tuple[dict[str, Any], list[bytes]]:
    return w._answer({"type": "fetch", "req": 1, "items": [{"run": 0, "key": "seg", "step": 0}]})


def test_the_answer_paints_masks_and_boxes_and_names_their_classes(store_dir: Any) -> None:
    from wbnb.data.png import decode_png
    from wbnb.widgets.curves.model import PALETTE
    from wbnb.widgets.imageoverlay import ALPHA, COLORS

    w = _gallery(_labelled_run())
    reply, (plain, labelled) = _fetch(w)
    assert decode_png(plain).tolist() == np.full((SIDE, SIDE, 3), GREY).tolist()  # no marks: as logged
    px = decode_png(labelled)
    cat = np.round((1 - ALPHA) * GREY + ALPHA * COLORS[1]).tolist()
    assert px[5, 40].tolist() == cat and px[20, 20].tolist() == [GREY] * 3  # the mask's class 1; background clear
    assert px[40, 50].tolist() == COLORS[2].tolist() and px[50, 50].tolist() == [GREY] * 3  # the box's edge; inside
    assert reply["items"][0]["legend"] == []
    assert reply["items"][1]["legend"] == [
        {"id": 1, "name": CAT, "color": PALETTE[1]},
        {"id": 2, "name": "dog", "color": PALETTE[2]},
    ]
    w.marks = False  # hidden: the file as logged, no legend
    reply, (_, bare) = _fetch(w)
    assert decode_png(bare).tolist() == decode_png(plain).tolist() and reply["items"][1]["legend"] == []


def test_the_legend_names_a_box_class_from_wandb_classes_when_it_has_no_label(store_dir: Any) -> None:
    from wbnb.widgets.imageoverlay import legend

    record = {
        "path": "media/x.png",
        "classes": [{"id": 4, "name": "car"}],
        "boxes": {"p": {"box_data": [{"position": {}, "class_id": 4}, {"position": {}, "class_id": 9}]}},
    }
    assert [(m["id"], m["name"]) for m in legend(record)] == [(4, "car"), (9, "class 9")]
    assert legend({**record, "format": "jpeg"}) == []  # only a PNG is painted on


def test_the_picture_paints_them_too_unless_hidden(store_dir: Any) -> None:
    from wbnb.data.png import decode_png
    from wbnb.widgets.imageoverlay import COLORS

    w = _gallery(_labelled_run(), size=SIDE)

    def pictured() -> list[np.ndarray]:
        uris = re.findall(r'href="data:image/png;base64,([^"]+)"', w.to_svg())
        return [decode_png(base64.b64decode(u)) for u in uris]

    plain, labelled = pictured()
    assert labelled[40, 50].tolist() == COLORS[2].tolist() and plain[40, 50].tolist() == [GREY] * 3
    w.marks = False
    assert [p.tolist() for p in pictured()] == [plain.tolist(), plain.tolist()]


PIXEL = """([sel, x, y]) => {
    const img = document.querySelectorAll(sel)[1];
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d'); g.drawImage(img, 0, 0);
    return [...g.getImageData(x, y, 1, 1).data.slice(0, 3)];
}"""


def test_the_drawn_thumbnail_shows_the_box_and_the_legend_and_the_toggle_hides_them(
    store_dir: Any, harness: Harness
) -> None:
    from wbnb.widgets.imageoverlay import COLORS

    w = _gallery(_labelled_run())
    comm = record(w)
    harness.mount(w, "gallery")
    harness.page.wait_for_selector(".wbnb-gallery .wbnb-run")
    harness.answer(w, comm)
    imgs = ".wbnb-gallery figure img"
    harness.page.wait_for_function(
        f"() => [...document.querySelectorAll('{imgs}')].filter(i => i.complete).length === 2"
    )
    assert harness.page.evaluate(PIXEL, [imgs, 50, 40]) == COLORS[2].tolist()  # the box's top edge
    assert harness.page.evaluate(PIXEL, [imgs, 50, 50]) == [GREY] * 3
    legend = harness.page.locator(".wbnb-gallery .wbnb-legend")
    assert legend.count() == 1 and legend.locator(".wbnb-class").all_inner_texts() == [CAT, "dog"]
    assert legend.locator("b").count() == 0  # the class name is text
    harness.screenshot("gallery-marks")
    harness.page.locator(".wbnb-gallery figure").nth(1).click()  # full size: the same painted file, its legend
    overlay = harness.page.locator(".wbnb-overlay")
    assert overlay.locator(".wbnb-class").all_inner_texts() == [CAT, "dog"]
    assert overlay.locator("img").get_attribute("src") == harness.page.locator(imgs).nth(1).get_attribute("src")
    overlay.click()
    # the toggle (a saved trait) hides them: the images come again, bare
    harness.page.locator(".wbnb-gallery .wbnb-marks").uncheck()
    model = f"window.wbnb.models['{w.model_id}']"
    harness.page.wait_for_function(f"() => {model}.get('marks') === false && {model}.saved > 0")
    w.marks = False  # the kernel's side of the trait (the harness has no kernel)
    comm.take()  # its echo: a widget model hears no change of a value it already holds
    harness.answer(w, comm)
    harness.page.wait_for_function(
        "() => document.querySelectorAll('.wbnb-gallery .wbnb-legend').length === 0"
        f" && [...document.querySelectorAll('{imgs}')].filter(i => i.complete).length === 2"
    )
    assert harness.page.evaluate(PIXEL, [imgs, 50, 40]) == [GREY] * 3
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_the_run_panels_gallery_part_and_picture_paint_them(store_dir: Any) -> None:
    """The run panel's gallery cells are views of its Gallery part: they get its answers."""
    from wbnb.data.png import decode_png
    from wbnb.widgets import Gallery, RunPanel
    from wbnb.widgets.imageoverlay import COLORS

    run = _labelled_run()
    panel = RunPanel(f"p/{run.id}", live=False)
    (part,) = [p for p in panel.parts.values() if isinstance(p, Gallery)]
    _, (_, labelled) = _fetch(part)
    assert decode_png(labelled)[40, 50].tolist() == COLORS[2].tolist()
    uris = re.findall(r'href="data:image/png;base64,([^"]+)"', panel.to_svg())
    edges = [decode_png(base64.b64decode(u))[40, 50].tolist() for u in uris]
    assert COLORS[2].tolist() in edges and [GREY] * 3 in edges


def test_the_picture_names_the_classes_under_the_image_as_text(store_dir: Any) -> None:
    import xml.etree.ElementTree as ET

    from wbnb.widgets.curves.model import PALETTE

    w = _gallery(_labelled_run())
    root = ET.fromstring(w.to_svg())  # well-formed: the names escaped
    words = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert CAT in words and "dog" in words
    fills = [r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert PALETTE[1] in fills and PALETTE[2] in fills
    w.marks = False
    assert CAT not in [t.text for t in ET.fromstring(w.to_svg()).iter("{http://www.w3.org/2000/svg}text")]


def test_the_toggle_is_offered_once_a_live_run_logs_an_image_with_masks_or_boxes(
    store_dir: Any, harness: Harness
) -> None:
    """A gallery of plain images has no "masks & boxes" box; a delta that brings the first
    image with boxes shows it."""
    import wbnb

    run = wbnb.init(project="p", name="live")
    run.log({"seg": wbnb.Image(np.zeros((8, 8, 3), dtype=np.uint8))}, step=0)
    w = _gallery(run)
    assert w._snapshot["marked"] is False
    comm = record(w)
    harness.mount(w, "gallery")
    harness.page.wait_for_selector(".wbnb-gallery .wbnb-run")
    toggle = harness.page.locator(".wbnb-gallery .wbnb-marks")
    assert not toggle.is_visible()
    box = {"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}, "class_id": 1}
    run.log({"seg": wbnb.Image(np.zeros((8, 8, 3), dtype=np.uint8), boxes={"p": {"box_data": [box]}})}, step=1)
    assert w._feed.tick() == "delta"
    messages = comm.take()
    assert [m["content"]["marked"] for m, _ in messages if m.get("method") == "custom"] == [True]
    harness.deliver(w, messages)
    toggle.wait_for(state="visible")
    assert toggle.is_checked()
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]
    run.finish()
