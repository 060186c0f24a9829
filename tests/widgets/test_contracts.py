"""The widgets' contracts: the committed ``contract.ts`` files are what the Python
declarations say (``python -m wbnb.widgets.typescript`` rewrites them), and the
generator maps each kind of declaration to the TypeScript the front ends rely on."""

from __future__ import annotations

import subprocess
import sys
import typing
from typing import Any, Literal

import pytest
import traitlets as t
from typing_extensions import NotRequired, TypedDict

from wbnb.widgets import typescript
from wbnb.widgets.contract import Delta, RunInfo

from .harness import ROOT


def test_every_committed_contract_is_what_its_declarations_write() -> None:
    stale = [
        typescript.ts_path(m).relative_to(ROOT).as_posix()
        for m in typescript.modules()
        if not typescript.ts_path(m).exists()
        or typescript.ts_path(m).read_text(encoding="utf-8") != typescript.render(m)
    ]
    assert not stale, f"{stale} differ from their declarations: run `python -m wbnb.widgets.typescript`"


def test_the_check_mode_exits_zero_on_a_fresh_tree() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wbnb.widgets.typescript", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


class Cell(TypedDict):
    """A cell."""

    run: RunInfo
    tag: Literal["a", "b"]
    counts: bytes
    pairs: list[tuple[int, str]]
    by_key: dict[str, float | None]
    seen: tuple[str, ...]
    note: NotRequired[str]
    anything: Any


class Ping(TypedDict):
    type: Literal["ping"]
    n: int


def test_types_map_as_json_carries_them() -> None:
    w = typescript._Writer(__name__)
    text = w.interface(Cell)
    assert "  run: RunInfo;" in text
    assert w.imports == {"wbnb.widgets.contract": {"RunInfo"}}
    assert '  tag: "a" | "b";' in text
    assert "  counts: DataView;" in text
    assert "  pairs: [number, string][];" in text
    assert "  by_key: Record<string, number | null>;" in text
    assert "  seen: string[];" in text
    assert "  note?: string;" in text
    assert "  anything: unknown;" in text
    assert text.startswith("/** A cell. */\nexport interface Cell {")


class Pong(Delta):
    """A pong: a delta with its own field."""

    n: NotRequired[int]


class Named(RunInfo, Ping):
    pass


def test_an_extended_typeddict_extends_its_bases_with_its_own_fields_only() -> None:
    w = typescript._Writer(__name__)
    text = w.interface(Pong)
    assert text == "/** A pong: a delta with its own field. */\nexport interface Pong extends Delta {\n  n?: number;\n}"
    assert w.imports == {"wbnb.widgets.contract": {"Delta"}}
    assert w.interface(Named) == "export interface Named extends RunInfo, Ping {}"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="typing's TypedDict keeps its bases from Python 3.12")
def test_a_typeddict_whose_bases_are_forgotten_is_refused() -> None:
    class Plain(typing.TypedDict):
        n: int

    class More(Plain):
        m: int

    with pytest.raises(TypeError, match="typing_extensions.TypedDict"):
        typescript._Writer(__name__).interface(More)


def test_messages_get_a_union_and_a_guard_by_their_type_tag() -> None:
    w = typescript._Writer(__name__)
    text = w.messages("ToPage", [Ping])
    assert "export type ToPage = Ping;" in text
    assert 'export const TO_PAGE_TYPES: readonly ToPage["type"][] = ["ping"];' in text
    assert "export const isToPage = tagGuard<ToPage>(TO_PAGE_TYPES);" in text


def test_a_contract_with_messages_imports_the_guard_maker() -> None:
    text = typescript.render("wbnb.widgets.gallery.contract")
    assert 'import { tagGuard } from "../lib/guard";\n' in text
    assert "tagGuard" not in typescript.render("wbnb.widgets.table.contract")


def test_a_message_without_a_type_tag_is_refused() -> None:
    w = typescript._Writer(__name__)
    try:
        w.messages("ToPage", [Cell])
    except TypeError as e:
        assert "Cell needs a field type" in str(e)
    else:
        raise AssertionError("a message without a type tag was accepted")


def test_traits_map_to_the_model_interface() -> None:
    class Demo(t.HasTraits):
        mode = t.Enum(("auto", "step")).tag(sync=True)
        on = t.Bool().tag(sync=True)
        size = t.Int().tag(sync=True)
        name = t.Unicode(allow_none=True).tag(sync=True)
        names = t.List(t.Unicode()).tag(sync=True)
        cells = t.List().tag(sync=True, ts=list[Cell])
        hidden = t.Int()  # not synced: not on the wire

    Demo.__module__ = "wbnb.widgets.demo.widget"  # declared by a wbnb class
    w = typescript._Writer(__name__)
    text = w.model(Demo)
    assert "export interface DemoModel {" in text
    for line in (
        '  mode: "auto" | "step";',
        "  on: boolean;",
        "  size: number;",
        "  name: string | null;",
        "  names: string[];",
        "  cells: Cell[];",
    ):
        assert line in text
    assert "hidden" not in text
