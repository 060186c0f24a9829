// The MediaView's view: a panel per key (panel.ts) with a step slider, each run's audio,
// video and html side by side (cells.ts). The snapshot and deltas carry what the cells say
// (kind, caption, the line under it); a cell's file is asked for only once it is visible
// or played (fetcher.ts), and a sound's waveform comes with it, computed by Python
// (wbnb/widgets/mediaview/: model.py, waveform.py). Every user string is text.
import type { AnyModel, Host } from "@anywidget/types";
import type { RunInfo } from "../lib/contract";
import { h } from "../lib/dom";
import { LiveChannel } from "../lib/protocol";
import { widgetRoot } from "../lib/style";
import type { View, ViewOptions } from "../lib/view";
import { type Cell, cellOf, PendingCell } from "./cells";
import { isToPage } from "./contract";
import type { MediaDelta, MediaItem, MediaSeries, MediaSnapshot, MediaViewModel } from "./contract";
import { type Got, MediaFetcher } from "./fetcher";
import { KeyPanel } from "./panel";
import { CSS } from "./style";

const isDelta = (msg: unknown): msg is MediaDelta => isToPage(msg) && msg.type === "delta";
const REDRAWN_BY = ["change:steps_shown", "change:html_height"] as const;
const RETRY_MS = [2000, 60000]; // a file the store could not read: asked again after 2 s, doubling to 60 s

/** One MediaView model drawn into one element (mounted by index.ts, the run panel, or the tests). */
export class MediaView implements View {
  readonly ready: Promise<void>;
  private readonly fetcher: MediaFetcher;
  private readonly root: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly channel: LiveChannel<MediaSnapshot, MediaDelta>;
  private readonly only: Set<string> | null; // ViewOptions.keys
  private runs: RunInfo[] = [];
  private readonly series = new Map<number, MediaSeries>();
  private readonly panels = new Map<string, KeyPanel>();
  private readonly cells = new Map<string, { cell: Cell; item: string }>(); // "id|step|index"
  private readonly byRoot = new Map<Element, { cell: Cell; want: () => void }>();
  private readonly seen: IntersectionObserver;
  private readonly sized: ResizeObserver;
  private scheduled = false;
  private destroyed = false;
  private retryMs = RETRY_MS[0];
  private readonly onMsg = (msg: unknown, buffers: DataView[]) => {
    if (isToPage(msg) && msg.type === "media") this.fetcher.receive(msg, buffers ?? []);
  };
  private readonly onChange = () => this.schedule();

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<MediaViewModel>,
    _host?: Host,
    options?: ViewOptions,
  ) {
    this.only = options?.keys ? new Set(options.keys) : null;
    this.root = widgetRoot(el, "mediaview", CSS);
    this.body = h("div", "wbnb-body", undefined, this.root);
    this.fetcher = new MediaFetcher((request) => this.model.send(request));
    this.seen = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) this.byRoot.get(e.target)?.want();
    });
    this.sized = new ResizeObserver((entries) => {
      for (const e of entries) this.byRoot.get(e.target)?.cell.resized();
    });
    model.on("msg:custom", this.onMsg);
    for (const ev of REDRAWN_BY) model.on(ev, this.onChange);
    this.channel = new LiveChannel<MediaSnapshot, MediaDelta>(
      model,
      { rebuild: (snap) => this.rebuild(snap), apply: (delta) => this.apply(delta), commit: this.onChange },
      isDelta,
    );
    this.channel.start();
    this.draw();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.destroyed = true;
    this.channel.dispose();
    this.model.off("msg:custom", this.onMsg);
    for (const ev of REDRAWN_BY) this.model.off(ev, this.onChange);
    this.seen.disconnect();
    this.sized.disconnect();
    for (const { cell } of this.cells.values()) cell.destroy();
    this.cells.clear();
    this.root.remove();
  }

  private rebuild(snap: MediaSnapshot): void {
    this.runs = snap.runs;
    this.series.clear();
    for (const s of snap.series) {
      const items = s.items.map((its, i) => (its.length ? its : (this.series.get(s.id)?.items[i] ?? [])));
      this.series.set(s.id, { ...s, steps: [...s.steps], counts: [...s.counts], items });
    }
    // a file the store could not read yet (a video still being encoded) is asked for again
    for (const { cell } of this.cells.values()) {
      if (!cell.requested) (this.seen.unobserve(cell.root), this.seen.observe(cell.root));
    }
  }

  /** New media of a (run, key) at a step; media logged again at a step replace its cells. */
  private apply(delta: MediaDelta): void {
    for (const u of delta.upd) {
      let s = this.series.get(u.id);
      if (!s) this.series.set(u.id, (s = { id: u.id, run: u.run, key: u.key, steps: [], counts: [], items: [] }));
      let i = s.steps.findIndex((x) => x >= u.step);
      if (i < 0) i = s.steps.length;
      if (s.steps[i] === u.step) (s.items[i] = u.items), (s.counts[i] = u.items.length);
      else (s.steps.splice(i, 0, u.step), s.counts.splice(i, 0, u.items.length), s.items.splice(i, 0, u.items));
      for (const [k, c] of this.cells) if (k.startsWith(`${u.id}|${u.step}|`)) this.drop(k, c.cell);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.draw());
  }

  /** A panel per key shown (ViewOptions.keys, else every key), in key order; cells no
   * panel shows any more go (their Blob URLs with them). */
  private draw(): void {
    this.scheduled = false;
    if (this.destroyed) return;
    const byKey = new Map<string, MediaSeries[]>();
    for (const s of this.series.values()) {
      if (this.only && !this.only.has(s.key)) continue;
      byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
    }
    const keys = [...byKey.keys()].sort();
    for (const [key, p] of this.panels) if (!byKey.has(key)) (p.root.remove(), this.panels.delete(key));
    const used = new Set<string>();
    const chosen = this.model.get("steps_shown") ?? {};
    for (const key of keys) {
      const p = this.panels.get(key) ?? this.panel(key);
      this.body.appendChild(p.root);
      const series = (byKey.get(key) ?? []).sort((a, b) => a.run - b.run);
      p.show(this.runs, series, chosen[key] ?? -1, (s, step, index) => {
        const k = `${s.id}|${step}|${index}`;
        used.add(k);
        return this.cellFor(k, s, step, index);
      });
    }
    for (const [k, c] of this.cells) if (!used.has(k)) this.drop(k, c.cell);
    const empty = this.body.querySelector(":scope > .wbnb-empty");
    if (!keys.length && !empty) h("div", "wbnb-empty", "No audio, video or html logged yet.", this.body);
    else if (keys.length) empty?.remove();
  }

  private panel(key: string): KeyPanel {
    const p = new KeyPanel(this.body, key, (step) => {
      const shown = { ...this.model.get("steps_shown") };
      if (step < 0) delete shown[key]; // the slider's end follows new steps
      else shown[key] = step;
      this.model.set("steps_shown", shown);
      this.model.save_changes();
      this.schedule();
    });
    this.panels.set(key, p);
    return p;
  }

  /** The cell of medium ``index`` of series ``s`` at ``step``: kept while it shows the
   * same medium, made anew otherwise (a placeholder when the page does not know the medium
   * yet); it asks for its file once visible or played. */
  private cellFor(k: string, s: MediaSeries, step: number, index: number): Cell {
    const item = s.items[s.steps.indexOf(step)]?.[index];
    const sig = this.sig(item);
    const have = this.cells.get(k);
    if (have?.item === sig) return have.cell;
    if (have) this.drop(k, have.cell);
    const cell = item ? cellOf(item, this.model.get("html_height")) : new PendingCell();
    cell.root.addEventListener("pointerdown", () => this.want(k, s, step, index, cell)); // played before it was seen
    this.keep(k, cell, sig, s, step, index);
    return cell;
  }

  /** What a cell is drawn from: a redraw with another keeps nothing of it. */
  private sig(item: MediaItem | undefined): string {
    return `${JSON.stringify(item ?? null)}|${this.model.get("html_height")}`;
  }

  /** Ask for a cell's file, once until it comes. */
  private want(k: string, s: MediaSeries, step: number, index: number, cell: Cell): void {
    if (cell.requested) return;
    cell.requested = true;
    const item = { id: s.id, step, index, columns: cell.columns() };
    this.fetcher.want(item, (got) => this.arrived(k, s, step, index, cell, got));
  }

  /** A file came: its cell shows it; a placeholder gives way to the medium's own cell. */
  private arrived(k: string, s: MediaSeries, step: number, index: number, cell: Cell, got: Got): void {
    if (!got.bytes.length) this.retry(k);
    else this.retryMs = RETRY_MS[0];
    if (!(cell instanceof PendingCell) || this.cells.get(k)?.cell !== cell) return cell.load(got);
    const at = s.steps.indexOf(step);
    if (at >= 0) (s.items[at] = [...(s.items[at] ?? [])])[index] = got.item; // known from now on
    const real = cellOf(got.item, this.model.get("html_height"));
    real.requested = true;
    cell.root.replaceWith(real.root);
    this.drop(k, cell);
    this.keep(k, real, this.sig(got.item), s, step, index);
    real.load(got);
  }

  /** A file the store could not read (a server may not have it yet): its cell, while
   * shown, asks again later (``IntersectionObserver`` reports an observed cell anew). */
  private retry(k: string): void {
    const wait = this.retryMs;
    this.retryMs = Math.min(2 * wait, RETRY_MS[1]);
    setTimeout(() => {
      const cell = this.cells.get(k)?.cell;
      if (this.destroyed || !cell || cell.requested) return;
      this.seen.unobserve(cell.root);
      this.seen.observe(cell.root);
    }, wait);
  }

  private keep(k: string, cell: Cell, sig: string, s: MediaSeries, step: number, index: number): void {
    cell.root.dataset.cell = k;
    this.cells.set(k, { cell, item: sig });
    this.byRoot.set(cell.root, { cell, want: () => this.want(k, s, step, index, cell) });
    this.seen.observe(cell.root);
    this.sized.observe(cell.root);
  }

  private drop(k: string, cell: Cell): void {
    this.seen.unobserve(cell.root);
    this.sized.unobserve(cell.root);
    this.byRoot.delete(cell.root);
    this.cells.delete(k);
    cell.destroy();
  }
}
