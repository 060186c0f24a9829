// One point cloud on a canvas: drag turns it, the wheel zooms, a double-click returns to
// the first view (the contract's YAW / PITCH, as the static picture shows it). Points are
// painted into the canvas's pixels with a depth buffer, so 100k points stay smooth to turn;
// a lidar/beta scene's boxes and vectors (the reply's shapes) are stroked over them.
import { canvasFont, sizeCanvas } from "../lib/canvas";
import { PITCH, type PointsReply, type Shape, YAW } from "./contract";
import { type Frame, frameOf, pointColors, project } from "./projection";

const STRIDE = { xyz: 3, xyzc: 4, xyzrgb: 6 } as const;
const TURN = 0.01; // radians per px dragged
const LIMIT = Math.PI / 2; // pitch stays within straight down .. straight up

export class Cloud {
  readonly canvas: HTMLCanvasElement;
  yaw = YAW;
  pitch = PITCH;
  zoom = 1;
  /** Frames painted (the tests see a drag repaint). */
  paints = 0;
  private readonly points: Float32Array;
  private readonly n: number;
  private readonly stride: number;
  private readonly colors: Uint8Array;
  private readonly frame: Frame;
  private readonly shapes: { ends: Float32Array; shape: Shape }[];
  private width = 0;
  private frameId = 0;

  constructor(parent: HTMLElement, reply: PointsReply, part: DataView) {
    this.stride = STRIDE[reply.columns];
    // a copy: the reply's bytes need not be 4-aligned within their buffer
    this.points = new Float32Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
    this.n = Math.min(reply.shown, Math.floor(this.points.length / this.stride));
    this.colors = pointColors(this.points, this.n, this.stride);
    this.frame = frameOf(this.points, this.n, this.stride);
    this.shapes = reply.shapes.map((shape) => ({ ends: new Float32Array(shape.segments.flat()), shape }));
    this.canvas = document.createElement("canvas");
    this.canvas.className = "wbnb-cloud";
    parent.appendChild(this.canvas);
    let drag: { x: number; y: number } | null = null;
    this.canvas.addEventListener("pointerdown", (ev) => {
      drag = { x: ev.clientX, y: ev.clientY };
      this.canvas.setPointerCapture(ev.pointerId);
    });
    this.canvas.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      this.yaw += (ev.clientX - drag.x) * TURN;
      this.pitch = Math.max(-LIMIT, Math.min(LIMIT, this.pitch + (ev.clientY - drag.y) * TURN));
      drag = { x: ev.clientX, y: ev.clientY };
      this.schedule();
    });
    const end = () => (drag = null);
    this.canvas.addEventListener("pointerup", end);
    this.canvas.addEventListener("pointercancel", end);
    this.canvas.addEventListener(
      "wheel",
      (ev) => {
        ev.preventDefault();
        this.zoom = Math.max(0.1, Math.min(50, this.zoom * Math.exp(-ev.deltaY * 0.001)));
        this.schedule();
      },
      { passive: false },
    );
    this.canvas.addEventListener("dblclick", () => {
      this.yaw = YAW;
      this.pitch = PITCH;
      this.zoom = 1;
      this.schedule();
    });
  }

  /** Size the canvas to `width` CSS px (3:4) and paint. */
  fit(width: number): void {
    this.width = Math.max(120, Math.floor(width));
    this.paint();
  }

  dispose(): void {
    if (this.frameId) cancelAnimationFrame(this.frameId);
    this.canvas.remove();
  }

  private schedule(): void {
    if (!this.frameId) this.frameId = requestAnimationFrame(() => this.paint());
  }

  private paint(): void {
    this.frameId = 0;
    const w = this.width;
    const h = Math.round(w * 0.75);
    const ctx = sizeCanvas(this.canvas, w, h);
    const W = this.canvas.width;
    const H = this.canvas.height;
    const dpr = W / w;
    const { x, y, depth } = project(this.points, this.n, this.stride, this.frame, this.yaw, this.pitch, this.zoom, w, h);
    const img = ctx.createImageData(W, H);
    const px = img.data;
    const z = new Float32Array(W * H).fill(-Infinity);
    const size = Math.max(2, Math.round(2 * dpr)); // a point: size x size device pixels
    for (let i = 0; i < this.n; i++) {
      const x0 = Math.round(x[i] * dpr - size / 2);
      const y0 = Math.round(y[i] * dpr - size / 2);
      if (x0 < 0 || y0 < 0 || x0 + size > W || y0 + size > H) continue;
      for (let dy = 0; dy < size; dy++) {
        for (let dx = 0; dx < size; dx++) {
          const at = (y0 + dy) * W + x0 + dx;
          if (depth[i] <= z[at]) continue;
          z[at] = depth[i];
          px[at * 4] = this.colors[i * 3];
          px[at * 4 + 1] = this.colors[i * 3 + 1];
          px[at * 4 + 2] = this.colors[i * 3 + 2];
          px[at * 4 + 3] = 255;
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    this.stroke(ctx, w, h);
    this.paints++;
  }

  /** The scene's boxes and vectors, in the points' view; labels as canvas text. */
  private stroke(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    ctx.lineWidth = 1.5;
    ctx.font = canvasFont(10);
    for (const { ends, shape } of this.shapes) {
      const n = ends.length / 3;
      const { x, y } = project(ends, n, 3, this.frame, this.yaw, this.pitch, this.zoom, w, h);
      ctx.strokeStyle = shape.color;
      ctx.fillStyle = shape.color;
      ctx.beginPath();
      for (let k = 0; k + 1 < n; k += 2) {
        ctx.moveTo(x[k], y[k]);
        ctx.lineTo(x[k + 1], y[k + 1]);
      }
      ctx.stroke();
      if (shape.label && n) ctx.fillText(shape.label, x[0] + 2, y[0] - 3);
    }
  }
}
