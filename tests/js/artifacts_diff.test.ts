// The ArtifactBrowser's metadata diff (js/artifacts/diff.ts): only the page diffs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { metadataDiff } from "../../js/artifacts/diff";

test("keys that differ, sorted, with how they changed; the rest counted", () => {
  const a = { lr: 0.1, epochs: 3, opt: { name: "adam" }, gone: null, "<b>": "<i>x</i>" };
  const b = { lr: 0.01, epochs: 3, opt: { name: "adam" }, added: [1, 2] };
  assert.deepEqual(metadataDiff(a, b), {
    rows: [
      { key: "<b>", change: "removed", a: '"<i>x</i>"', b: "" },
      { key: "added", change: "added", a: "", b: "[1,2]" },
      { key: "gone", change: "removed", a: "null", b: "" },
      { key: "lr", change: "changed", a: "0.1", b: "0.01" },
    ],
    same: 2,
  });
  assert.deepEqual(metadataDiff({}, {}), { rows: [], same: 0 });
});
