// Canvas helpers of the heatmap views (confusion matrices, histograms).

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
