// The page half of a component that draws the records logged per (run, key, step), fetched
// when their panel is visible (PlotlyView, Object3DView; wbnb/widgets/steprecords.py): the
// step index from the snapshot and deltas, a panel per (run, key) with a step slider,
// keys one below the other and their runs side by side across the element's width, in
// each panel a cell per item of the step (a list logged under one key: its items side by
// side), the fetch of each item a visible panel shows and the reply handed to the
// component's `draw`. Keys, run names and notes are text only.
import type { AnyModel, Host } from "@anywidget/types";
import type { FetchRecord, RecordSteps, StepsDelta, StepsSnapshot } from "./contract";
import { h } from "./dom";
import { LiveChannel } from "./protocol";
import { widgetRoot } from "./style";
import type { View, ViewOptions } from "./view";

/** The traits every step-records component has. */
export interface StepsModel {
  _snapshot: StepsSnapshot;
  steps_shown: Record<string, number>;
}

/** A reply to a fetch: its buffers hold the record's bytes. */
export interface RecordReply {
  type: string;
  req: number;
  id: number;
  step: number;
  index: number;
}

/** One (run, key)'s panel: head, slider, a note line and a cell per item of its step. */
export interface Panel {
  readonly root: HTMLElement;
  /** Holds the cells, side by side. */
  readonly items: HTMLElement;
  readonly note: HTMLElement;
  readonly cells: Cell[];
  series: RecordSteps;
  runName: string;
  /** The step shown (or being fetched). */
  step: number;
  /** The panel's width in px (0: not laid out yet). */
  width: number;
  slider: HTMLInputElement;
  stepText: HTMLElement;
}

/** One item of a panel's step: the component draws it in `body`. */
export interface Cell {
  readonly root: HTMLElement;
  /** "i/n" for an item of a list. */
  readonly head: HTMLElement;
  readonly body: HTMLElement;
  /** Says why the item is not drawn (text). */
  readonly note: HTMLElement;
  readonly panel: Panel;
  /** The item's position in its step's list. */
  readonly index: number;
  /** The step whose item is drawn in `body` (-1: none yet). */
  drawn: number;
}

/** What a component gives the shared view. */
export interface Component<R extends RecordReply> {
  /** Its name: the root's class `wbnb-<name>`. */
  name: string;
  css: string;
  /** The note shown when nothing is logged. */
  empty: string;
  /** Its generated guard of what Python sends it: a `StepsDelta` or its reply. */
  isToPage: (msg: unknown) => msg is StepsDelta | R;
  /** Draw `reply` in `cell.body` (the cell's width is already set). */
  draw(cell: Cell, reply: R, buffers: DataView[]): void | Promise<void>;
  /** The cell's width changed: fit what is drawn. */
  resized?(cell: Cell): void;
  /** The cell goes: free what its drawing holds. */
  dispose?(cell: Cell): void;
}

const SHARED_CSS = `
.wbnb-steprecords .wbnb-key { margin: 0 0 10px; }
.wbnb-steprecords .wbnb-key > .wbnb-panels { gap: 10px; }
.wbnb-steprecords .wbnb-panel { box-sizing: border-box; min-width: 0; }
.wbnb-steprecords .wbnb-steps { display: flex; gap: 6px; align-items: center; margin: 2px 0; }
.wbnb-steprecords .wbnb-steps input { flex: 1; min-width: 60px; max-width: 240px; }
.wbnb-steprecords .wbnb-note { color: var(--jp-ui-font-color2, #777); min-height: 1em; white-space: pre-wrap; }
.wbnb-steprecords .wbnb-items { display: flex; flex-wrap: wrap; gap: 10px; }
.wbnb-steprecords .wbnb-item { box-sizing: border-box; min-width: 0; }
.wbnb-steprecords .wbnb-item-head { color: var(--jp-ui-font-color2, #777); }
`;
const MIN_PANEL = 240; // px: narrower panels wrap to the next line
const MIN_CELL = 180; // px: a list's items narrower than this wrap within their panel
const GAP = 10;
const KEPT = 32; // replies (items) kept per view: a slider moved back needs no new fetch
const RETRY_MS = [2000, 60000]; // a file the store could not read: asked again after 2 s, doubling to 60 s

/** A step-records component's view (see the file's head). */
export class StepRecordsView<M extends StepsModel, R extends RecordReply> implements View {
  readonly ready: Promise<void>;
  readonly panels = new Map<number, Panel>();
  readonly stats = { fetches: 0, draws: 0 };
  readonly root: HTMLDivElement;
  private readonly body: HTMLElement;
  private readonly channel: LiveChannel<StepsSnapshot, StepsDelta>;
  private readonly series = new Map<number, RecordSteps>();
  private runs: StepsSnapshot["runs"] = [];
  private readonly replies = new Map<string, { reply: R; buffers: DataView[] }>();
  private readonly asked = new Set<string>();
  private readonly visible = new Set<HTMLElement>();
  private readonly seen: IntersectionObserver;
  private readonly sized: ResizeObserver;
  private readonly keys?: readonly string[];
  private req = 0;
  /** Per `id|step` whose file the store could not read: ms until it is asked again. */
  private readonly retryIn = new Map<string, number>();
  private destroyed = false;
  private readonly onMsg = (msg: unknown, buffers: DataView[]) => this.received(msg, buffers ?? []);
  private readonly onChoice = () => this.refresh();

  constructor(
    el: HTMLElement,
    protected readonly model: AnyModel<M>,
    private readonly component: Component<R>,
    _host?: Host,
    options?: ViewOptions,
  ) {
    this.keys = options?.keys;
    this.root = widgetRoot(el, component.name, SHARED_CSS + component.css);
    this.root.classList.add("wbnb-steprecords");
    this.body = h("div", "wbnb-keys", undefined, this.root);
    this.seen = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) this.visible.add(e.target as HTMLElement);
        else this.visible.delete(e.target as HTMLElement);
      }
      this.fetchVisible();
    });
    this.sized = new ResizeObserver(() => this.layout());
    this.sized.observe(this.root);
    model.on("msg:custom", this.onMsg);
    model.on("change:steps_shown", this.onChoice);
    this.channel = new LiveChannel<StepsSnapshot, StepsDelta>(
      model,
      {
        rebuild: (snap) => {
          this.runs = snap.runs;
          this.series.clear();
          for (const s of snap.series) this.series.set(s.id, s);
        },
        apply: (delta) => {
          for (const s of delta.upd) this.series.set(s.id, s);
        },
        commit: () => this.refresh(),
      },
      (msg): msg is StepsDelta => component.isToPage(msg) && msg.type === "delta",
    );
    this.channel.start();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.destroyed = true;
    this.channel.dispose();
    this.seen.disconnect();
    this.sized.disconnect();
    this.model.off("msg:custom", this.onMsg);
    this.model.off("change:steps_shown", this.onChoice);
    for (const p of this.panels.values()) for (const c of p.cells) this.component.dispose?.(c);
    this.root.remove();
  }

  /** Panels by key then run, new ones made, each at its chosen step. */
  private refresh(): void {
    if (this.destroyed) return;
    const shown = [...this.series.values()].filter((s) => s.steps.length && (!this.keys || this.keys.includes(s.key)));
    const keys = [...new Set(shown.map((s) => s.key))].sort();
    for (const [id, p] of this.panels) {
      if (shown.some((s) => s.id === id)) continue;
      for (const c of p.cells) this.component.dispose?.(c); // its series is gone (a snapshot that no longer has it)
      this.seen.unobserve(p.root);
      this.visible.delete(p.root);
      p.root.remove();
      this.panels.delete(id);
    }
    const rows = new Map<string, HTMLElement>();
    for (const row of this.body.querySelectorAll<HTMLElement>(":scope > .wbnb-key")) {
      if (row.dataset.key !== undefined && keys.includes(row.dataset.key)) rows.set(row.dataset.key, row);
      else row.remove();
    }
    for (const key of keys) {
      let row = rows.get(key);
      if (!row) {
        row = h("div", "wbnb-key");
        row.dataset.key = key;
        h("div", "wbnb-panels", undefined, row);
      }
      this.body.appendChild(row); // keys in order
      const holder = row.firstElementChild;
      if (!(holder instanceof HTMLElement)) continue;
      for (const s of shown.filter((x) => x.key === key).sort((a, b) => a.run - b.run)) {
        const p = this.panels.get(s.id) ?? this.panel(s, holder);
        p.series = s;
        p.runName = this.runs[s.run]?.name ?? "";
        holder.appendChild(p.root);
        this.show(p);
      }
    }
    let empty = this.root.querySelector(":scope > .wbnb-empty");
    if (!shown.length && !empty) empty = h("div", "wbnb-empty", this.component.empty, this.root);
    else if (shown.length) empty?.remove();
    this.layout();
    this.fetchVisible();
  }

  private panel(s: RecordSteps, holder: HTMLElement): Panel {
    const root = h("div", "wbnb-panel", undefined, holder);
    root.dataset.id = String(s.id);
    root.dataset.key = s.key;
    const head = h("div", "wbnb-head", s.key, root);
    const steps = h("div", "wbnb-steps", undefined, root);
    h("span", undefined, "step", steps);
    const slider = h("input", "wbnb-step-slider", undefined, steps);
    slider.type = "range";
    slider.min = "0";
    slider.step = "1";
    const p: Panel = {
      root,
      note: h("div", "wbnb-note", "", root),
      items: document.createElement("div"),
      cells: [],
      series: s,
      runName: this.runs[s.run]?.name ?? "",
      step: -1,
      width: 0,
      slider,
      stepText: h("span", "wbnb-step-label", "", steps),
    };
    h("span", "wbnb-sub", p.runName, head);
    p.items.className = "wbnb-items";
    root.appendChild(p.items);
    slider.addEventListener("input", () => this.choose(p, Number(slider.value)));
    this.panels.set(s.id, p);
    this.seen.observe(root);
    return p;
  }

  /** The viewer moved `p`'s slider to its i-th step (the end follows new steps). */
  private choose(p: Panel, i: number): void {
    const shown: Record<string, number> = { ...this.model.get("steps_shown") };
    if (i >= p.series.steps.length - 1) delete shown[String(p.series.id)];
    else shown[String(p.series.id)] = p.series.steps[i];
    this.model.set("steps_shown", shown);
    this.model.save_changes();
    this.refresh();
  }

  /** `p`'s slider at its chosen step, a cell per item of it; draws each item the page has. */
  private show(p: Panel): void {
    const steps = p.series.steps;
    // Each (run, key) slides over its own steps: a chosen step is one it logged (not the
    // last-at-or-before rule of views with one slider over several runs, js/mediaview/steps.ts).
    const chosen = this.model.get("steps_shown")[String(p.series.id)];
    p.step = typeof chosen === "number" && steps.includes(chosen) ? chosen : steps[steps.length - 1];
    const i = steps.indexOf(p.step);
    p.slider.max = String(Math.max(0, steps.length - 1));
    p.slider.value = String(i);
    p.slider.disabled = steps.length < 2;
    p.stepText.textContent = `${p.step}  ·  ${i + 1}/${steps.length}`;
    p.root.dataset.step = String(p.step);
    this.cellsOf(p, p.series.counts[i] ?? 1);
    p.root.dataset.items = String(p.cells.length);
    if (this.allDrawn(p)) return;
    p.note.textContent = `loading step ${p.step}…`;
    for (const c of p.cells) {
      const got = c.drawn === p.step ? undefined : this.replies.get(this.ask(p, c.index));
      if (got) void this.draw(c, got.reply, got.buffers);
    }
  }

  /** `count` cells in `p` (one per item of its step), laid out. */
  private cellsOf(p: Panel, count: number): void {
    for (const c of p.cells.splice(count)) {
      this.component.dispose?.(c);
      c.root.remove();
    }
    while (p.cells.length < count) {
      const root = h("div", "wbnb-item", undefined, p.items);
      root.dataset.index = String(p.cells.length);
      const cell: Cell = {
        root,
        panel: p,
        index: p.cells.length,
        drawn: -1,
        head: h("div", "wbnb-item-head", "", root),
        note: h("div", "wbnb-note", "", root),
        body: h("div", "wbnb-body", undefined, root),
      };
      p.cells.push(cell);
    }
    for (const c of p.cells) c.head.textContent = count > 1 ? `${c.index + 1}/${count}` : "";
    this.layoutCells(p);
  }

  private allDrawn(p: Panel): boolean {
    return p.cells.every((c) => c.drawn === p.step);
  }

  private ask(p: Panel, index: number): string {
    return `${p.series.id}|${p.step}|${index}`;
  }

  private async draw(c: Cell, reply: R, buffers: DataView[]): Promise<void> {
    const p = c.panel;
    c.drawn = reply.step;
    c.note.textContent = "";
    this.stats.draws++;
    try {
      await this.component.draw(c, reply, buffers);
    } catch (err) {
      c.note.textContent = `cannot draw step ${reply.step}: ${err instanceof Error ? err.message : String(err)}`;
    }
    c.root.dataset.drawn = String(reply.step);
    if (p.step === reply.step && this.allDrawn(p)) {
      p.note.textContent = "";
      p.root.dataset.drawn = String(reply.step);
    }
  }

  /** Runs side by side across the element's width; narrow elements wrap them. */
  private layout(): void {
    const width = this.root.clientWidth;
    if (!width) return;
    for (const row of this.body.querySelectorAll<HTMLElement>(":scope > .wbnb-key")) {
      const panels = row.querySelectorAll<HTMLElement>(":scope > .wbnb-panels > .wbnb-panel");
      const per = Math.max(1, Math.min(panels.length, Math.floor((width + GAP) / (MIN_PANEL + GAP))));
      const w = Math.floor((width - GAP * (per - 1)) / per);
      for (const el of panels) {
        el.style.width = `${w}px`;
        const p = this.panels.get(Number(el.dataset.id));
        if (p && p.width !== w) {
          p.width = w;
          this.layoutCells(p);
        }
      }
    }
  }

  /** A panel's cells side by side across its width; a narrow panel wraps them. */
  private layoutCells(p: Panel): void {
    const n = p.cells.length;
    const width = p.width && p.items.clientWidth; // inside the panel's padding
    if (!width || !n) return;
    const per = Math.max(1, Math.min(n, Math.floor((width + GAP) / (MIN_CELL + GAP))));
    const w = Math.floor((width - GAP * (per - 1)) / per);
    for (const c of p.cells) {
      if (c.root.style.width === `${w}px`) continue;
      c.root.style.width = `${w}px`;
      this.component.resized?.(c);
    }
  }

  private fetchVisible(): void {
    for (const p of this.panels.values()) {
      if (!this.visible.has(p.root) || p.step < 0) continue;
      for (const c of p.cells) {
        const ask = this.ask(p, c.index);
        if (c.drawn === p.step || this.replies.has(ask) || this.asked.has(ask)) continue;
        this.asked.add(ask);
        this.stats.fetches++;
        const msg: FetchRecord = { type: "fetch", req: ++this.req, id: p.series.id, step: p.step, index: c.index };
        this.model.send(msg);
      }
    }
  }

  /** Whether `msg` is the component's reply (what else Python sends it is a delta). */
  private isReply(msg: unknown): msg is R {
    return this.component.isToPage(msg) && msg.type !== "delta";
  }

  private received(msg: unknown, buffers: DataView[]): void {
    if (!this.isReply(msg)) return;
    const ask = `${msg.id}|${msg.step}|${msg.index}`;
    this.asked.delete(ask);
    const p = this.panels.get(msg.id);
    const c = p?.cells[msg.index];
    if (!buffers.length) {
      // No file (a server may not have it yet): not kept, asked again while the panel is shown.
      const wait = this.retryIn.get(ask) ?? RETRY_MS[0];
      this.retryIn.set(ask, Math.min(2 * wait, RETRY_MS[1]));
      setTimeout(() => {
        if (this.destroyed) return;
        if (p && c && p.step === msg.step) c.drawn = -1;
        this.fetchVisible();
      }, wait);
    } else {
      this.retryIn.delete(ask);
      this.replies.set(ask, { reply: msg, buffers });
      while (this.replies.size > KEPT) this.replies.delete(this.replies.keys().next().value ?? "");
    }
    if (p && c && p.step === msg.step) void this.draw(c, msg, buffers);
  }
}
