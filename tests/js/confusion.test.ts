// The rules the confusion matrix's page shares with its static picture, on the cases
// tests/widgets/confusion/test_cases.py runs against Python (tests/cases/confusion_*.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import cells from "../cases/confusion_cells.json";
import layouts from "../cases/confusion_layout.json";
import { cellText, largest, normalized, shade, type Normalize } from "../../js/confusion/cells";
import { NORMALIZE } from "../../js/confusion/contract";
import { layout } from "../../js/confusion/layout";

const asMode = (m: string): Normalize => {
  const mode = NORMALIZE.find((x) => x === m);
  assert.ok(mode, `no mode ${m}`);
  return mode;
};

const close = (got: number[][], want: number[][], what: string) =>
  want.forEach((row, a) => row.forEach((v, b) => assert.ok(Math.abs(got[a][b] - v) <= 1e-12, `${what} [${a}][${b}]: ${got[a][b]} != ${v}`)));

test("normalising, shades and cell texts", () => {
  for (const c of cells.matrices) {
    const k = c.matrix.length;
    const mode = asMode(c.mode);
    const shown = normalized(Float64Array.from(c.matrix.flat()), k, mode);
    const max = largest(shown);
    const grid = (f: (v: number) => number) => c.matrix.map((_, a) => c.matrix.map((_, b) => f(shown[a * k + b])));
    const what = `${JSON.stringify(c.matrix)} by ${c.mode}`;
    close(grid((v) => v), c.shown, what);
    close(grid((v) => shade(v, max, mode)), c.shades, what);
    assert.deepEqual(c.matrix.map((_, a) => c.matrix.map((_, b) => cellText(shown[a * k + b], mode))), c.texts, what);
  }
  for (const c of cells.texts) assert.equal(cellText(c.v, asMode(c.mode)), c.text, `${c.v} ${c.mode}`);
});

test("layouts, text measured as the picture estimates it", () => {
  const measure = (s: string, px: number) => s.length * px * layouts.char_width;
  for (const c of layouts.layouts) {
    assert.deepEqual({ ...layout(c.k, c.size, c.names, c.max, asMode(c.mode), measure) }, c.layout, `${c.k} classes, ${c.size} px`);
  }
});
