// Object3D's projection and point colours, on the cases tests/widgets/object3d/test_object3d.py
// runs against the picture's Python (tests/cases/object3d_projection.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import cases from "../cases/object3d_projection.json";
import { frameOf, pointColors, project } from "../../js/object3d/projection";

const close = (a: ArrayLike<number>, b: number[], what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-3, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test("points projected as the picture projects them", () => {
  for (const c of cases.project) {
    const pts = new Float32Array(c.points.flat());
    const n = c.points.length;
    const out = project(pts, n, 3, frameOf(pts, n, 3), c.yaw, c.pitch, c.zoom, c.width, c.height);
    const what = `${c.name} (${c.yaw}, ${c.pitch}, ${c.zoom})`;
    close(out.x, c.x, `${what} x`);
    close(out.y, c.y, `${what} y`);
    close(out.depth, c.depth, `${what} depth`);
  }
});

test("point colours: rgb, category, or the one colour", () => {
  for (const c of cases.colors) {
    const stride = c.points[0].length;
    const got = pointColors(new Float32Array(c.points.flat()), c.points.length, stride);
    assert.deepEqual([...got], c.rgb.flat(), c.name);
  }
});
