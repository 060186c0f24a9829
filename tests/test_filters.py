"""Mongo-style filters and ordering over run documents (pure functions, no store)."""

from __future__ import annotations

import pytest

from wbnb.store.filters import KNOWN_OPERATORS, lookup, matches, run_document, sort_runs

META = {
    "id": "abc123",
    "project": "mnist",
    "entity": "ana",
    "name": "bright-sun-3",
    "notes": "first try",
    "tags": ["baseline", "cnn"],
    "group": None,
    "job_type": "train",
    "state": "finished",
    "created_at": 1714564800.0,
    "runtime": 12.5,
    "config": {"lr": 0.01, "optimizer": {"name": "adam", "betas": [0.9, 0.99]}, "layers": 3, "aug.flip": True},
    "summary": {"val/acc": 0.91, "train/loss": 0.2, "best.epoch": 7, "sample": {"_type": "image", "path": "x"}},
}
DOC = run_document(META)


def test_document_fields() -> None:
    assert DOC["display_name"] == DOC["name"] == "bright-sun-3"
    assert DOC["summary_metrics"] is DOC["summary"]
    assert DOC["createdAt"] == "2024-05-01T12:00:00"
    assert DOC["runtime"] == 12.5 and DOC["job_type"] == "train" and DOC["entity"] == "ana"


def test_runtime_of_a_run_without_one_comes_from_its_times() -> None:
    doc = run_document({"created_at": 100.0, "ended_at": 130.0, "state": "crashed"})
    assert doc["runtime"] == 30.0


@pytest.mark.parametrize(
    "path, expected",
    [
        ("config.lr", 0.01),
        ("config.lr.value", 0.01),  # wandb's form
        ("config.optimizer.name", "adam"),
        ("config.aug.flip", True),  # a key containing "."
        ("summary_metrics.val/acc", 0.91),  # a metric name containing "/"
        ("summary.best.epoch", 7),
        ("summary_metrics.sample._type", "image"),
    ],
)
def test_lookup_dotted_paths(path: str, expected: object) -> None:
    assert lookup(DOC, path) == expected


@pytest.mark.parametrize(
    "flt, expected",
    [
        ({"state": "finished"}, True),
        ({"state": "failed"}, False),
        ({"config.lr": {"$eq": 0.01}}, True),
        ({"config.lr": {"$ne": 0.01}}, False),
        ({"config.lr": {"$ne": 0.1}}, True),
        ({"config.layers": {"$gt": 2}}, True),
        ({"config.layers": {"$gt": 3}}, False),
        ({"config.layers": {"$gte": 3}}, True),
        ({"config.layers": {"$lt": 3}}, False),
        ({"config.layers": {"$lte": 3}}, True),
        ({"config.layers": {"$gt": 1, "$lt": 5}}, True),
        ({"config.optimizer.name": {"$in": ["sgd", "adam"]}}, True),
        ({"config.optimizer.name": {"$nin": ["sgd", "adam"]}}, False),
        ({"config.optimizer.name": {"$nin": ["sgd"]}}, True),
        ({"group": {"$exists": False}}, True),  # None counts as missing
        ({"group": None}, True),
        ({"notes": {"$exists": True}}, True),
        ({"config.missing": {"$exists": True}}, False),
        ({"name": {"$regex": "^bright-"}}, True),
        ({"name": {"$regex": "^BRIGHT", "$options": "i"}}, True),
        ({"name": {"$regex": "^dark"}}, False),
        ({"config.layers": {"$not": {"$gt": 5}}}, True),
        ({"name": {"$not": "^bright"}}, False),
        ({"$and": [{"state": "finished"}, {"config.lr": {"$lt": 0.1}}]}, True),
        ({"$and": [{"state": "finished"}, {"config.lr": {"$gt": 0.1}}]}, False),
        ({"$or": [{"state": "failed"}, {"summary_metrics.val/acc": {"$gte": 0.9}}]}, True),
        ({"$or": [{"state": "failed"}, {"state": "crashed"}]}, False),
        ({"$nor": [{"state": "failed"}, {"state": "crashed"}]}, True),
        ({"$not": {"state": "finished"}}, False),
        ({"config.optimizer": {"name": "adam", "betas": [0.9, 0.99]}}, True),  # whole-dict equality
        ({"config.optimizer.betas": [0.9, 0.99]}, True),  # whole-list equality
        ({}, True),
    ],
)
def test_operators(flt: dict, expected: bool) -> None:
    assert matches(DOC, flt) is expected


@pytest.mark.parametrize(
    "flt, expected",
    [
        ({"tags": "baseline"}, True),
        ({"tags": "rnn"}, False),
        ({"tags": {"$in": ["rnn", "cnn"]}}, True),
        ({"tags": {"$in": ["rnn"]}}, False),
        ({"tags": {"$nin": ["baseline"]}}, False),
        ({"tags": {"$ne": "baseline"}}, False),
        ({"tags": ["baseline", "cnn"]}, True),
        ({"tags": {"$regex": "^cn"}}, True),
        ({"tags": {"$exists": True}}, True),
    ],
)
def test_tags_have_array_semantics(flt: dict, expected: bool) -> None:
    assert matches(DOC, flt) is expected


@pytest.mark.parametrize(
    "flt",
    [
        {"config.lr": {"$gt": "a"}},
        {"config.optimizer.name": {"$lt": 5}},
        {"summary_metrics.sample": {"$gt": 1}},
        {"config.missing": {"$lte": 1}},
        {"config.lr": {"$regex": "0"}},  # a regex on a number
        {"config.aug.flip": 1},  # True is not the number 1 here
        {"config.aug.flip": {"$gte": 1}},
    ],
)
def test_incompatible_types_do_not_match_and_do_not_raise(flt: dict) -> None:
    assert matches(DOC, flt) is False


@pytest.mark.parametrize(
    "flt, word",
    [
        ({"state": {"$foo": 1}}, "'$foo'"),
        ({"$xor": [{"state": "finished"}]}, "'$xor'"),
        ({"config.lr": {"$gt": 0, "lr": 1}}, "'lr'"),
    ],
)
def test_unknown_operator_names_it_and_the_known_ones(flt: dict, word: str) -> None:
    with pytest.raises(ValueError) as err:
        matches(DOC, flt)
    assert word in str(err.value)
    assert all(op in str(err.value) for op in KNOWN_OPERATORS)


@pytest.mark.parametrize(
    "flt",
    [
        {"$and": {"state": "finished"}},
        {"state": {"$in": "finished"}},
        {"name": {"$regex": "("}},
        {"name": {"$options": "i"}},
    ],
)
def test_malformed_filters_raise_value_error(flt: dict) -> None:
    with pytest.raises(ValueError):
        matches(DOC, flt)


def _docs() -> list[dict]:
    metas = [
        {"id": "a", "created_at": 3.0, "config": {"lr": 0.1}, "summary": {"val_acc": 0.5}},
        {"id": "b", "created_at": 1.0, "config": {"lr": 0.01}, "summary": {"val_acc": 0.9}},
        {"id": "c", "created_at": 2.0, "config": {"lr": 0.1}, "summary": {}},
        {"id": "d", "created_at": 4.0, "config": {}, "summary": {"val_acc": float("nan")}},
        {"id": "e", "created_at": 5.0, "config": {"lr": 0.01}, "summary": {"val_acc": 0.7}},
    ]
    return [run_document(m) for m in metas]


@pytest.mark.parametrize(
    "order, ids",
    [
        ("created_at", "bcade"),
        ("+created_at", "bcade"),
        ("-created_at", "edacb"),
        ("-summary_metrics.val_acc", "beacd"),  # missing and NaN last
        ("summary_metrics.val_acc", "aebcd"),  # ... in both directions
        ("+config.lr,-summary_metrics.val_acc", "beacd"),
        ("-config.lr, created_at", "cabed"),
        ("", "acdbe"),  # no order: as given
    ],
)
def test_sort_runs(order: str, ids: str) -> None:
    docs = _docs()
    docs = [docs[i] for i in (0, 2, 3, 1, 4)]  # a, c, d, b, e
    assert "".join(d["id"] for d in sort_runs(docs, order)) == ids


def test_sort_runs_with_mixed_types_and_a_key_function() -> None:
    items = [("x", {"v": "b"}), ("y", {"v": 2}), ("z", {"v": [1]}), ("w", {"v": 1})]
    assert [i for i, _ in sort_runs(items, "v", key=lambda item: item[1])] == ["w", "y", "x", "z"]
