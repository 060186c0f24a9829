// TableView's view: a logged table, virtualised (only the rows in view are in the DOM, at
// a fixed row height over a spacer), sorted by a header click, filtered by RunTable's
// language, a column chooser, image cells as thumbnails asked for only for the rows in
// view (click: the full image over the page), a step slider when the key was logged at
// several steps. The snapshot holds the step index and the first rows (drawn at once, and
// what a saved notebook shows); the whole table comes as column buffers in the answer to
// a fetch (columns.ts). Every cell and column name is inserted as text.
import type { AnyModel, Host } from "@anywidget/types";
import { h } from "../lib/dom";
import { FilterError } from "../lib/filter";
import { LiveChannel } from "../lib/protocol";
import { widgetRoot } from "../lib/style";
import type { View, ViewOptions } from "../lib/view";
import { enlarge } from "../gallery/overlay";
import { fromPreview, fromReply, type Col, type TableData } from "./columns";
import { isToPage } from "./contract";
import type { ColumnsReply, TableViewDelta, TableViewModel, TableViewSnapshot } from "./contract";
import { filterRows, nextSort, parseSort, sortRows } from "./order";
import { COL_W, CSS, IMG_ROW_H, ROW_H } from "./style";
import { CellImages } from "./thumbs";

const OVERSCAN = 6;
const RETRY_MS = [2000, 60000]; // a table that could not be read: asked again after 2 s, doubling to 60 s
const CHOICES = ["step", "sort", "filter", "hidden", "height"] as const;
const EMPTY: TableData = { version: "", nrows: 0, cols: [], complete: true };

const isDelta = (msg: unknown): msg is TableViewDelta => isToPage(msg) && msg.type === "delta";

/** One TableView model drawn into one element (mounted by index.ts, or by the tests). */
export class LoggedTableView implements View {
  readonly ready: Promise<void>;
  private readonly root: HTMLDivElement;
  private readonly title: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly stepLabel: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly count: HTMLElement;
  private readonly ferr: HTMLElement;
  private readonly chooser: HTMLElement;
  private readonly scroll: HTMLElement;
  private readonly inner: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private readonly images: CellImages;
  private readonly channel: LiveChannel<TableViewSnapshot, TableViewDelta>;
  private readonly drawn = new Map<number, HTMLElement>(); // position in ``order`` -> its row
  private spare: HTMLElement[] = []; // rows scrolled out, refilled by the next draw
  private readonly stats = { draws: 0, columnRequests: 0 };
  private key = "";
  private steps: number[] = []; // the slider's stops: every run's steps
  private data: TableData = EMPTY;
  private order: Uint32Array = new Uint32Array(0);
  private visible: { col: Col; index: number }[] = [];
  private rowH = ROW_H;
  private asked = NaN; // the step whose whole table was asked for last
  private retryMs = RETRY_MS[0];
  private req = 0;
  private frame = 0;
  private destroyed = false;
  private readonly onMsg = (msg: unknown, buffers: DataView[]) => {
    if (!isToPage(msg)) return;
    if (msg.type === "columns") this.receive(msg, buffers ?? []);
    else if (msg.type === "images") {
      this.images.receive(msg, buffers ?? []);
      if (msg.full) {
        const it = msg.items[0];
        const url = it && this.images.get(msg.version, it.row, it.col, true);
        if (url) enlarge(this.root, { url, caption: null }, this.where(it.row, it.col));
      } else this.redraw();
    }
  };
  private readonly onChoice = (name: (typeof CHOICES)[number]) => () => {
    if (name === "step") this.ask();
    else if (name === "height") this.resize();
    else this.refresh();
  };
  private readonly handlers = CHOICES.map((name) => [name, this.onChoice(name)] as const);

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<TableViewModel>,
    _host?: Host,
    private readonly options: ViewOptions = {},
  ) {
    this.root = widgetRoot(el, "tableview", CSS);
    const bar = h("div", "wbnb-bar", undefined, this.root);
    this.title = h("span", "wbnb-key", "", bar);
    const stepBox = h("label", "wbnb-steps", undefined, bar);
    this.slider = h("input", "wbnb-step", undefined, stepBox);
    this.slider.type = "range";
    this.stepLabel = h("span", "wbnb-step-label", "", stepBox);
    this.input = h("input", "wbnb-filter", undefined, bar);
    this.input.type = "text";
    this.input.spellcheck = false;
    this.input.placeholder = 'filter: score > 0.5 and label == cat, label ~ "^ca"';
    const colsBtn = h("button", "wbnb-colsbtn", "Columns", bar);
    this.count = h("span", "wbnb-count", "", bar);
    this.ferr = h("div", "wbnb-ferr", "", this.root);
    this.chooser = h("div", "wbnb-chooser", undefined, this.root);
    this.chooser.style.display = "none";
    this.scroll = h("div", "wbnb-scroll", undefined, this.root);
    this.inner = h("div", "wbnb-inner", undefined, this.scroll);
    this.head = h("div", "wbnb-head", undefined, this.inner);
    this.body = h("div", "wbnb-body", undefined, this.inner);
    this.images = new CellImages((request) => this.model.send(request));

    this.input.value = model.get("filter");
    this.input.addEventListener("input", () => this.choose("filter", this.input.value));
    this.slider.addEventListener("input", () => {
      const i = Number(this.slider.value);
      this.choose("step", i >= this.steps.length - 1 ? -1 : this.steps[i]);
    });
    colsBtn.addEventListener("click", () => {
      this.chooser.style.display = this.chooser.style.display === "none" ? "" : "none";
      this.drawChooser();
    });
    this.head.addEventListener("click", (e) => {
      const name = e.target instanceof HTMLElement ? e.target.closest<HTMLElement>(".wbnb-th")?.dataset.name : undefined;
      if (name !== undefined) this.choose("sort", nextSort(this.model.get("sort"), name));
    });
    this.body.addEventListener("click", (e) => this.onCellClick(e));
    this.scroll.addEventListener("scroll", () => this.schedule());
    model.on("msg:custom", this.onMsg);
    for (const [name, cb] of this.handlers) model.on(`change:${name}`, cb);
    this.channel = new LiveChannel<TableViewSnapshot, TableViewDelta>(
      model,
      {
        rebuild: (snapshot) => this.rebuild(snapshot),
        apply: (delta) => this.setSteps(delta.steps, true),
        commit: () => undefined,
      },
      isDelta,
    );
    // What the browser tests and the benchmark read (tests/widgets/tableview/).
    Object.assign(this.root, {
      __wbnb: { stats: this.stats, images: this.images.stats, data: () => this.data, order: () => this.order },
    });
    this.resize();
    this.channel.start();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.destroyed = true;
    this.channel.dispose();
    this.model.off("msg:custom", this.onMsg);
    for (const [name, cb] of this.handlers) this.model.off(`change:${name}`, cb);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.images.destroy();
    this.root.remove();
  }

  // -- the model -----------------------------------------------------------------------

  private choose<K extends "step" | "sort" | "filter" | "hidden">(name: K, value: TableViewModel[K]): void {
    this.model.set(name, value);
    this.model.save_changes();
  }

  /** A snapshot: the steps, and the preview's rows until the whole table is here. */
  private rebuild(snapshot: TableViewSnapshot): void {
    this.key = snapshot.key;
    this.title.textContent = snapshot.key;
    // A container that mounts views per key (ViewOptions.keys) gets nothing from one whose key it did not ask for.
    this.root.style.display = this.wanted() ? "" : "none";
    const p = snapshot.preview;
    if (p && p.step === this.model.get("step") && (!this.data.complete || this.data.version !== p.version)) {
      this.show(fromPreview(p));
    }
    this.setSteps(snapshot.steps, false);
  }

  /** The runs' steps: the slider's stops; a view following the newest step asks anew. */
  private setSteps(perRun: number[][], changed: boolean): void {
    this.steps = [...new Set(perRun.flat())].sort((a, b) => a - b);
    this.slider.parentElement!.style.display = this.steps.length > 1 ? "" : "none";
    this.slider.min = "0";
    this.slider.max = String(Math.max(0, this.steps.length - 1));
    this.drawStep();
    if (changed && this.model.get("step") < 0) this.asked = NaN;
    this.ask();
  }

  private drawStep(): void {
    const step = this.model.get("step");
    const i = step < 0 ? this.steps.length - 1 : this.steps.indexOf(step);
    this.slider.value = String(Math.max(0, i));
    const at = step < 0 ? this.steps[this.steps.length - 1] : step;
    this.stepLabel.textContent = at === undefined ? "" : `step ${at}${step < 0 ? " (newest)" : ""}`;
  }

  /** Ask Python for the whole table of the chosen step (once per step). */
  private ask(): void {
    const step = this.model.get("step");
    this.drawStep();
    if (this.asked === step || !this.wanted()) return;
    this.asked = step;
    this.stats.columnRequests++;
    this.model.send({ type: "fetch", req: ++this.req, what: "columns", step });
  }

  private wanted(): boolean {
    return !this.options.keys || this.options.keys.includes(this.key);
  }

  private receive(reply: ColumnsReply, buffers: DataView[]): void {
    if (reply.step !== this.model.get("step")) return; // an answer for a step left since
    if (!reply.complete) {
      // a table the store could not read (a server may not have its file yet): asked again
      const wait = this.retryMs;
      this.retryMs = Math.min(2 * wait, RETRY_MS[1]);
      setTimeout(() => {
        if (this.destroyed || this.asked !== reply.step || this.model.get("step") !== reply.step) return;
        this.asked = NaN;
        this.ask();
      }, wait);
    } else this.retryMs = RETRY_MS[0];
    this.show(fromReply(reply, buffers));
  }

  private show(data: TableData): void {
    this.data = data;
    this.refresh();
  }

  /** Filter, sort and the columns shown anew, then draw. */
  private refresh(): void {
    if (this.destroyed) return;
    const filter = this.model.get("filter");
    if (this.input.value !== filter) this.input.value = filter;
    let error = "";
    try {
      this.order = filterRows(this.data, filter);
    } catch (e) {
      this.order = filterRows(this.data, ""); // a malformed filter shows every row, and says why
      error = e instanceof FilterError ? `${filter}\n${" ".repeat(e.pos)}^ ${e.message}` : String(e);
    }
    this.ferr.textContent = error;
    this.input.classList.toggle("wbnb-bad", !!error);
    const sort = parseSort(this.model.get("sort"));
    const col = sort && this.data.cols.find((c) => c.name === sort.name);
    if (sort && col) sortRows(this.order, col.keys(), sort.desc);
    const hidden = new Set(this.model.get("hidden"));
    this.visible = this.data.cols.map((col, index) => ({ col, index })).filter(({ col }) => !hidden.has(col.name));
    this.rowH = this.visible.some(({ col }) => col.kind === "media") ? IMG_ROW_H : ROW_H;
    const more = this.data.complete ? "" : " (loading the rest…)";
    this.count.textContent = `${this.order.length} of ${this.data.nrows} rows${more}`;
    this.drawHead();
    if (this.chooser.style.display !== "none") this.drawChooser();
    this.inner.style.height = `${ROW_H + this.rowH * this.order.length}px`;
    this.redraw();
  }

  private resize(): void {
    this.scroll.style.height = `${Math.max(3 * ROW_H, this.model.get("height") || 420)}px`;
    this.schedule();
  }

  // -- drawing -------------------------------------------------------------------------

  private drawHead(): void {
    const sort = parseSort(this.model.get("sort"));
    this.head.replaceChildren();
    for (const { col } of this.visible) {
      const mark = sort?.name === col.name ? (sort.desc ? " ▼" : " ▲") : "";
      const th = h("div", "wbnb-th" + (col.kind === "number" ? " wbnb-num" : ""), col.name + mark, this.head);
      th.dataset.name = col.name;
      th.title = `${col.name} (click: sort ascending, again: descending, again: unsorted)`;
    }
    const width = `${Math.max(1, this.visible.length) * COL_W}px`;
    this.inner.style.width = this.head.style.width = width;
    if (!this.data.cols.length) h("div", "wbnb-empty", "No table logged yet.", this.head);
  }

  /** Every row drawn anew (the data, order or images changed). */
  private redraw(): void {
    this.body.replaceChildren();
    this.drawn.clear();
    this.spare = [];
    if (!this.order.length && this.data.nrows) {
      const empty = h("div", "wbnb-empty", "No row matches the filter.", this.body);
      empty.style.position = "absolute";
      empty.style.top = `${ROW_H}px`;
    }
    this.draw();
  }

  private schedule(): void {
    if (this.frame || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** The rows in view (and a few more) are in the DOM: rows scrolled out are refilled with
   * the rows scrolled in (no element made while scrolling); image cells ask for thumbnails. */
  private draw(): void {
    this.stats.draws++;
    const top = this.scroll.scrollTop;
    const height = this.scroll.clientHeight || 420;
    const first = Math.max(0, Math.floor(top / this.rowH) - OVERSCAN);
    const last = Math.min(this.order.length, Math.ceil((top + height) / this.rowH) + OVERSCAN);
    for (const [k, row] of this.drawn) {
      if (k < first || k >= last) {
        this.spare.push(row);
        this.drawn.delete(k);
      }
    }
    for (let k = first; k < last; k++) {
      if (this.drawn.has(k)) continue;
      const row = this.spare.pop() ?? this.newRow();
      this.fillRow(row, k);
      this.drawn.set(k, row);
    }
    for (const row of this.spare) row.style.display = "none";
    this.images.flush(this.data.version);
  }

  /** A row element with a cell per visible column. */
  private newRow(): HTMLElement {
    const row = h("div", "wbnb-row", undefined, this.body);
    row.style.height = `${this.rowH}px`;
    for (const { col } of this.visible) h("div", "wbnb-td" + (col.kind === "number" ? " wbnb-num" : ""), undefined, row);
    return row;
  }

  /** ``row`` shows the ``k``-th row shown. */
  private fillRow(row: HTMLElement, k: number): void {
    const r = this.order[k];
    row.style.display = "";
    row.style.top = `${ROW_H + this.rowH * k}px`;
    row.dataset.row = String(r);
    const cells = row.children;
    this.visible.forEach(({ col, index }, i) => {
      const td = cells[i];
      if (!(td instanceof HTMLElement)) return;
      const text = col.text(r);
      if (col.kind !== "media") {
        td.textContent = text;
        if (col.kind === "text") td.title = text;
        return;
      }
      td.replaceChildren();
      const url = text === "image" ? this.images.get(this.data.version, r, index) : undefined;
      if (url) {
        const img = h("img", "wbnb-thumb", undefined, td);
        img.src = url;
        img.alt = `${col.name} row ${r}`;
        img.dataset.col = String(index);
        return;
      }
      h("span", "wbnb-tag", text === "image" ? "image…" : text, td);
      if (text === "image") this.images.want(this.data.version, r, index);
    });
  }

  private drawChooser(): void {
    this.chooser.replaceChildren();
    const hidden = new Set(this.model.get("hidden"));
    for (const col of this.data.cols) {
      const item = h("label", "wbnb-citem", undefined, this.chooser);
      item.dataset.name = col.name;
      const box = h("input", undefined, undefined, item);
      box.type = "checkbox";
      box.checked = !hidden.has(col.name);
      box.addEventListener("change", () => {
        const now = this.model.get("hidden").filter((n) => n !== col.name);
        this.choose("hidden", box.checked ? now : [...now, col.name]);
      });
      h("span", undefined, col.name, item);
    }
  }

  // -- events --------------------------------------------------------------------------

  private onCellClick(e: MouseEvent): void {
    const img = e.target instanceof HTMLImageElement ? e.target : null;
    const row = img?.closest<HTMLElement>(".wbnb-row");
    if (!img || !row) return;
    const r = Number(row.dataset.row);
    const c = Number(img.dataset.col);
    const url = this.images.get(this.data.version, r, c, true);
    if (url) enlarge(this.root, { url, caption: null }, this.where(r, c));
    else this.images.wantFull(this.data.version, r, c);
  }

  /** Where an enlarged image comes from, as its caption says. */
  private where(row: number, col: number): string {
    return `${this.key} · ${this.data.cols[col]?.name ?? ""} · row ${row}`;
  }
}
