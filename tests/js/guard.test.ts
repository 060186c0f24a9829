// js/lib/guard.ts: the guard each generated contract.ts makes of its messages narrows a
// payload by its `type` tag and turns away anything else the other half could send.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tagGuard } from "../../js/lib/guard";

type Msg = { type: "delta"; seq: number } | { type: "images"; req: number };

test("a payload is a message when its type tag is one of the tags", () => {
  const isMsg = tagGuard<Msg>(["delta", "images"]);
  assert.ok(isMsg({ type: "delta", seq: 1 }));
  assert.ok(isMsg({ type: "images", req: 2 }));
  for (const other of [null, undefined, "delta", 3, [], {}, { type: "matrix" }, { type: 1 }, { kind: "delta" }]) {
    assert.equal(isMsg(other), false, JSON.stringify(other));
  }
  assert.equal(tagGuard<Msg>([])({ type: "delta", seq: 1 }), false);
});
