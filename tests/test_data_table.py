"""Table: wandb-style construction, and a body that round-trips through a real MediaStore."""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image as PILImage

from wbnb.data import Image, Table
from wbnb.data.table import TableIndex
from wbnb.store.media import MediaStore


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path)


def test_columns_default_to_numbered_names() -> None:
    table = Table(data=[[1, "a"], [2, "b"]])
    assert table.columns == ["Column 1", "Column 2"]
    assert table.data == [[1, "a"], [2, "b"]]
    assert Table().columns == ["Input", "Output", "Expected"]  # wandb's default with no data


def test_rows_is_an_alias_of_data() -> None:
    assert Table(columns=["x"], rows=[[1], [2]]).data == [[1], [2]]
    with pytest.raises(ValueError, match="both data and rows"):
        Table(columns=["x"], data=[[1]], rows=[[2]])


def test_dataframes_bring_their_columns_and_plain_values() -> None:
    df = pd.DataFrame({"name": ["geoff", "ada"], "score": [1.5, 2.0], "n": [3, 4]})
    for table in (Table(dataframe=df), Table(data=df)):
        assert table.columns == ["name", "score", "n"]
        assert table.data == [["geoff", 1.5, 3], ["ada", 2.0, 4]]
        assert type(table.data[0][2]) is int
        pd.testing.assert_frame_equal(table.get_dataframe(), df)


def test_numpy_data_becomes_python_values() -> None:
    table = Table(columns=["a", "b"], data=np.arange(6).reshape(3, 2))
    assert table.data == [[0, 1], [2, 3], [4, 5]]
    assert all(type(v) is int for row in table.data for v in row)


def test_add_data_checks_the_row_length() -> None:
    table = Table(columns=["a", "b", "c"])
    table.add_data(1, "x", None)
    with pytest.raises(ValueError, match=r"add_data got 2 values; this table has 3 columns \['a', 'b', 'c'\]"):
        table.add_data(1, 2)
    assert table.data == [[1, "x", None]]


def test_add_column_checks_the_length() -> None:
    table = Table(columns=["a"], data=[[1], [2]])
    table.add_column("b", np.array([10, 20]))
    assert table.columns == ["a", "b"] and table.data == [[1, 10], [2, 20]]
    with pytest.raises(ValueError, match=r"add_column got 3 values for 'c'; the table has 2 rows"):
        table.add_column("c", [1, 2, 3])
    with pytest.raises(ValueError, match=r"'a', which is already a column of \['a', 'b'\]"):
        table.add_column("a", [1, 2])
    empty = Table(columns=[])
    empty.add_column("x", [1, 2, 3])
    assert empty.data == [[1], [2], [3]]


def test_get_column_as_list_or_numpy() -> None:
    table = Table(columns=["a", "b"], data=[[1, 0.5], [2, 1.5]])
    assert table.get_column("a") == [1, 2]
    np.testing.assert_array_equal(table.get_column("b", convert_to="numpy"), np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match=r"no column 'z'; its columns are \['a', 'b'\]"):
        table.get_column("z")
    with pytest.raises(ValueError, match=r"convert_to='pandas'; accepted: None or 'numpy'"):
        table.get_column("a", convert_to="pandas")


def test_unsupported_cells_name_their_type() -> None:
    with pytest.raises(TypeError, match=r"type object; accepted: numbers, strings, bools, None"):
        Table(columns=["a"], data=[[object()]])
    with pytest.raises(ValueError, match=r"distinct names, got \['a', 'a'\]"):
        Table(columns=["a", "a"])
    with pytest.raises(ValueError, match=r"rows must be lists or tuples of cells, got a row of type int"):
        Table(columns=["a"], data=[1, 2])


def test_body_round_trips_through_the_store(store: MediaStore) -> None:
    when = dt.datetime(2024, 5, 1, 12, 30)
    table = Table(columns=["i", "f", "s", "b", "none", "nan", "when", "list"])
    table.add_data(np.int64(1), np.float32(0.5), "x", True, None, float("nan"), when, np.array([1, 2]))
    record = table.to_json(store)
    assert record == {"_type": "table", "path": record["path"], "columns": table.columns, "nrows": 1}
    assert record["path"].endswith(".json")
    body = json.loads(store.get(record["path"]))
    assert body == {"columns": table.columns, "data": [[1, 0.5, "x", True, None, None, "2024-05-01T12:30:00", [1, 2]]]}


def test_image_cells_are_stored_with_the_same_sink(store: MediaStore) -> None:
    pixels = np.random.default_rng(0).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    table = Table(columns=["id", "image"], data=[[0, Image(pixels, caption="c")]])
    body = json.loads(store.get(table.to_json(store)["path"]))
    cell = body["data"][0][1]
    assert cell["_type"] == "image" and cell["caption"] == "c"
    np.testing.assert_array_equal(np.asarray(PILImage.open(io.BytesIO(store.get(cell["path"])))), pixels)


def test_from_record_rebuilds_the_table(store: MediaStore) -> None:
    table = Table(columns=["x", "img"], data=[[1, Image(np.zeros((2, 2)))], [2, None]])
    record = table.to_json(store)
    again = Table.from_record(record, store.get)
    assert again.columns == ["x", "img"]
    assert again.get_column("x") == [1, 2]
    image_record = again.data[0][1]
    assert isinstance(image_record, dict) and image_record["_type"] == "image"
    assert again.data[1][1] is None


def test_the_same_table_is_stored_once(store: MediaStore) -> None:
    first = Table(columns=["a"], data=[[1], [2]]).to_json(store)
    second = Table(columns=["a"], data=[[1], [2]]).to_json(store)
    assert first["path"] == second["path"]
    assert len([p for p in (store.root / "media").rglob("*") if p.is_file()]) == 1


def test_log_mode_from_wandbs_table_docs_is_taken_and_a_grown_table_logged_again_shows_it_all(tmp_path: Path) -> None:
    """wandb's "Log tables" page passes ``log_mode`` in its first example; an INCREMENTAL
    table gains rows with ``add_data`` and is logged at each step, a MUTABLE one gains a
    column: the newest step holds every row and column so far."""
    import wbnb

    with pytest.raises(ValueError, match="log_mode='APPEND'.*INCREMENTAL"):
        Table(columns=["a"], log_mode="APPEND")
    run = wbnb.init(project="p", dir=str(tmp_path))
    run.log({"fixed": Table(columns=["a", "b"], data=[["a1", "b1"], ["a2", "b2"]], log_mode="IMMUTABLE")})
    growing = Table(columns=["step", "pred"], log_mode="INCREMENTAL")
    for step in range(3):
        growing.add_data(step, step * 2)
        run.log({"growing": growing})
    mutable = Table(columns=["x"], data=[[1], [2]], log_mode="MUTABLE")
    run.log({"mutable": mutable})
    mutable.add_column("conf", [0.5, 0.9])
    run.log({"mutable": mutable})
    run.finish()
    from wbnb.widgets import TableView

    assert TableView(run, "growing", live=False).df.to_dict("list") == {"step": [0, 1, 2], "pred": [0, 2, 4]}
    assert list(TableView(run, "mutable", live=False).df.columns) == ["x", "conf"]
    assert TableView(run, "fixed", live=False).df.shape == (2, 2)


def test_add_computed_columns_as_in_wandbs_table_guide() -> None:
    table = Table(columns=["user"])
    for user in ("geoff", "juergen", "ada"):
        table.add_data(user)
    table.add_computed_columns(lambda index, row: {"length": len(row["user"]), "at": index})
    assert table.columns == ["user", "length", "at"]
    assert table.get_column("length") == [5, 7, 3] and table.get_column("at") == [0, 1, 2]


def test_a_missing_time_in_a_dataframe_is_a_missing_cell_not_the_text_nat() -> None:
    df = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", None])})
    assert Table(dataframe=df).get_column("when") == ["2024-01-01T00:00:00", None]


def test_get_index_gives_row_indexes_that_key_another_tables_rows_and_are_stored_as_ints(store: MediaStore) -> None:
    # wandb's eval-table pattern (its WandbEvalCallback docs): a data table's get_index() keys a predictions table.
    data = Table(columns=["id", "label"], data=[[10, "cat"], [11, "dog"], [12, "cat"]])
    index = data.get_index()
    assert index == [0, 1, 2] and all(isinstance(i, TableIndex) and i.table is data for i in index)
    scores = np.array([0.1, 0.7, 0.4])
    assert [float(scores[i]) for i in index] == [0.1, 0.7, 0.4] and data.data[index[2]][1] == "cat"
    assert index[1].get_row() == {"id": 11, "label": "dog"} and TableIndex(0).get_row() == {}
    preds = Table(columns=["row", "pred"])
    for i in index:
        preds.add_data(i, float(scores[i]))
    preds.add_data(0, 0.2)  # a plain int in the same column: both are numbers, as in wandb
    body = json.loads(store.get(preds.to_json(store)["path"]))
    assert body["data"] == [[0, 0.1], [1, 0.7], [2, 0.4], [0, 0.2]]
    again = Table.from_record(preds.to_json(store), store.get)
    assert again.get_column("row") == [0, 1, 2, 0] and all(type(v) is int for v in again.get_column("row"))
    copied = pickle.loads(pickle.dumps(index[2]))
    assert copied == 2 and copied.get_row() == {"id": 12, "label": "cat"}


def test_iterrows_and_index_ref_give_the_same_indexes_as_get_index() -> None:
    table = Table(columns=["x"], data=[[5], [6]])
    rows = list(table.iterrows())
    assert rows == [(0, [5]), (1, [6])] and all(i.table is table for i, _ in rows)
    assert table.index_ref(1).get_row() == {"x": 6}
    with pytest.raises(IndexError, match="index_ref got 2; the table has 2 rows"):
        table.index_ref(2)
