// How a point cloud is put on the canvas: wbnb/widgets/object3d/projection.py's rule
// (tests/cases/object3d_projection.json holds both): centred on the middle of its bounding
// box, turned `yaw` about the vertical (y) axis then `pitch` about the horizontal one,
// orthographic, the farthest point at 45 % of the shorter side times `zoom`; y up. And
// each point's colour (`pointColors`).
import { PALETTE, POINT_COLOR } from "./contract";

/** The centre and radius of a cloud (computed once per cloud, not per frame). */
export interface Frame {
  cx: number;
  cy: number;
  cz: number;
  radius: number;
}

/** `points`: `n` rows of `stride` float32, x y z first. */
export function frameOf(points: Float32Array, n: number, stride: number): Frame {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < 3; d++) {
      const v = points[i * stride + d];
      if (v < lo[d]) lo[d] = v;
      if (v > hi[d]) hi[d] = v;
    }
  }
  const c = [0, 1, 2].map((d) => (n ? (lo[d] + hi[d]) / 2 : 0));
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    const dx = points[i * stride] - c[0];
    const dy = points[i * stride + 1] - c[1];
    const dz = points[i * stride + 2] - c[2];
    r2 = Math.max(r2, dx * dx + dy * dy + dz * dz);
  }
  return { cx: c[0], cy: c[1], cz: c[2], radius: Math.sqrt(r2) || 1 };
}

/** Screen x, screen y (down) and depth (larger: nearer) of each point. */
export function project(
  points: Float32Array,
  n: number,
  stride: number,
  frame: Frame,
  yaw: number,
  pitch: number,
  zoom: number,
  width: number,
  height: number,
): { x: Float32Array; y: Float32Array; depth: Float32Array } {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const depth = new Float32Array(n);
  const scale = ((0.45 * Math.min(width, height)) / frame.radius) * zoom;
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  for (let i = 0; i < n; i++) {
    const px = points[i * stride] - frame.cx;
    const py = points[i * stride + 1] - frame.cy;
    const pz = points[i * stride + 2] - frame.cz;
    const x1 = px * cy + pz * sy;
    const z1 = -px * sy + pz * cy;
    x[i] = width / 2 + x1 * scale;
    y[i] = height / 2 - (py * cp - z1 * sp) * scale;
    depth[i] = py * sp + z1 * cp;
  }
  return { x, y, depth };
}

function rgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Each point's colour, 3 bytes a point: its rgb columns (clipped, rounded), its
 * category's (PALETTE, the category's integer part modulo its length), else POINT_COLOR. */
export function pointColors(points: Float32Array, n: number, stride: number): Uint8Array {
  const out = new Uint8Array(n * 3);
  const palette = PALETTE.map(rgb);
  const one = rgb(POINT_COLOR);
  for (let i = 0; i < n; i++) {
    let c: readonly number[] = one;
    if (stride === 6) {
      const at = i * stride + 3;
      c = [0, 1, 2].map((k) => Math.round(Math.max(0, Math.min(255, points[at + k] || 0))));
    } else if (stride === 4) {
      const k = Math.trunc(points[i * stride + 3] || 0);
      c = palette[((k % palette.length) + palette.length) % palette.length];
    }
    out.set(c, i * 3);
  }
  return out;
}
