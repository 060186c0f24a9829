// One matrix's panel: its head, step slider and note, the canvas heatmap and the hover tip.
// Class names are drawn on the canvas or set as textContent: never HTML.
import { canvasFont, placeTip, sizeCanvas } from "../lib/canvas";
import { h } from "../lib/dom";
import { heatColor, heatText } from "../lib/heat";
import { cellText, largest, normalized, shade, type Normalize } from "./cells";
import { layout, type Layout, type Measure } from "./layout";
import type { Entry } from "./matrices";

/** What a panel shows: which matrix, at which step, how. */
export interface Shown {
  entry: Entry;
  runName: string;
  step: number;
  mode: Normalize;
  size: number;
  /** The width the panel may take (px, its border in; 0: not known): a wider matrix shrinks to it. */
  room: number;
}

export class MatrixPanel {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  /** Where the drawn matrix is (the tests point at cells through it). */
  layout?: Layout;
  /** The cells' texts as drawn now (rows = true class). */
  texts: string[][] = [];
  private readonly head: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly stepText: HTMLElement;
  private readonly note: HTMLElement;
  private readonly tip: HTMLElement;
  private readonly mark: HTMLElement;
  private shown?: { entry: Entry; m: Float64Array };

  /** `onStep(i)`: the viewer moved the slider to the entry's i-th step. */
  constructor(parent: HTMLElement, entry: Entry, private readonly measure: Measure, onStep: (i: number) => void) {
    this.root = h("div", "wbnb-panel", undefined, parent);
    this.root.dataset.id = String(entry.id);
    this.root.dataset.key = entry.key;
    this.head = h("div", "wbnb-head", undefined, this.root);
    const steps = h("div", "wbnb-steps", undefined, this.root);
    h("span", undefined, "step", steps);
    this.slider = h("input", "wbnb-step-slider", undefined, steps);
    this.slider.type = "range";
    this.slider.min = "0";
    this.slider.step = "1";
    this.stepText = h("span", "wbnb-step-label", "", steps);
    this.note = h("div", "wbnb-note", "", this.root);
    this.canvas = h("canvas", undefined, undefined, this.root);
    this.mark = h("div", "wbnb-mark", undefined, this.root);
    this.tip = h("div", "wbnb-tip", undefined, this.root);
    this.slider.addEventListener("input", () => onStep(Number(this.slider.value)));
    this.canvas.addEventListener("pointermove", (ev) => this.hover(ev));
    this.canvas.addEventListener("pointerleave", () => this.hideTip());
  }

  /** The head and the slider at `s.step`; returns whether the page has that step's matrix
   * (if not, the panel says it is loading and keeps what it drew). */
  show(s: Shown): boolean {
    const e = s.entry;
    this.head.replaceChildren(document.createTextNode(e.key));
    h("span", "wbnb-sub", [s.runName, e.title ?? ""].filter(Boolean).join(" · "), this.head);
    const idx = e.steps.indexOf(s.step);
    this.slider.max = String(Math.max(0, e.steps.length - 1));
    this.slider.value = String(idx);
    this.slider.disabled = e.steps.length < 2;
    this.stepText.textContent = `${s.step}  ·  ${idx + 1}/${e.steps.length}`;
    const m = e.mats.get(s.step);
    if (!m) {
      this.note.textContent = `loading step ${s.step}…`;
      return false;
    }
    this.note.textContent = "";
    this.paint(s, m);
    return true;
  }

  /** The matrix's layout at the widget's size, or smaller where the panel has less room. */
  private fitted(k: number, s: Shown, max: number): Layout {
    const L = layout(k, s.size, s.entry.names, max, s.mode, this.measure);
    if (s.room <= 0) return L;
    const css = getComputedStyle(this.root);
    const chrome = ["paddingLeft", "paddingRight", "borderLeftWidth", "borderRightWidth"] as const;
    const room = chrome.reduce((w, side) => w - parseFloat(css[side]), s.room);
    return L.width <= room ? L : layout(k, L.size - (L.width - room), s.entry.names, max, s.mode, this.measure);
  }

  private paint(s: Shown, m: Float64Array): void {
    const k = Math.round(Math.sqrt(m.length));
    const shown = normalized(m, k, s.mode);
    const max = largest(shown);
    const L = this.fitted(k, s, max);
    const { left, top, cell } = L;
    const ctx = sizeCanvas(this.canvas, L.width, L.height);
    ctx.clearRect(0, 0, L.width, L.height);
    const texts: string[][] = [];
    for (let a = 0; a < k; a++) {
      const row: string[] = [];
      for (let b = 0; b < k; b++) {
        ctx.fillStyle = heatColor(shade(shown[a * k + b], max, s.mode));
        ctx.fillRect(left + b * cell, top + a * cell, Math.ceil(cell), Math.ceil(cell));
        row.push(cellText(shown[a * k + b], s.mode));
      }
      texts.push(row);
    }
    if (L.numbers) {
      ctx.font = canvasFont(L.font);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          ctx.fillStyle = heatText(shade(shown[a * k + b], max, s.mode));
          ctx.fillText(texts[a][b], left + (b + 0.5) * cell, top + (a + 0.5) * cell);
        }
      }
    }
    if (L.outline) {
      ctx.strokeStyle = "rgba(0,0,0,.35)";
      ctx.lineWidth = 1;
      for (let a = 0; a < k; a++) ctx.strokeRect(left + a * cell + 0.5, top + a * cell + 0.5, cell - 1, cell - 1);
    }
    // class names: rows (true) on the left, columns (predicted) on top
    ctx.fillStyle = "#444";
    ctx.font = canvasFont(L.label);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const [a, name] of L.rows) ctx.fillText(name, left - 4, top + (a + 0.5) * cell);
    for (const [b, name] of L.cols) {
      const x = left + (b + 0.5) * cell;
      if (L.turned) {
        ctx.save();
        ctx.translate(x, top - 4);
        ctx.rotate(-Math.PI / 4);
        ctx.textAlign = "left";
        ctx.fillText(name, 0, 0);
        ctx.restore();
      } else {
        ctx.textAlign = "center";
        ctx.textBaseline = "bottom";
        ctx.fillText(name, x, top - 3);
      }
    }
    // axis titles
    ctx.fillStyle = "#666";
    ctx.font = canvasFont(11, "600");
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("predicted", left + L.size / 2, 2);
    ctx.save();
    ctx.translate(4, top + L.size / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("true", 0, 0);
    ctx.restore();
    this.layout = L;
    this.texts = texts;
    this.shown = { entry: s.entry, m };
    this.root.dataset.step = String(s.step);
  }

  private hover(ev: PointerEvent): void {
    const L = this.layout;
    if (!L || !this.shown) return;
    const r = this.canvas.getBoundingClientRect();
    const b = Math.floor((ev.clientX - r.left - L.left) / L.cell);
    const a = Math.floor((ev.clientY - r.top - L.top) / L.cell);
    if (a < 0 || b < 0 || a >= L.k || b >= L.k) return this.hideTip();
    // outline the cell under the pointer; tiny cells get a visible box
    const grow = Math.max(0, 6 - L.cell) / 2;
    Object.assign(this.mark.style, {
      display: "block",
      left: `${this.canvas.offsetLeft + L.left + b * L.cell - grow}px`,
      top: `${this.canvas.offsetTop + L.top + a * L.cell - grow}px`,
      width: `${L.cell + 2 * grow}px`,
      height: `${L.cell + 2 * grow}px`,
    });
    const { entry, m } = this.shown;
    const k = L.k;
    const count = m[a * k + b];
    let row = 0;
    let col = 0;
    for (let j = 0; j < k; j++) {
      row += m[a * k + j];
      col += m[j * k + b];
    }
    const pct = (of: number) => (of ? cellText(count / of, "true") : "–");
    const name = (i: number) => entry.names[i] ?? String(i);
    this.tip.textContent = [
      `true: ${name(a)}`,
      `predicted: ${name(b)}`,
      `count: ${cellText(count, "none")}`,
      `${pct(row)} of true ${name(a)}`,
      `${pct(col)} of predicted ${name(b)}`,
    ].join("\n");
    placeTip(this.tip, this.root, ev);
  }

  private hideTip(): void {
    this.tip.style.display = "none";
    this.mark.style.display = "none";
  }
}
