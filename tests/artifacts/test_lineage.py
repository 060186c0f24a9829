"""lineage(): the runs and versions around a start, both ways, to a depth, capped; and
the DAG layout the widget and its picture both draw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.artifacts.fill import log
from wbnb.artifacts.dag import NODE_W, layers, layout
from wbnb.artifacts.lineage import lineage, run_id, version_id
from wbnb.store.catalog.records import RunRef
from wbnb.store.catalog.sql import SqlCatalog


def _pipeline(c: SqlCatalog, src: Path) -> dict[str, Any]:
    """raw -> prep run -> clean -> train run -> model -> eval run; model linked to a registry."""
    prep, train, ev = RunRef("p", "prep"), RunRef("p", "train"), RunRef("p", "eval")
    raw = log(c, src, "p", "raw", {"a.csv": b"1"})
    c.use(raw.id, prep)
    clean = log(c, src, "p", "clean", {"a.csv": b"2"}, run=prep)
    c.use(clean.id, train)
    model = log(c, src, "p", "model", {"w.pt": b"3"}, type="model", run=train)
    c.use(model.id, ev)
    linked = c.link(model.id, "wandb-registry-model", "best", aliases=["production"])
    return {"raw": raw, "clean": clean, "model": model, "linked": linked, "prep": prep, "train": train, "eval": ev}


def test_both_directions_to_depth_with_edges_the_way_data_flows(catalog: SqlCatalog, tmp_path: Path) -> None:
    p = _pipeline(catalog, tmp_path / "src")
    g = lineage(catalog, p["clean"], depth=1)
    assert set(g.nodes) == {version_id(p["clean"]), run_id(p["prep"]), run_id(p["train"])}
    kinds = {(e.src, e.dst): e.kind for e in g.edges}
    assert kinds == {
        (run_id(p["prep"]), version_id(p["clean"])): "output",
        (version_id(p["clean"]), run_id(p["train"])): "input",
    }
    # prep used raw, train logged model: each has one neighbour left out
    assert g.nodes[run_id(p["prep"])].hidden == 1
    assert g.nodes[run_id(p["train"])].hidden == 1
    assert g.nodes[version_id(p["clean"])].hidden == 0
    assert g.nodes[version_id(p["clean"])].label == "clean:v0"

    whole = lineage(catalog, p["train"], depth=4)
    assert {n.label for n in whole.nodes.values()} == {
        "raw:v0",
        "prep",
        "clean:v0",
        "train",
        "model:v0",
        "eval",
        "best:v0",
    }
    assert ("artifact:" + p["model"].id, "artifact:" + p["linked"].id, "link") in {
        (e.src, e.dst, e.kind) for e in whole.edges
    }
    assert all(n.hidden == 0 for n in whole.nodes.values())
    assert not whole.truncated


def test_expand_grows_the_graph_from_a_node(catalog: SqlCatalog, tmp_path: Path) -> None:
    p = _pipeline(catalog, tmp_path / "src")
    g = lineage(catalog, p["model"], depth=1, run_names=lambda r: f"run {r.run_id}")
    assert run_id(p["prep"]) not in g.nodes
    assert g.nodes[run_id(p["train"])].label == "run train"
    grown = g.expand(run_id(p["train"]))
    assert version_id(p["clean"]) in grown.nodes
    assert grown.nodes[run_id(p["train"])].hidden == 0
    assert set(g.nodes) < set(grown.nodes)  # the old graph is left as it was


def test_a_run_that_used_what_it_logged_is_a_cycle_the_layout_survives(catalog: SqlCatalog, tmp_path: Path) -> None:
    run = RunRef("p", "r")
    v = log(catalog, tmp_path / "src", "p", "x", {"a": b"1"}, run=run)
    catalog.use(v.id, run)
    g = lineage(catalog, run)
    assert {(e.src, e.dst) for e in g.edges} == {(run_id(run), version_id(v)), (version_id(v), run_id(run))}
    nodes = list(g.nodes)
    lay = layout(nodes, [(e.src, e.dst) for e in g.edges])
    assert lay.boxes[run_id(run)].layer == 0 and lay.boxes[version_id(v)].layer == 1
    assert len(lay.paths) == 2


def test_the_walk_stops_at_max_nodes_and_says_so(catalog: SqlCatalog, tmp_path: Path) -> None:
    data = log(catalog, tmp_path / "src", "p", "data", {"a": b"1"})
    for i in range(30):
        catalog.use(data.id, RunRef("p", f"r{i}"))
    g = lineage(catalog, data, max_nodes=10)
    assert len(g.nodes) == 10 and g.truncated
    assert g.nodes[version_id(data)].hidden == 21
    # a click on the cut node still shows its neighbours, EXPAND_NODES at a time
    grown = g.expand(version_id(data))
    assert len(grown.nodes) == 31 and grown.nodes[version_id(data)].hidden == 0 and grown.max_nodes == 10


def test_layers_follow_the_longest_path_and_rows_are_stable() -> None:
    nodes = ["a", "b", "c", "d"]
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "c")]
    assert layers(nodes, edges) == {"a": 0, "b": 1, "c": 2, "d": 0}
    first, again = layout(nodes, edges), layout(nodes, edges)
    assert first == again
    assert first.boxes["b"].x == first.boxes["a"].x + NODE_W + 64
    assert first.width > 3 * NODE_W and first.height > 0


def test_artifact_and_public_run_give_their_lineage_with_run_names(work: Path) -> None:
    import wbnb

    Path("d.txt").write_text("x")
    with wbnb.init(project="p", name="prep", settings={"silent": True}) as prep:
        data = wbnb.Artifact("data", type="dataset")
        data.add_file("d.txt")
        prep.log_artifact(data)
    with wbnb.init(project="p", name="train", settings={"silent": True}) as train:
        train.use_artifact("data:latest")
        model = wbnb.Artifact("model", type="model")
        model.add_file("d.txt", name="w.bin")
        train.log_artifact(model)

    g = wbnb.Api().artifact("p/data:latest").lineage(depth=2)
    assert sorted(n.label for n in g.nodes.values() if n.run is not None) == ["prep", "train"]
    assert sorted(v.name for v in g.artifacts()) == ["data", "model"]
    from_run = wbnb.Api().run(f"p/{train.id}").lineage(depth=1)
    assert {v.name for v in from_run.artifacts()} == {"data", "model"}
    assert from_run.runs() == [RunRef("p", train.id)]
