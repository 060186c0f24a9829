// The page half of a component that draws one logged record per (run, key, step), fetched
// when its panel is visible (PlotlyView, Object3DView; wbnb/widgets/steprecords.py): the
// step index from the snapshot and deltas, a panel per (run, key) with a step slider,
// keys one below the other and their runs side by side across the element's width, the
// fetch of the record a visible panel shows and the reply handed to the component's
// `draw`. Keys, run names and notes are text only.
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
}

/** One (run, key)'s panel: head, slider, a note line and the body the component draws in. */
export interface Panel {
  readonly root: HTMLElement;
  readonly body: HTMLElement;
  readonly note: HTMLElement;
  series: RecordSteps;
  runName: string;
  /** The step shown (or being fetched). */
  step: number;
  /** The step whose record is drawn in `body` (-1: none yet). */
  drawn: number;
  slider: HTMLInputElement;
  stepText: HTMLElement;
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
  /** Draw `reply` in `panel.body` (the panel's width is already set). */
  draw(panel: Panel, reply: R, buffers: DataView[]): void | Promise<void>;
  /** The panel's width changed: fit what is drawn. */
  resized?(panel: Panel): void;
  /** The panel goes: free what its drawing holds. */
  dispose?(panel: Panel): void;
}

const SHARED_CSS = `
.wbnb-steprecords .wbnb-key { margin: 0 0 10px; }
.wbnb-steprecords .wbnb-key > .wbnb-panels { gap: 10px; }
.wbnb-steprecords .wbnb-panel { box-sizing: border-box; min-width: 0; }
.wbnb-steprecords .wbnb-steps { display: flex; gap: 6px; align-items: center; margin: 2px 0; }
.wbnb-steprecords .wbnb-steps input { flex: 1; min-width: 60px; max-width: 240px; }
.wbnb-steprecords .wbnb-note { color: var(--jp-ui-font-color2, #777); min-height: 1em; white-space: pre-wrap; }
`;
const MIN_PANEL = 240; // px: narrower panels wrap to the next line
const GAP = 10;
const KEPT = 16; // replies kept per view (a slider moved back needs no new fetch)
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
    for (const p of this.panels.values()) this.component.dispose?.(p);
    this.root.remove();
  }

  /** Panels by key then run, new ones made, each at its chosen step. */
  private refresh(): void {
    if (this.destroyed) return;
    const shown = [...this.series.values()].filter((s) => s.steps.length && (!this.keys || this.keys.includes(s.key)));
    const keys = [...new Set(shown.map((s) => s.key))].sort();
    for (const [id, p] of this.panels) {
      if (shown.some((s) => s.id === id)) continue;
      this.component.dispose?.(p); // its series is gone (a snapshot that no longer has it)
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
      body: document.createElement("div"),
      note: h("div", "wbnb-note", "", root),
      series: s,
      runName: this.runs[s.run]?.name ?? "",
      step: -1,
      drawn: -1,
      slider,
      stepText: h("span", "wbnb-step-label", "", steps),
    };
    h("span", "wbnb-sub", p.runName, head);
    p.body.className = "wbnb-body";
    root.appendChild(p.body);
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

  /** `p`'s slider at its chosen step; draws that step's record when the page has it. */
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
    if (p.drawn === p.step) return;
    const got = this.replies.get(`${p.series.id}|${p.step}`);
    if (got) void this.draw(p, got.reply, got.buffers);
    else p.note.textContent = `loading step ${p.step}…`;
  }

  private async draw(p: Panel, reply: R, buffers: DataView[]): Promise<void> {
    p.drawn = reply.step;
    p.note.textContent = "";
    this.stats.draws++;
    try {
      await this.component.draw(p, reply, buffers);
    } catch (err) {
      p.note.textContent = `cannot draw step ${reply.step}: ${err instanceof Error ? err.message : String(err)}`;
    }
    p.root.dataset.drawn = String(reply.step);
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
        if (el.style.width === `${w}px`) continue;
        el.style.width = `${w}px`;
        const p = this.panels.get(Number(el.dataset.id));
        if (p) this.component.resized?.(p);
      }
    }
  }

  private fetchVisible(): void {
    for (const p of this.panels.values()) {
      if (!this.visible.has(p.root) || p.drawn === p.step || p.step < 0) continue;
      const ask = `${p.series.id}|${p.step}`;
      if (this.replies.has(ask) || this.asked.has(ask)) continue;
      this.asked.add(ask);
      this.stats.fetches++;
      const msg: FetchRecord = { type: "fetch", req: ++this.req, id: p.series.id, step: p.step };
      this.model.send(msg);
    }
  }

  /** Whether `msg` is the component's reply (what else Python sends it is a delta). */
  private isReply(msg: unknown): msg is R {
    return this.component.isToPage(msg) && msg.type !== "delta";
  }

  private received(msg: unknown, buffers: DataView[]): void {
    if (!this.isReply(msg)) return;
    const ask = `${msg.id}|${msg.step}`;
    this.asked.delete(ask);
    const p = this.panels.get(msg.id);
    if (!buffers.length) {
      // No file (a server may not have it yet): not kept, asked again while the panel is shown.
      const wait = this.retryIn.get(ask) ?? RETRY_MS[0];
      this.retryIn.set(ask, Math.min(2 * wait, RETRY_MS[1]));
      setTimeout(() => {
        if (this.destroyed) return;
        if (p && p.step === msg.step) p.drawn = -1;
        this.fetchVisible();
      }, wait);
    } else {
      this.retryIn.delete(ask);
      this.replies.set(ask, { reply: msg, buffers });
      while (this.replies.size > KEPT) this.replies.delete(this.replies.keys().next().value ?? "");
    }
    if (p && p.step === msg.step) void this.draw(p, msg, buffers);
  }
}
