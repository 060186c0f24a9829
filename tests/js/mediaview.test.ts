// The MediaView page's step rule against the cases the static picture's is held to too
// (tests/cases/steps.json; tests/widgets/mediaview/test_model.py and tests/widgets/test_steps.py run them in Python).
import { test } from "node:test";
import assert from "node:assert/strict";
import cases from "../cases/steps.json";
import { stepShown, unionSteps } from "../../js/mediaview/steps";

for (const c of cases.cases) {
  test(`stepShown: ${c.name}`, () => {
    assert.deepEqual(stepShown(c.steps, c.chosen), c.expected);
  });
}

test("unionSteps: every run's steps, once, ascending", () => {
  assert.deepEqual(unionSteps([[0, 5, 9], [3, 5], []]), [0, 3, 5, 9]);
});
