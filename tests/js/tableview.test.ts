// TableView's page rules: the sort (natural text order, missing last, ties in the table's
// order), the header click cycle, the filter over column names, and reading a ColumnsReply's
// buffers (UTF-16 offsets into the decoded UTF-8 text, missing flags, float64 numbers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromPreview, fromReply } from "../../js/tableview/columns";
import { filterRows, nextSort, parseSort, sortKeys, sortRows } from "../../js/tableview/order";

function textBuffers(values: (string | null)[]): DataView[] {
  const all = values.map((v) => v ?? "").join("");
  const off = new Uint32Array(values.length + 1);
  values.forEach((v, i) => (off[i + 1] = off[i] + (v ?? "").length));
  const blob = new TextEncoder().encode(all);
  const missing = Uint8Array.from(values, (v) => (v === null ? 1 : 0));
  return [blob, off, missing].map((a) => new DataView(a.buffer, a.byteOffset, a.byteLength));
}

const NAMES = ["row-10", "row-2", null, "Row-3", "é😀", "row-2"];
const SCORES = [3, 1, 2, NaN, 0.5, 1];

function table() {
  const num = new Float64Array(SCORES);
  return fromReply(
    {
      type: "columns",
      req: 1,
      step: -1,
      version: "0",
      nrows: 6,
      columns: [
        { name: "name", kind: "text", buf: 0 },
        { name: "score", kind: "number", buf: 3 },
      ],
    },
    [...textBuffers(NAMES), new DataView(num.buffer)],
  );
}

test("columns: text sliced by UTF-16 offsets, missing as null, numbers formatted", () => {
  const t = table();
  assert.deepEqual(
    Array.from({ length: 6 }, (_, i) => t.cols[0].value(i)),
    NAMES,
  );
  assert.equal(t.cols[1].text(3), "");
  assert.equal(t.cols[1].text(4), "0.5");
  assert.equal(t.cols[1].value(3), null);
});

test("sort: text in natural order, case-insensitive; missing last both ways; ties in table order", () => {
  const t = table();
  const keys = sortKeys(t.cols[0], t.nrows);
  const asc = Array.from(sortRows(Uint32Array.from([0, 1, 2, 3, 4, 5]), keys, false));
  assert.deepEqual(asc, [1, 5, 3, 0, 4, 2]); // row-2, row-2, Row-3, row-10, é😀, missing
  const desc = Array.from(sortRows(Uint32Array.from([0, 1, 2, 3, 4, 5]), keys, true));
  assert.deepEqual(desc, [4, 0, 3, 1, 5, 2]);
  const nums = Array.from(sortRows(Uint32Array.from([0, 1, 2, 3, 4, 5]), sortKeys(t.cols[1], 6), false));
  assert.deepEqual(nums, [4, 1, 5, 2, 0, 3]); // 0.5, 1, 1 (table order), 2, 3, NaN last
});

test("a header click cycles ascending, descending, none; another column starts ascending", () => {
  assert.equal(nextSort("", "a"), "+a");
  assert.equal(nextSort("+a", "a"), "-a");
  assert.equal(nextSort("-a", "a"), "");
  assert.equal(nextSort("-a", "b"), "+b");
  assert.deepEqual(parseSort("-x y"), { name: "x y", desc: true });
  assert.equal(parseSort("x"), null);
});

test("filter: RunTable's language over column names", () => {
  const t = table();
  assert.deepEqual(Array.from(filterRows(t, "score >= 1 and name ~ row")), [0, 1, 5]);
  assert.deepEqual(Array.from(filterRows(t, "not score > 0")), [3]);
  assert.throws(() => filterRows(t, "score >"));
});

test("the preview's rows read as the reply's would", () => {
  const p = fromPreview({
    step: -1,
    version: "0",
    nrows: 3,
    columns: [
      { name: "n", kind: "number", buf: -1 },
      { name: "img", kind: "media", buf: -1 },
      { name: "ok", kind: "bool", buf: -1 },
    ],
    rows: [
      [1.5, { media: "image" }, true],
      [null, null, false],
    ],
  });
  assert.equal(p.complete, false);
  assert.deepEqual([p.cols[0].text(0), p.cols[1].text(0), p.cols[2].text(0), p.cols[2].text(1)], ["1.5", "image", "true", "false"]);
  assert.equal(p.cols[0].value(1), null);
});
