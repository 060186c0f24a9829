"""TableView's view in Chromium (the harness mounts ``js/tableview``'s view over the
widget's real state; the tests answer the page's fetches as the kernel would)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..harness import Harness, record

XSS = "<img src=x onerror=alert(1)>"


def _run_with_table(rows: list[list[Any]], columns: list[str], steps: range = range(1), name: str = "a") -> Any:
    """A finished run that logged the table ``rows`` under "preds" at each of ``steps``
    (a cell ``"{s}"`` becomes the step)."""
    import wbnb

    run = wbnb.init(project="p", name=name, reinit="create_new")
    for s in steps:
        data = [[c.format(s=s) if isinstance(c, str) else c for c in row] for row in rows]
        run.log({"preds": wbnb.Table(columns=columns, data=data)}, step=s)
    run.finish()
    return run


def _images_run(n: int) -> Any:
    import wbnb

    run = wbnb.init(project="p", name="imgs", reinit="create_new")
    data = [[i, wbnb.Image(np.full((6, 6, 3), (i * 37) % 256, dtype=np.uint8))] for i in range(n)]
    run.log({"preds": wbnb.Table(columns=["id", "img"], data=data)})
    run.finish()
    return run


def _mount(h: Harness, w: Any) -> Any:
    comm = record(w)
    h.mount(w, "tableview")
    h.page.wait_for_selector(".wbnb-tableview")
    return comm


def _pump(h: Harness, w: Any, comm: Any) -> list[dict[str, Any]]:
    """Answer the page's requests the way the kernel would; returns them."""
    sent = h.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent.splice(0)")
    for content in sent:
        w._on_request(w, content, [])
    h.deliver(w, comm.take())
    return sent


def _column(h: Harness, i: int) -> list[str]:
    """Column ``i`` of the rows drawn, top to bottom."""
    return h.page.evaluate(
        """(i) => [...document.querySelectorAll('.wbnb-tableview .wbnb-row')]
            .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
            .map(r => r.children[i].textContent)""",
        i,
    )


def _view(run: Any, **kw: Any) -> Any:
    from wbnb.widgets import TableView

    return TableView(run, "preds", live=False, **kw)


def _set(h: Harness, w: Any, name: str, value: Any) -> None:
    h.page.evaluate(f"([v]) => window.wbnb.models['{w.model_id}'].set('{name}', v)", [value])


ROWS = [["row-10", 3.0, "{s}"], ["row-2", 1.0, "b"], ["row-1", None, "c"], ["Row-3", 2.0, "d"]]


def test_draws_rows_then_sorts_by_header_clicks(store_dir: Any, harness: Harness) -> None:
    w = _view(_run_with_table(ROWS, ["name", "score", "note"]))
    comm = _mount(harness, w)
    # the preview's rows are drawn at once, before the kernel answers
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview .wbnb-row').length === 4")
    sent = _pump(harness, w, comm)
    assert [(s["what"], s["step"]) for s in sent] == [("columns", -1)]
    harness.page.wait_for_function("() => document.querySelector('.wbnb-tableview').__wbnb.data().complete")
    assert _column(harness, 0) == ["row-10", "row-2", "row-1", "Row-3"]
    head = harness.page.locator(".wbnb-tableview .wbnb-th")
    assert head.all_inner_texts() == ["name", "score", "note"]
    head.nth(1).click()  # numbers ascending, the missing one last
    assert _column(harness, 1) == ["1", "2", "3", ""] and head.nth(1).inner_text() == "score ▲"
    head.nth(1).click()  # descending, missing still last
    assert _column(harness, 1) == ["3", "2", "1", ""]
    head.nth(1).click()  # unsorted again
    assert _column(harness, 0) == ["row-10", "row-2", "row-1", "Row-3"]
    head.nth(0).click()  # text: natural order, case-insensitive (RunTable's rule)
    assert _column(harness, 0) == ["row-1", "row-2", "Row-3", "row-10"]
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('sort')") == "+name"
    assert not harness.errors


def test_the_preview_sorts_text_by_pythons_ranks_of_whole_cells(store_dir: Any, harness: Harness) -> None:
    # cells longer than the preview keeps: cut, they read alike; the ranks Python sends order them whole
    rows = [["x" * 90 + "-10"], ["x" * 90 + "-9"], [None], ["X" * 90 + "-1"]]
    w = _view(_run_with_table(rows, ["name"]))
    _mount(harness, w)  # the kernel never answers: the saved notebook's preview alone
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview .wbnb-row').length === 4")
    rows_drawn = """() => [...document.querySelectorAll('.wbnb-tableview .wbnb-row')]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map(r => Number(r.dataset.row))"""
    assert len({t.lower() for t in _column(harness, 0)} - {""}) == 1  # one cut text shown for the three
    head = harness.page.locator(".wbnb-tableview .wbnb-th")
    head.nth(0).click()
    assert harness.page.evaluate(rows_drawn) == [3, 1, 0, 2]  # -1, -9, -10, missing last
    head.nth(0).click()
    assert harness.page.evaluate(rows_drawn) == [0, 1, 3, 2]
    assert not harness.errors


def test_filter_hides_rows_and_a_bad_one_says_why(store_dir: Any, harness: Harness) -> None:
    w = _view(_run_with_table(ROWS, ["name", "score", "note"]))
    comm = _mount(harness, w)
    _pump(harness, w, comm)
    box = harness.page.locator(".wbnb-tableview .wbnb-filter")
    box.fill("score >= 2")
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview .wbnb-row').length === 2")
    assert sorted(_column(harness, 0)) == ["Row-3", "row-10"]
    box.fill('name ~ "^row-1"')
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview .wbnb-row').length === 2")
    assert harness.page.locator(".wbnb-tableview .wbnb-count").inner_text().startswith("2 of 4 rows")
    box.fill("score > 100")
    harness.page.wait_for_function(
        "() => !document.querySelector('.wbnb-tableview .wbnb-row:not([style*=\"display: none\"])')"
    )
    harness.page.locator(".wbnb-tableview .wbnb-scroll").evaluate("(s) => s.dispatchEvent(new Event('scroll'))")
    assert harness.page.locator(".wbnb-tableview .wbnb-body .wbnb-empty").all_inner_texts() == [
        "No row matches the filter."
    ]
    box.fill("score >")
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview .wbnb-row').length === 4")
    assert "expected a value" in harness.page.locator(".wbnb-tableview .wbnb-ferr").inner_text()
    assert not harness.errors


def test_the_column_chooser_hides_a_column_in_a_trait(store_dir: Any, harness: Harness) -> None:
    w = _view(_run_with_table(ROWS, ["name", "score", "note"]))
    comm = _mount(harness, w)
    _pump(harness, w, comm)
    harness.page.locator(".wbnb-tableview .wbnb-colsbtn").click()
    harness.page.locator('.wbnb-tableview .wbnb-citem[data-name="score"] input').uncheck()
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview .wbnb-th').length === 2")
    assert harness.page.locator(".wbnb-tableview .wbnb-th").all_inner_texts() == ["name", "note"]
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('hidden')") == ["score"]
    assert _column(harness, 1) == ["0", "b", "c", "d"]


def test_the_step_slider_changes_the_rows(store_dir: Any, harness: Harness) -> None:
    w = _view(_run_with_table(ROWS, ["name", "score", "note"], steps=range(0, 30, 10)))
    comm = _mount(harness, w)
    _pump(harness, w, comm)
    harness.page.wait_for_function("() => document.querySelector('.wbnb-tableview').__wbnb.data().complete")
    assert _column(harness, 2)[0] == "20"
    assert harness.page.locator(".wbnb-tableview .wbnb-step-label").inner_text() == "step 20 (newest)"
    slider = harness.page.locator(".wbnb-tableview .wbnb-step")
    slider.evaluate("(s) => { s.value = '0'; s.dispatchEvent(new Event('input')); }")
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('step')") == 0
    sent = _pump(harness, w, comm)
    assert [(s["what"], s["step"]) for s in sent] == [("columns", 0)]
    harness.page.wait_for_function(
        "() => [...document.querySelectorAll('.wbnb-tableview .wbnb-row')].some(r => r.children[2].textContent === '0')"
    )
    assert harness.page.locator(".wbnb-tableview .wbnb-step-label").inner_text() == "step 0"


def test_only_visible_thumbnails_are_fetched_and_a_click_enlarges(store_dir: Any, harness: Harness) -> None:
    n = 400
    w = _view(_images_run(n), height=300)
    comm = _mount(harness, w)
    _pump(harness, w, comm)  # the columns (the preview's rows asked for their thumbnails too)
    harness.page.wait_for_function("() => document.querySelector('.wbnb-tableview').__wbnb.data().complete")
    _pump(harness, w, comm)  # the thumbnails
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview img.wbnb-thumb').length > 0")
    stats = harness.page.evaluate("() => document.querySelector('.wbnb-tableview').__wbnb.images")
    drawn = harness.page.evaluate("() => document.querySelectorAll('.wbnb-tableview .wbnb-row').length")
    assert 0 < stats["asked"] <= drawn < 30  # the rows in view and a few more, of 400
    harness.page.locator(".wbnb-tableview .wbnb-scroll").evaluate("(s) => { s.scrollTop = s.scrollHeight; }")
    harness.page.wait_for_function(
        f"() => document.querySelector('.wbnb-tableview').__wbnb.images.asked > {stats['asked']}"
    )
    _pump(harness, w, comm)
    stats = harness.page.evaluate("() => document.querySelector('.wbnb-tableview').__wbnb.images")
    assert stats["asked"] < 2 * drawn + 2  # the top and the bottom rows only
    harness.page.wait_for_selector('.wbnb-tableview .wbnb-row[data-row="399"] img')
    harness.page.locator('.wbnb-tableview .wbnb-row[data-row="399"] img').click()
    sent = _pump(harness, w, comm)
    assert [(s["what"], s["full"], s["cells"]) for s in sent] == [("images", True, [{"row": 399, "col": 1}])]
    big = harness.page.wait_for_selector(".wbnb-tableview .wbnb-overlay img")
    assert big.evaluate("(i) => i.complete && i.naturalWidth") == 6  # the full image, not the thumbnail
    assert "row 399" in harness.page.locator(".wbnb-tableview .wbnb-big-caption").inner_text()
    harness.page.locator(".wbnb-tableview .wbnb-overlay").click()
    assert harness.page.locator(".wbnb-tableview .wbnb-overlay").count() == 0
    assert not harness.errors


def test_html_in_cells_and_column_names_is_text(store_dir: Any, harness: Harness) -> None:
    w = _view(_run_with_table([[XSS, 1.0], ["ok", 2.0]], [XSS, "v"]))
    comm = _mount(harness, w)
    harness.page.evaluate("() => { window.__xss = 0; window.alert = () => { window.__xss++; }; }")
    _pump(harness, w, comm)
    harness.page.wait_for_function("() => document.querySelector('.wbnb-tableview').__wbnb.data().complete")
    harness.settle()
    assert harness.page.locator(".wbnb-tableview .wbnb-th").first.inner_text() == XSS
    assert _column(harness, 0)[0] == XSS
    assert harness.page.evaluate("() => document.querySelectorAll('.wbnb-tableview img').length") == 0
    assert harness.page.evaluate("() => window.__xss") == 0


def test_several_runs_side_by_side_under_a_run_column(store_dir: Any, harness: Harness) -> None:
    runs = [_run_with_table([["x", 1.0]], ["name", "v"], name=n) for n in ("first", "second")]
    w = _view(runs)
    comm = _mount(harness, w)
    _pump(harness, w, comm)
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview .wbnb-row').length === 2")
    assert harness.page.locator(".wbnb-tableview .wbnb-th").all_inner_texts() == ["run", "name", "v"]
    assert _column(harness, 0) == ["first", "second"]


def test_a_view_mounted_for_other_keys_draws_and_asks_nothing(store_dir: Any, harness: Harness) -> None:
    w = _view(_run_with_table(ROWS, ["name", "score", "note"]))
    record(w)
    harness.add_model(w)
    mounted = harness.page.evaluate(
        """async ([id, url]) => {
        const { View } = await import(url);
        const views = [["preds"], ["other"]].map((keys) => {
            const el = document.createElement('div');
            document.getElementById('out').appendChild(el);
            return new View(el, window.wbnb.models[id], undefined, { keys });
        });
        await Promise.all(views.map((v) => v.ready));
        return [...document.querySelectorAll('.wbnb-tableview')].map((el) => el.style.display);
    }""",
        [w.model_id, f"{harness.base}/tableview.js"],
    )
    assert mounted == ["", "none"]
    sent = harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent")
    assert len(sent) == 1  # only the view showing "preds" asked for its columns


def test_a_view_following_a_live_run_shows_the_newest_table(store_dir: Any, harness: Harness) -> None:
    import wbnb
    from wbnb.widgets import TableView

    run = wbnb.init(project="p", name="live")
    run.log({"preds": wbnb.Table(columns=["v"], data=[["old"]])}, step=0)
    w = TableView(run, "preds", min_interval=3600)
    comm = _mount(harness, w)
    _pump(harness, w, comm)
    harness.page.wait_for_function("() => document.querySelector('.wbnb-tableview').__wbnb.data().complete")
    run.log({"preds": wbnb.Table(columns=["v"], data=[["new"], ["newer"]])}, step=1)
    assert w._feed.tick() == "delta"
    harness.deliver(w, comm.take())
    harness.page.wait_for_function(f"() => window.wbnb.models['{w.model_id}'].sent.length === 1")
    assert [(s["what"], s["step"]) for s in _pump(harness, w, comm)] == [("columns", -1)]
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-tableview .wbnb-row').length === 2")
    assert _column(harness, 0) == ["new", "newer"]
    assert harness.page.locator(".wbnb-tableview .wbnb-step-label").inner_text() == "step 1 (newest)"
    run.finish()
    w.close()
