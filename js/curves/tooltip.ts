// Hover on a chart: the nearest point of each run as text (step and value, the raw value
// too while smoothing) and a vertical rule at it. Read from the page's own points, not
// vega's tooltip (no hover encodings: nothing re-runs the dataflow while the mouse moves).
import { formatNumber } from "../lib/dom";
import type { ChartCell } from "./chart";
import type { Datum } from "./series";
import { nearest, xValue, type XField } from "./xaxis";

/** What the tooltip reads of the view it is in. */
export interface HoverSource {
  /** The field a key is drawn against. */
  xFieldOf(key: string): XField;
  /** The lines of a key: each run's name and points. */
  linesOf(key: string): Iterable<{ name: string; points: Datum[] }>;
  /** The smoothing weight (0: none). */
  alpha(): number;
}

/** A vega scale as the hover uses it (vega's scales are untyped). */
interface Scale {
  (value: number): number;
  invert?: (px: number) => number;
  range?: () => number[];
}

/** Show the tooltip and rule of `c` while the pointer is over its chart. */
export function hookHover(c: ChartCell, src: HoverSource): void {
  c.box.addEventListener("pointermove", (ev: PointerEvent) => {
    const view = c.shown?.view;
    const canvas = c.box.querySelector("canvas");
    if (!view || !canvas) return;
    let sx: Scale;
    let sy: Scale;
    try {
      sx = view.scale("x");
      sy = view.scale("y");
    } catch {
      return;
    }
    if (!sx?.invert) return;
    const rect = canvas.getBoundingClientRect();
    const [ox, oy] = view.origin();
    const px = ev.clientX - rect.left - ox;
    const field = src.xFieldOf(c.key);
    const target = +sx.invert(px);
    const smoothing = src.alpha() > 0;
    const lines: string[] = [];
    let ruleX: number | undefined;
    for (const { name, points } of src.linesOf(c.key)) {
      if (!points.length) continue;
      const p = nearest(points, field, target);
      if (!p) continue;
      const v = smoothing ? `${formatNumber(p.ys)} (raw ${formatNumber(p.y)})` : formatNumber(p.y);
      lines.push(`${name}  step ${p.s}  ${v}`);
      ruleX ??= sx(xValue(p, field));
    }
    if (!lines.length) return c.hideHover();
    c.tip.textContent = lines.join("\n");
    c.tip.style.display = "block";
    const cellRect = c.cell.getBoundingClientRect();
    const left = ev.clientX - cellRect.left + 12;
    c.tip.style.left = `${Math.min(left, Math.max(0, cellRect.width - c.tip.offsetWidth - 4))}px`;
    c.tip.style.top = `${ev.clientY - cellRect.top + 12}px`;
    if (ruleX !== undefined && Number.isFinite(ruleX)) {
      const range = sy?.range?.() ?? [0, rect.height];
      c.rule.style.display = "block";
      c.rule.style.left = `${rect.left - cellRect.left + ox + ruleX}px`;
      c.rule.style.top = `${rect.top - cellRect.top + oy + Math.min(range[0], range[1])}px`;
      c.rule.style.height = `${Math.abs(range[0] - range[1])}px`;
    }
  });
  c.box.addEventListener("pointerleave", () => c.hideHover());
}
