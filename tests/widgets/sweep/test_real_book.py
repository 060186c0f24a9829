"""The sweep panel over the store's own book (``book_for``): a sweep created and claimed
there, its trials' runs logged with the trial's run id, read without a ``book=``."""

from __future__ import annotations

from pathlib import Path


def test_panel_reads_the_stores_book(store_dir: Path) -> None:
    import wbnb
    from wbnb.api import Api
    from wbnb.sweeps.books import book_for
    from wbnb.widgets import SweepPanel

    config = {
        "method": "grid",
        "metric": {"name": "acc", "goal": "maximize"},
        "parameters": {"lr": {"values": [1e-4, 1e-3, 1e-2]}, "act": {"values": ["relu", "tanh"]}},
        "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2},
    }
    book = book_for(Api().store)
    sweep = book.create("bk", config)
    for _ in range(4):
        trial = book.claim("bk", sweep.id, "agent").trial
        assert trial is not None
        book.start("bk", sweep.id, trial.seq, "agent")
        run = wbnb.init(project="bk", id=trial.run_id, config=trial.params, reinit="create_new")
        acc = trial.params["lr"] * 100
        run.log({"acc": acc})
        run.log({"acc": acc * 1.1})
        run.finish()
        book.end("bk", sweep.id, trial.seq, "finished", value=acc * 1.1)
    w = SweepPanel(f"bk/{sweep.id}", poll=None)
    d = w.data
    assert d["params"] == ["lr", "act"] and len(d["trials"]) == 4
    assert [r["state"] for r in d["trials"]] == ["finished"] * 4
    assert d["best"][-1] == max(r["value"] for r in d["trials"])
    assert [r["band"] for r in d["rungs"]] == [1, 2]
    assert d["parallel"]["axes"][0]["log"] is False  # categorical values: not a log axis
    assert len(d["parallel"]["lines"]) == 4
