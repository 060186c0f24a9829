// The rules a histogram's heatmap on the page shares with its static picture, on the cases
// tests/widgets/histograms/test_layout.py runs against Python (tests/cases/histograms_layout.json);
// and the ridge plot's rows, which only the page draws.
import { test } from "node:test";
import assert from "node:assert/strict";
import cases from "../cases/histograms_layout.json";
import { heatLabelY, labelled, plotSize, shares, valueTicks } from "../../js/histograms/layout";
import { RIDGE_ROWS, ridgeRows } from "../../js/histograms/ridge";

const close = (got: number[], want: number[], what: string) => {
  assert.equal(got.length, want.length, what);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-9, `${what} [${i}]: ${v} != ${want[i]}`));
};

test("plot size", () => {
  for (const c of cases.plot_size) assert.deepEqual(plotSize(c.width, c.height), c.expected);
});

test("shares of each row's largest bin", () => {
  for (const c of cases.shares) {
    c.counts.forEach((row, i) => close([...shares(Float64Array.from(row))], c.expected[i], `${c.name} row ${i}`));
  }
});

test("value ticks", () => {
  for (const c of cases.value_ticks) {
    const ticks = valueTicks(c.lo, c.hi);
    assert.deepEqual(ticks.map((t) => t.label), c.labels, `${c.lo}..${c.hi}`);
    assert.deepEqual(ticks.map((t) => ({ at: t.at, anchor: t.anchor })), cases.tick_places);
  }
});

for (const c of cases.step_labels) {
  test(`step labels: ${c.name}`, () => {
    const rows = labelled(c.rows, c.height);
    assert.deepEqual(rows, c.labels.map(([i]) => i));
    close(rows.map((i) => heatLabelY(i, c.rows, c.height)), c.labels.map(([, y]) => y), c.name);
  });
}

test("a ridge plot draws every row up to RIDGE_ROWS, then an even subset from first to last", () => {
  assert.deepEqual(ridgeRows(3), [0, 1, 2]);
  assert.deepEqual(ridgeRows(RIDGE_ROWS), [...Array(RIDGE_ROWS).keys()]);
  const many = ridgeRows(1000);
  assert.equal(many.length, RIDGE_ROWS);
  assert.equal(many[0], 0);
  assert.equal(many[many.length - 1], 999);
  assert.ok(many.every((r, j) => j === 0 || r > many[j - 1]));
});
