// The heatmaps' colour scale, on the cases tests/widgets/test_svg.py runs against the
// pictures' Python (tests/cases/heat.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import cases from "../cases/heat.json";
import { heatColor, heatText } from "../../js/lib/heat";

test("heat colours and the text on them", () => {
  for (const c of cases.heat) {
    assert.equal(heatColor(c.v), c.color, String(c.v));
    assert.equal(heatText(c.v), c.text, String(c.v));
  }
});
