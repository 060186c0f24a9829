// Parallel coordinates with brushing, and the parameters' importance: the part Compare and
// the sweep panel share. Python computed every place, tick, colour and text (Parallel,
// wbnb/widgets/compare/parallel.py); this draws them in SVG at the layout the static
// picture uses, hides the lines outside the ranges brushed on the axes, and hands the runs
// that pass to `send` as a SelectRequest (none brushed: an empty selection).
import { formatNumber, h } from "../lib/dom";
import { svg, svgText } from "./svg";
import { AXIS_GAP, MARGIN, PLOT_HEIGHT, PLOT_TOP, type Importance, type Line, type Parallel, type SelectRequest } from "./contract";

export const PARALLEL_CSS = `
.wbnb-parallel svg { display: block; user-select: none; }
.wbnb-parallel .wbnb-pline { fill: none; stroke-width: 1.2; }
.wbnb-parallel .wbnb-pline.wbnb-off { display: none; }
.wbnb-parallel .wbnb-axis { stroke: #555; }
.wbnb-parallel .wbnb-brush-area { fill: transparent; cursor: crosshair; }
.wbnb-parallel .wbnb-brush { fill: rgba(76,120,168,.18); stroke: #4c78a8; pointer-events: none; }
.wbnb-parallel .wbnb-count { color: var(--jp-ui-font-color2, #777); margin: 2px 0 6px; }
.wbnb-importance { border-collapse: collapse; margin-top: 4px; }
.wbnb-importance caption { text-align: left; font-weight: 600; padding-bottom: 2px; }
.wbnb-importance td, .wbnb-importance th { padding: 1px 8px; text-align: left; white-space: pre; }
.wbnb-importance .wbnb-bar-cell { width: 160px; }
.wbnb-importance .wbnb-ibar { height: 9px; background: #4c78a8; }
.wbnb-importance .wbnb-neg { color: #b04a3a; }
.wbnb-importance .wbnb-note { color: var(--jp-ui-font-color2, #777); font-weight: normal; }
`;

interface Brush {
  lo: number; // pos, 0 at the bottom
  hi: number;
}

const yOf = (pos: number) => PLOT_TOP + PLOT_HEIGHT * (1 - pos);
const posOf = (y: number) => Math.min(1, Math.max(0, 1 - (y - PLOT_TOP) / PLOT_HEIGHT));

/** The SVG path of a line through its places, broken where it has no value. */
function pathOf(xs: number[], line: Line): string {
  let d = "";
  let open = false;
  line.pos.forEach((pos, i) => {
    if (pos === null) {
      open = false;
      return;
    }
    d += `${open ? "L" : "M"}${xs[i].toFixed(1)},${yOf(pos).toFixed(1)}`;
    open = true;
  });
  return d;
}

export class ParallelChart {
  readonly el: HTMLDivElement;
  private readonly count: HTMLDivElement;
  private readonly chart: HTMLDivElement;
  private readonly importance: HTMLDivElement;
  private readonly brushes = new Map<string, Brush>(); // by axis key
  private data: Parallel | null = null;
  private paths: [Line, SVGPathElement][] = [];
  private drag: { key: string; from: number; rect: SVGRectElement } | null = null;
  private readonly onMove = (ev: MouseEvent) => this.moveBrush(ev);
  private readonly onUp = (ev: MouseEvent) => this.endBrush(ev);

  constructor(parent: HTMLElement, private readonly send: (msg: SelectRequest) => void) {
    this.el = h("div", "wbnb-parallel", undefined, parent);
    this.chart = h("div", undefined, undefined, this.el);
    this.count = h("div", "wbnb-count", undefined, this.el);
    this.importance = h("div", undefined, undefined, this.el);
    window.addEventListener("mousemove", this.onMove);
    window.addEventListener("mouseup", this.onUp);
  }

  destroy(): void {
    window.removeEventListener("mousemove", this.onMove);
    window.removeEventListener("mouseup", this.onUp);
  }

  /** Draw `p`, keeping the brushes of the axes it still has. */
  draw(p: Parallel): void {
    this.data = p;
    for (const key of [...this.brushes.keys()]) if (!p.axes.some((a) => a.key === key)) this.brushes.delete(key);
    this.chart.replaceChildren();
    this.paths = [];
    const n = p.axes.length;
    if (n === 0) {
      h("div", "wbnb-empty", "no parameters to compare", this.chart);
      this.drawImportance(p);
      return;
    }
    const width = Math.max(420, 2 * MARGIN + AXIS_GAP * Math.max(n - 1, 1));
    const xs = n > 1 ? p.axes.map((_, i) => MARGIN + AXIS_GAP * i) : [width / 2];
    const root = svg("svg", { width, height: PLOT_TOP + PLOT_HEIGHT + 8 }, this.chart);
    const lines = svg("g", {}, root);
    for (const line of p.lines) {
      const path = svg("path", { class: "wbnb-pline", d: pathOf(xs, line), stroke: line.color }, lines);
      path.dataset.id = line.id;
      const tip = svg("title", {}, path);
      tip.textContent = [line.name, ...p.axes.map((a, i) => `${a.label}: ${line.text[i]}`)].join("\n");
      this.paths.push([line, path]);
    }
    p.axes.forEach((axis, i) => {
      const x = xs[i];
      const g = svg("g", { class: "wbnb-axis-g" }, root);
      g.dataset.key = axis.key;
      svg("line", { class: "wbnb-axis", x1: x, y1: PLOT_TOP, x2: x, y2: PLOT_TOP + PLOT_HEIGHT }, g);
      const name = svgText(g, x, PLOT_TOP - 14, axis.label + (axis.log ? " (log)" : ""), {
        "text-anchor": "middle",
        "font-weight": 600,
        class: "wbnb-axis-label",
      });
      name.dataset.key = axis.key;
      for (const tick of axis.ticks) {
        const y = yOf(tick.pos);
        svg("line", { class: "wbnb-axis", x1: x - 3, y1: y, x2: x, y2: y }, g);
        const label = svgText(g, x - 5, y + 4, tick.text, { "text-anchor": "end", "font-size": 10, fill: "#666", class: "wbnb-tick" });
        if (tick.full !== tick.text) svg("title", {}, label).textContent = tick.full;
      }
      const area = svg("rect", { class: "wbnb-brush-area", x: x - 12, y: PLOT_TOP, width: 24, height: PLOT_HEIGHT }, g);
      const brush = svg("rect", { class: "wbnb-brush", x: x - 8, y: 0, width: 16, height: 0 }, g);
      this.showBrush(brush, this.brushes.get(axis.key));
      area.addEventListener("mousedown", (ev) => {
        ev.preventDefault();
        this.drag = { key: axis.key, from: posOf(this.localY(root, ev)), rect: brush };
      });
    });
    this.filter();
    this.drawImportance(p);
  }

  private localY(root: SVGSVGElement, ev: MouseEvent): number {
    return ev.clientY - root.getBoundingClientRect().top;
  }

  private showBrush(rect: SVGRectElement, b: Brush | undefined): void {
    rect.setAttribute("y", b ? yOf(b.hi).toFixed(1) : "0");
    rect.setAttribute("height", b ? (PLOT_HEIGHT * (b.hi - b.lo)).toFixed(1) : "0");
  }

  private moveBrush(ev: MouseEvent): void {
    if (!this.drag) return;
    const root = this.drag.rect.ownerSVGElement;
    if (!root) return;
    const at = posOf(this.localY(root, ev));
    this.showBrush(this.drag.rect, { lo: Math.min(at, this.drag.from), hi: Math.max(at, this.drag.from) });
  }

  private endBrush(ev: MouseEvent): void {
    const drag = this.drag;
    if (!drag) return;
    this.drag = null;
    const root = drag.rect.ownerSVGElement;
    const at = root ? posOf(this.localY(root, ev)) : drag.from;
    // a click without a drag clears the axis' brush
    if (Math.abs(at - drag.from) * PLOT_HEIGHT < 3) this.brushes.delete(drag.key);
    else this.brushes.set(drag.key, { lo: Math.min(at, drag.from), hi: Math.max(at, drag.from) });
    this.showBrush(drag.rect, this.brushes.get(drag.key));
    const shown = this.filter();
    this.send({ type: "select", ids: this.brushes.size ? shown : [] });
  }

  /** Hide the lines outside a brush; returns the ids of those shown. */
  private filter(): string[] {
    const p = this.data;
    if (!p) return [];
    const ranges = p.axes.map((a) => this.brushes.get(a.key));
    const shown: string[] = [];
    for (const [line, path] of this.paths) {
      const pass = ranges.every((b, i) => {
        const pos = line.pos[i];
        return !b || (pos !== null && pos >= b.lo && pos <= b.hi);
      });
      path.classList.toggle("wbnb-off", !pass);
      if (pass) shown.push(line.id);
    }
    this.count.textContent = this.brushes.size
      ? `${shown.length} of ${p.lines.length} runs in the brushed ranges`
      : `${p.lines.length} runs · drag along an axis to filter, click it to clear`;
    return shown;
  }

  private drawImportance(p: Parallel): void {
    this.importance.replaceChildren();
    if (!p.metric) return;
    const table = h("table", "wbnb-importance", undefined, this.importance);
    const caption = h("caption", undefined, `parameter importance for ${p.metric}`, table);
    if (p.method) h("span", "wbnb-note", ` · ${p.method}`, caption);
    if (p.note) h("div", "wbnb-note wbnb-why", p.note, caption);
    const head = h("tr", undefined, undefined, h("thead", undefined, undefined, table));
    for (const t of ["parameter", "importance", "", "correlation"]) h("th", undefined, t, head);
    const body = h("tbody", undefined, undefined, table);
    for (const e of p.importance) this.importanceRow(body, e);
  }

  private importanceRow(body: HTMLElement, e: Importance): void {
    const tr = h("tr", undefined, undefined, body);
    h("td", undefined, e.key, tr);
    const bar = h("td", "wbnb-bar-cell", undefined, tr);
    if (e.importance !== null) h("div", "wbnb-ibar", undefined, bar).style.width = `${Math.max(0, Math.min(1, e.importance)) * 100}%`;
    h("td", undefined, e.importance === null ? "" : formatNumber(e.importance), tr);
    const corr = e.correlation;
    h("td", corr !== null && corr < 0 ? "wbnb-neg" : undefined, corr === null ? "-" : formatNumber(corr), tr);
  }
}
