// Numbers on the pages print as the static pictures print them (tests/cases/numbers.json;
// tests/widgets/test_numbers.py holds wbnb/widgets/pictures/svg.py's number() to it).
import { test } from "node:test";
import assert from "node:assert/strict";
import numbers from "../cases/numbers.json";
import { formatNumber } from "../../js/lib/dom";

test("formatNumber: the shared cases", () => {
  for (const [value, text] of numbers.cases) assert.equal(formatNumber(Number(value)), text, String(value));
});
