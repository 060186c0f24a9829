// Heatmap helpers shared by the confusion matrix and the histogram views (canvas).

// A sequential scale from near-white to dark blue, readable on light and dark pages.
const STOPS: [number, number, number][] = [
  [247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107],
];

/** Colour of v in [0, 1] (clamped) on the blue scale. */
export function heatColor(v: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return `rgb(${Math.round(a[0] + (b[0] - a[0]) * f)},${Math.round(a[1] + (b[1] - a[1]) * f)},${Math.round(a[2] + (b[2] - a[2]) * f)})`;
}

/** Whether text on a cell of value v should be white (dark cell). */
export function darkCell(v: number): boolean {
  return v > 0.55;
}

/** Size a canvas for CSS size w x h at the device pixel ratio; returns its 2-D context. */
export function sizeCanvas(canvas: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(w * dpr));
  canvas.height = Math.max(1, Math.round(h * dpr));
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}


/** Font string for canvas text (canvas cannot read CSS variables). */
export function canvasFont(px: number, weight = ""): string {
  return `${weight ? weight + " " : ""}${px}px system-ui, -apple-system, "Segoe UI", sans-serif`;
}

/** Place a tooltip box near the pointer, inside its positioned parent. */
export function placeTip(tip: HTMLElement, parent: HTMLElement, ev: PointerEvent): void {
  tip.style.display = "block";
  const r = parent.getBoundingClientRect();
  const left = ev.clientX - r.left + 14;
  tip.style.left = `${Math.max(0, Math.min(left, r.width - tip.offsetWidth - 4))}px`;
  tip.style.top = `${ev.clientY - r.top + 14}px`;
}
