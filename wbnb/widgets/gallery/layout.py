"""The Gallery's layout: which key, step, page and images each run shows for the viewer's
choices. The picture (``picture.py``) draws it; the page computes the same in
``js/gallery/layout.ts``, and ``tests/cases/gallery_layout.json`` holds both to it.

Both read the step index the page has (``ImageIndex.shown_steps()``: at most
``MAX_SHOWN`` steps per (run, key)), so the picture shows what the page showed.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from .contract import MIN_SIZE, Choices, Figure, GalleryLayout, KeySteps, RunPlace


def union_steps(index: Iterable[KeySteps], runs: Iterable[int], key: str) -> list[int]:
    """The steps ``key`` has in any of ``runs``, ascending (the slider's stops)."""
    shown = set(runs)
    return sorted({s for e in index if e["key"] == key and e["run"] in shown for s in e["steps"]})


def layout(runs: int, index: Iterable[KeySteps], choices: Choices) -> GalleryLayout:
    """What a page of the gallery of ``runs`` runs shows for ``choices``.

    A key not logged falls back to the first; step -1 is the newest; each run shows its
    last step at or before the chosen one (its first when it has none before); the page
    is clamped to the pages the fullest run needs. The note beside a run's name says
    which step it shows."""
    index = list(index)
    keys = sorted({e["key"] for e in index})
    key = choices["key"] if choices["key"] in keys else (keys[0] if keys else "")
    chosen = choices["shown_runs"]
    shown = [r for r in range(runs) if not chosen or r in chosen]
    steps = union_steps(index, shown, key)
    step = choices["step"]
    if step < 0 or not steps:
        step = steps[-1] if steps else -1
    per_page = max(1, choices["per_page"])
    at = {e["run"]: e for e in index if e["key"] == key}
    places: list[RunPlace] = []
    for r in shown:
        e = at.get(r)
        if e is None or not e["steps"]:
            places.append(
                {"run": r, "step": None, "note": "no images under this key", "count": 0, "start": 0, "stop": 0}
            )
            continue
        i = max(0, bisect.bisect_right(e["steps"], step) - 1)
        s = e["steps"][i]
        where = "last at or before" if s < step else "first, after"
        note = f"step {s}" if s == step else f"step {s} (its {where} {step})"
        places.append({"run": r, "step": s, "note": note, "count": e["counts"][i], "start": 0, "stop": 0})
    pages = max(1, -(-max((p["count"] for p in places), default=0) // per_page))
    page = min(max(0, choices["page"]), pages - 1)
    for p in places:
        p["start"] = min(p["count"], page * per_page)
        p["stop"] = min(p["count"], page * per_page + per_page)
    return {
        "keys": keys,
        "key": key,
        "steps": steps,
        "step": step,
        "page": page,
        "pages": pages,
        "per_page": per_page,
        "columns": max(1, choices["columns"]),
        "size": max(MIN_SIZE, choices["size"]),
        "runs": places,
    }


def figure(caption: str | None, width: int | None, size: int) -> Figure:
    """How an image ``width`` px wide is drawn in a ``size`` px box: its caption (none
    when empty) and crisp pixels when it is under half the box."""
    return {"caption": caption or None, "pixelated": width is not None and 0 < width < size / 2}
