// The run table's cell text and column choice against the cases the static picture passes
// too (tests/cases/table_*.json; the Python half is tests/widgets/test_table_cases.py).
process.env.TZ = "UTC"; // before any Date is made: the cases' times are in UTC
import { test } from "node:test";
import assert from "node:assert/strict";
import cells from "../cases/table_cells.json";
import columns from "../cases/table_columns.json";
import { formatValue, visibleColumns, type Column } from "../../js/table/data";

const FLOATS: Record<string, number> = { inf: Infinity, "-inf": -Infinity, nan: NaN };
const NUMERIC = new Set(["num", "dur", "time"]);

test("a cell's text is what the picture prints", () => {
  for (const c of cells.cells) {
    const value = NUMERIC.has(c.type) && typeof c.value === "string" ? FLOATS[c.value] : c.value;
    assert.equal(formatValue(c.type as Column["type"], value), c.text, JSON.stringify(c));
  }
});

test("the columns shown are those the picture draws", () => {
  for (const c of columns.cases) {
    const shown = visibleColumns(c.keys.map((key) => ({ key })), c.columns).map((col) => col.key);
    assert.deepEqual(shown, c.shown, JSON.stringify(c));
  }
});
