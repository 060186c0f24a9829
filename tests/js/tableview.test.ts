// TableView's page rules: the sort (by the ranks Python gives text, missing last, ties in
// the table's order), the header click cycle, the filter over column names, and reading a
// ColumnsReply's buffers (a text column's dictionary: UTF-16 offsets into the decoded UTF-8
// text of its distinct values, each row's index, each value's rank; float64 numbers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromPreview, fromReply } from "../../js/tableview/columns";
import { filterRows, nextSort, parseSort, sortRows } from "../../js/tableview/order";

/** A text column's four buffers as Python sends them; ``rankOf``: each distinct value's rank
 * (Python's natural order, wbnb/widgets/tableview/textorder.py, which tests/widgets/tableview
 * checks; here the page only reads them). */
function textBuffers(values: (string | null)[], rankOf: Record<string, number>): DataView[] {
  const distinct = [...new Set(values.filter((v): v is string => v !== null))];
  const off = new Uint32Array(distinct.length + 1);
  distinct.forEach((v, i) => (off[i + 1] = off[i] + v.length));
  const blob = new TextEncoder().encode(distinct.join(""));
  const codes = Int32Array.from(values, (v) => (v === null ? -1 : distinct.indexOf(v)));
  const ranks = Int32Array.from(distinct, (v) => rankOf[v]);
  return [blob, off, codes, ranks].map((a) => new DataView(a.buffer, a.byteOffset, a.byteLength));
}

const NAMES = ["row-10", "row-2", null, "Row-3", "é😀", "row-2"];
// natural order: row-2 < Row-3 < row-10 < é😀 (a tie would share a rank)
const RANKS = { "row-2": 0, "Row-3": 1, "row-10": 2, "é😀": 3 };
const SCORES = [3, 1, 2, NaN, 0.5, 1];

function table(ranks: Record<string, number> = RANKS) {
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
        { name: "score", kind: "number", buf: 4 },
      ],
    },
    [...textBuffers(NAMES, ranks), new DataView(num.buffer)],
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

test("sort: text by Python's ranks; missing last both ways; ties in table order", () => {
  const t = table();
  const asc = Array.from(sortRows(Uint32Array.from([0, 1, 2, 3, 4, 5]), t.cols[0].keys(), false));
  assert.deepEqual(asc, [1, 5, 3, 0, 4, 2]); // row-2, row-2, Row-3, row-10, é😀, missing
  const desc = Array.from(sortRows(Uint32Array.from([0, 1, 2, 3, 4, 5]), t.cols[0].keys(), true));
  assert.deepEqual(desc, [4, 0, 3, 1, 5, 2]);
  // the page compares ranks, never the text: other ranks, another order
  const tied = table({ "row-2": 1, "Row-3": 0, "row-10": 0, "é😀": 2 });
  const byRank = Array.from(sortRows(Uint32Array.from([0, 1, 2, 3, 4, 5]), tied.cols[0].keys(), false));
  assert.deepEqual(byRank, [0, 3, 1, 5, 4, 2]); // row-10 and Row-3 tie: table order
  const nums = Array.from(sortRows(Uint32Array.from([0, 1, 2, 3, 4, 5]), t.cols[1].keys(), false));
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
    ranks: [[], [0, -1], []],
  });
  assert.equal(p.complete, false);
  assert.deepEqual(Array.from(p.cols[1].keys()), [0, NaN]); // the preview's text sorts by its ranks too
  assert.deepEqual([p.cols[0].text(0), p.cols[1].text(0), p.cols[2].text(0), p.cols[2].text(1)], ["1.5", "image", "true", "false"]);
  assert.equal(p.cols[0].value(1), null);
});
