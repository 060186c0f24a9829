// How the widgets print a number, on the cases tests/widgets/test_svg.py runs against the
// pictures' Python (tests/cases/number.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import cases from "../cases/number.json";
import { formatNumber } from "../../js/lib/dom";

test("numbers as the widgets print them", () => {
  for (const c of cases.numbers) assert.equal(formatNumber(c.v), c.text, String(c.v));
});
