// The rules Curves' page and its static picture both compute, against the shared cases
// (tests/cases/curves_*.json; tests/widgets/test_curves_cases.py holds the picture to the
// same files). Run by tests/widgets/test_table_logic.py (esbuild, node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import smoothing from "../cases/curves_smoothing.json";
import xAxis from "../cases/curves_x_axis.json";
import sections from "../cases/curves_sections.json";
import { sectionOf, sortKeys } from "../../js/curves/sections";
import { smooth, type Datum } from "../../js/curves/series";
import { xField, type XAxis } from "../../js/curves/xaxis";

const point = (y: number): Datum => ({ rid: "r", run: "r", b: 0, s: 0, t: 0, r: 0, m: null, y, ys: y, e: 0, n: 0 });

const close = (got: number[], want: number[]) => {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-9 * Math.abs(want[i]), `${g} != ${want[i]}`));
};

test("smoothing: the shared cases", () => {
  for (const c of smoothing.cases) {
    const points = c.y.map(point);
    smooth(points, c.alpha);
    close(points.map((p) => p.ys), c.ys);
  }
});

test("smoothing a delta's points carries the EMA on from the points before them", () => {
  for (const c of smoothing.cases) {
    const points = c.y.map(point);
    const half = Math.floor(points.length / 2);
    smooth(points, c.alpha);
    for (const p of points.slice(half)) p.ys = NaN;
    smooth(points, c.alpha, half);
    close(points.map((p) => p.ys), c.ys);
  }
});

const axes: Record<string, XAxis> = { auto: "auto", step: "step", wall: "wall", relative: "relative" };

test("x-axis: the shared cases", () => {
  for (const c of xAxis.cases) assert.equal(xField(axes[c.x_axis], c.step_metrics), c.field, JSON.stringify(c));
});

test("sections: the shared cases", () => {
  for (const c of sections.cases) {
    const ordered = sortKeys(c.keys);
    assert.deepEqual(ordered, c.sorted);
    assert.deepEqual(ordered.map(sectionOf), c.sections);
  }
});
