// The Gallery page's layout against the cases the static picture's layout is held to too
// (tests/cases/gallery_layout.json; tests/widgets/gallery/test_layout.py runs them in Python).
import { test } from "node:test";
import assert from "node:assert/strict";
import cases from "../cases/gallery_layout.json";
import { figure, layout } from "../../js/gallery/layout";

for (const c of cases.layout) {
  test(`layout: ${c.name}`, () => {
    assert.deepEqual(layout(c.runs, c.index, { ...cases.choice_defaults, ...c.choices }), c.expected);
  });
}

test("figure: caption shown when not empty, pixels crisp under half the box", () => {
  for (const c of cases.figure) assert.deepEqual(figure(c.caption, c.width, c.size), c.expected, JSON.stringify(c));
});
