"""The run table's filter language and sort, in Python: the rows a ``RunTable`` shows.

The browser filters and sorts the table (``js/table/filter.ts``, ``js/table/sort.ts``,
``js/table/data.ts``); the table's static picture must show the same rows in the same
order without a browser, so this module follows those files rule for rule (the
grammar, "a missing field never matches", ``has`` and ``~``, numbers before strings,
natural case-insensitive strings, missing values last). ``tests/widgets/test_query.py``
runs the cases of ``tests/js/filter_sort.test.ts`` against it. Change both together.

    expr := or;  or := and ("or" and)*;  and := unary ("and" unary)*
    unary := "not" unary | "(" expr ")" | field op value
    op := < <= > >= == != = ~ has
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

KEYWORDS = {"and", "or", "not", "has"}
_OP = re.compile(r"<=|>=|==|!=|<|>|=|~")
_NUM = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_AFTER_NUM = re.compile(r"[\w./]", re.ASCII)
_WORD = re.compile(r"[A-Za-z_$@#\-][\w$@#./:\-]*|\w[\w$@#./:\-]*", re.ASCII)
_JS_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*|\s*[-+]?Infinity\s*")


class FilterError(ValueError):
    """A malformed filter: ``pos`` (0-based), what was expected there, what was found."""

    def __init__(self, pos: int, expected: str, found: str) -> None:
        super().__init__(f"at {pos + 1}: expected {expected}, found {found}")
        self.pos, self.expected, self.found = pos, expected, found


@dataclass
class _Tok:
    kind: str  # word num str op ( ) field end
    text: str
    value: Any
    pos: int


def _describe(t: _Tok) -> str:
    return "the end" if t.kind == "end" else json.dumps(t.text, ensure_ascii=False)


def tokenize(src: str) -> list[_Tok]:
    out: list[_Tok] = []
    i = 0
    while i < len(src):
        c = src[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            out.append(_Tok(c, c, c, i))
            i += 1
            continue
        op = _OP.match(src, i)
        if op:
            out.append(_Tok("op", op[0], "==" if op[0] == "=" else op[0], i))
            i = op.end()
            continue
        if c in "\"'`":
            j, s = i + 1, []
            while j < len(src) and src[j] != c:
                if src[j] == "\\" and j + 1 < len(src):
                    j += 1
                s.append(src[j])
                j += 1
            if j >= len(src):
                raise FilterError(i, f"a closing {c}", "the end")
            out.append(_Tok("field" if c == "`" else "str", src[i : j + 1], "".join(s), i))
            i = j + 1
            continue
        num = _NUM.match(src, i)
        if num and not _AFTER_NUM.match(src, num.end()):
            out.append(_Tok("num", num[0], float(num[0]), i))
            i = num.end()
            continue
        word = _WORD.match(src, i)
        if word:
            out.append(_Tok("word", word[0], word[0], i))
            i = word.end()
            continue
        raise FilterError(i, "a field, value, operator or parenthesis", json.dumps(c, ensure_ascii=False))
    out.append(_Tok("end", "", "", len(src)))
    return out


def _is_kw(t: _Tok, kw: str) -> bool:
    return t.kind == "word" and t.text.lower() == kw


def parse(src: str) -> tuple | None:
    """The expression as nested tuples: ``("and"|"or", l, r)``, ``("not", x)``,
    ``("cmp", field, op, value)``; None for an empty one. Raises ``FilterError``."""
    toks = tokenize(src)
    k = 0

    def peek() -> _Tok:
        return toks[k]

    def take() -> _Tok:
        nonlocal k
        k += 1
        return toks[k - 1]

    def or_expr() -> tuple:
        left = and_expr()
        while _is_kw(peek(), "or"):
            take()
            left = ("or", left, and_expr())
        return left

    def and_expr() -> tuple:
        left = unary()
        while _is_kw(peek(), "and"):
            take()
            left = ("and", left, unary())
        return left

    def unary() -> tuple:
        t = peek()
        if _is_kw(t, "not"):
            take()
            return ("not", unary())
        if t.kind == "(":
            take()
            inner = or_expr()
            close = take()
            if close.kind != ")":
                raise FilterError(close.pos, '")" or "and" / "or"', _describe(close))
            return inner
        if t.kind not in ("word", "field") or (t.kind == "word" and t.text.lower() in KEYWORDS):
            raise FilterError(t.pos, "a field name (such as summary.acc, config.lr, name, tags)", _describe(t))
        take()
        field = str(t.value)
        o = take()
        if o.kind == "op":
            op = str(o.value)
        elif _is_kw(o, "has"):
            op = "has"
        else:
            raise FilterError(
                o.pos,
                f"an operator after {json.dumps(field, ensure_ascii=False)} (< <= > >= == != ~ has)",
                _describe(o),
            )
        v = take()
        if v.kind in ("num", "str"):
            value = v.value
        elif v.kind == "word" and v.text.lower() not in KEYWORDS:
            low = v.text.lower()
            value = True if low == "true" else False if low == "false" else None if low in ("null", "none") else v.text
        else:
            raise FilterError(v.pos, f"a value after {json.dumps(o.text, ensure_ascii=False)}", _describe(v))
        if op == "~" and not isinstance(value, str):
            value = v.text
        return ("cmp", field, op, value)

    if peek().kind == "end":
        return None
    node = or_expr()
    if peek().kind != "end":
        raise FilterError(peek().pos, '"and", "or" or the end', _describe(peek()))
    return node


def check(src: str) -> str:
    """Why ``src`` does not parse ("at N: expected ..."), or "" when it does."""
    try:
        parse(src)
    except FilterError as e:
        return str(e)
    return ""


# -- values as JavaScript sees them --------------------------------------------------------


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return "string" if isinstance(v, str) else "object"


def js_str(v: Any) -> str:
    """``String(v)`` in JavaScript, for the values a table holds."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return str(int(v)) if v.is_integer() and abs(v) < 1e21 else repr(v)
    if isinstance(v, list):
        return ",".join("" if x is None else js_str(x) for x in v)
    return str(v)


def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:  # a bad regex is a plain substring
        return re.compile(re.escape(pattern), re.IGNORECASE)


def _compare_one(a: Any, op: str, b: Any) -> bool:
    if _missing(a):
        return False
    if isinstance(a, list):
        if op == "!=":
            return not any(_compare_one(x, "==", b) for x in a)
        return any(_compare_one(x, op, b) for x in a)
    if b is None:
        return op == "!="
    if isinstance(a, bool) or isinstance(b, bool):  # strict: true is not 1
        same = type(a) is type(b) and a == b
        return same if op == "==" else (not same) if op == "!=" else False
    if _kind(a) == "number" and isinstance(b, str) and b.strip() and _JS_NUMBER.fullmatch(b):
        b = float(b)
    if _kind(a) != _kind(b):
        return op == "!="
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    return False


def matches(a: Any, op: str, b: Any) -> bool:
    """Whether a field value ``a`` satisfies ``op b`` (filter.ts ``test``)."""
    if _missing(a):
        return False
    if op == "~":
        rx = _regex(js_str(b))
        if isinstance(a, list):
            return any(not _missing(x) and rx.search(js_str(x)) for x in a)
        return bool(rx.search(js_str(a)))
    if op == "has":
        if isinstance(a, list):
            return any((x == b and _kind(x) == _kind(b)) or (_kind(x) == "number" and _num(b) == x) for x in a)
        if isinstance(a, str):
            return js_str(b) in a
        return False
    return _compare_one(a, op, b)


def _num(v: Any) -> float:
    if _kind(v) == "number":
        return float(v)
    if isinstance(v, str) and (not v.strip() or _JS_NUMBER.fullmatch(v)):
        return float(v) if v.strip() else 0.0
    return math.nan


Getter = Callable[[int], Any]


def compile_filter(src: str, resolve: Callable[[str], Getter | None]) -> Callable[[int], bool]:
    """A predicate over row numbers; ``resolve(field)`` is the field's getter (None: no
    run has it). An empty expression keeps every row. Raises ``FilterError``."""

    def build(n: tuple) -> Callable[[int], bool]:
        if n[0] in ("and", "or"):
            left, right = build(n[1]), build(n[2])
            return (lambda i: left(i) and right(i)) if n[0] == "and" else (lambda i: left(i) or right(i))
        if n[0] == "not":
            inner = build(n[1])
            return lambda i: not inner(i)
        _, field, op, value = n
        get = resolve(field)
        if get is None:
            return lambda i: False
        return lambda i: matches(get(i), op, value)

    ast = parse(src)
    return (lambda i: True) if ast is None else build(ast)


# -- sorting -------------------------------------------------------------------------------


def _sort_missing(v: Any) -> bool:
    return _missing(v) or (isinstance(v, list) and not v)


def _natural(s: str) -> list[tuple[int, Any]]:
    """Intl.Collator(numeric, base) roughly: digit runs by value, text without case."""
    return [(0, int(p)) if p.isdigit() else (1, p.casefold()) for p in re.split(r"(\d+)", s) if p]


def compare_values(a: Any, b: Any) -> int:
    """Two present values, ascending: numbers, then booleans, then text (natural)."""
    rank = {"number": 0, "boolean": 1}
    ra, rb = rank.get(_kind(a), 2), rank.get(_kind(b), 2)
    if ra != rb:
        return ra - rb
    if ra < 2:
        return (float(a) > float(b)) - (float(a) < float(b))
    ta = ", ".join(js_str(x) for x in a) if isinstance(a, list) else js_str(a)
    tb = ", ".join(js_str(x) for x in b) if isinstance(b, list) else js_str(b)
    ka, kb = _natural(ta), _natural(tb)
    return (ka > kb) - (ka < kb)


def sort_rows(rows: list[int], keys: Sequence[tuple[Getter, bool]]) -> list[int]:
    """``rows`` sorted by ``keys`` (``(getter, descending)``), first key first; missing
    values last in both directions; ties keep their order."""
    if not keys:
        return list(rows)
    values = {r: [get(r) for get, _ in keys] for r in rows}

    def cmp(x: int, y: int) -> int:
        for k, (_, desc) in enumerate(keys):
            a, b = values[x][k], values[y][k]
            ma, mb = _sort_missing(a), _sort_missing(b)
            if ma or mb:
                if ma and mb:
                    continue
                return 1 if ma else -1
            c = compare_values(a, b)
            if c:
                return -c if desc else c
        return 0

    return sorted(rows, key=functools.cmp_to_key(cmp))


def parse_sort_spec(spec: str) -> tuple[str, bool]:
    """``"-summary.acc"`` -> ``("summary.acc", True)``; ``"+a"`` or ``"a"`` ascending."""
    if spec.startswith("-"):
        return spec[1:], True
    return (spec.removeprefix("+")), False


# -- the table's data ----------------------------------------------------------------------

ALIASES = {"display_name": "name", "created_at": "created", "createdAt": "created", "runtime": "duration", "id": "id"}


class TableData:
    """The ``_data`` trait of a ``RunTable`` decoded as the front end decodes it."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.n = int(raw.get("n") or 0)
        self.ids = [str(i) for i in raw.get("ids") or []]
        self.columns: dict[str, tuple[str, list[Any]]] = {}
        for c in raw.get("columns") or []:
            if c["type"] in ("num", "time", "dur"):
                values: list[Any] = np.frombuffer(bytes(c["values"]), dtype=np.float64).tolist()
            else:
                values = list(c["values"])
            self.columns[c["key"]] = (c["type"], values)

    def resolve(self, field: str) -> str | None:
        """The column a filter or sort field names (``resolveColumn`` in js/table/data.ts)."""
        direct = ALIASES.get(field, field)
        if direct in self.columns:
            return direct
        if field.startswith("summary_metrics."):
            key = "summary." + field[16:]
            return key if key in self.columns else None
        if field.startswith("config.") and field.endswith(".value"):
            key = field[:-6]
            return key if key in self.columns else None
        if "." not in field:
            for key in ("summary." + field, "config." + field):
                if key in self.columns:
                    return key
        return None

    def getter(self, field: str) -> Getter | None:
        key = self.resolve(field)
        if key is None:
            return None
        values = self.columns[key][1]
        return lambda i: values[i]

    def visible_rows(self, filter: str, sort: Sequence[str]) -> tuple[list[int], str]:
        """The rows shown, in order, and the filter's error ("" when it parsed; a
        malformed filter shows every run, as the table does)."""
        try:
            pred = compile_filter(filter, self.getter)
            error = ""
        except FilterError as e:
            pred, error = (lambda i: True), str(e)
        rows = [i for i in range(self.n) if pred(i)]
        keys = []
        for spec in sort:
            field, desc = parse_sort_spec(spec)
            get = self.getter(field)
            if get is not None:
                keys.append((get, desc))
        return sort_rows(rows, keys), error
