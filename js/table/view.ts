// The run table's view: every run of a project in rows, sortable (click a header; again
// reverses; shift-click adds a secondary key), filtered by an expression (filter.ts), with
// a column chooser. Only the rows in view are in the DOM. Sort, filter, visible columns and
// the selected run ids are traits, so Python can set and read them and a saved notebook
// keeps them. What it shows goes back to the kernel for the static picture (shown.ts).
// Every run string is inserted as text.
import type { AnyModel, Host } from "@anywidget/types";
import { h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import type { View } from "../lib/view";
import { SHOWN_ROWS, type RunTableModel, type Shown } from "./contract";
import { decode, formatCell, resolveColumn, visibleColumns, type Column, type Table } from "./data";
import { compile, FilterError } from "../lib/filter";
import { ShownWriter } from "./shown";
import { parseSortSpec, sortRows, type SortKey } from "./sort";

const ROW_H = 24;
const OVERSCAN = 8;

// Its own look, beside what js/lib/style.ts has for every component (font, empty note).
const CSS = `
.wbnb-table .wbnb-tbar { display: flex; gap: 8px; align-items: center; margin: 2px 0 4px; flex-wrap: wrap; }
.wbnb-table .wbnb-filter { flex: 1 1 320px; font: 12px monospace; padding: 3px 6px; border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px; }
.wbnb-table .wbnb-filter.wbnb-bad { border-color: #d33; background: #fff5f5; }
.wbnb-table .wbnb-ferr { color: #c22; font-family: monospace; white-space: pre; }
.wbnb-table .wbnb-count { color: var(--jp-ui-font-color2, #666); }
.wbnb-table .wbnb-scroll { position: relative; overflow: auto; border: 1px solid var(--jp-border-color2, #e0e0e0); }
.wbnb-table .wbnb-inner { position: relative; }
.wbnb-table .wbnb-head { position: sticky; top: 0; z-index: 2; display: flex; background: var(--jp-layout-color2, #f3f3f3); border-bottom: 1px solid var(--jp-border-color1, #ccc); height: ${ROW_H}px; }
.wbnb-table .wbnb-th, .wbnb-table .wbnb-td { flex: none; overflow: hidden; text-overflow: ellipsis; white-space: pre; padding: 0 6px; line-height: ${ROW_H}px; box-sizing: border-box; }
.wbnb-table .wbnb-th { font-weight: 600; cursor: pointer; user-select: none; border-right: 1px solid var(--jp-border-color2, #e3e3e3); }
.wbnb-table .wbnb-th:hover { background: rgba(0,0,0,.05); }
.wbnb-table .wbnb-row { position: absolute; left: 0; display: flex; height: ${ROW_H}px; border-bottom: 1px solid var(--jp-border-color3, #f0f0f0); cursor: default; }
.wbnb-table .wbnb-row:hover { background: rgba(76,120,168,.07); }
.wbnb-table .wbnb-row.wbnb-sel { background: rgba(76,120,168,.18); }
.wbnb-table .wbnb-num { text-align: right; font-variant-numeric: tabular-nums; }
.wbnb-table .wbnb-chk { width: 28px; text-align: center; padding: 0; }
.wbnb-table .wbnb-chooser { border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px; padding: 4px; margin: 0 0 4px; max-height: 260px; overflow: auto; columns: 3 220px; }
.wbnb-table .wbnb-citem { display: flex; gap: 4px; align-items: center; break-inside: avoid; white-space: pre; }
.wbnb-table .wbnb-citem button { padding: 0 4px; font-size: 10px; }
`;

function widthOf(col: Column): number {
  if (col.key === "name") return 220;
  if (col.key === "tags") return 160;
  if (col.key === "created") return 130;
  if (col.key === "state" || col.key === "duration") return 80;
  return 120;
}

const isNumeric = (c: Column) => c.type === "num" || c.type === "dur";

export class TableView implements View {
  readonly ready: Promise<void>;
  private data: Table;
  private order: number[] = []; // rows shown, in display order
  private visible: Column[] = [];
  private selected = new Set<string>();
  private anchor = -1;
  private frame = 0;
  private filterError = ""; // why the filter did not parse ("" when it did)
  private sortedBy: [string, boolean][] = []; // the columns the sort resolved to
  private readonly el: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly ferr: HTMLElement;
  private readonly count: HTMLElement;
  private readonly chooser: HTMLElement;
  private readonly scroll: HTMLElement;
  private readonly inner: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private readonly handlers: [keyof RunTableModel, () => void][];
  private readonly shown: ShownWriter;

  constructor(
    root: HTMLElement,
    private readonly model: AnyModel<RunTableModel>,
    _host?: Host,
  ) {
    this.el = widgetRoot(root, "table", CSS);
    const bar = h("div", "wbnb-tbar", undefined, this.el);
    this.input = h("input", "wbnb-filter", undefined, bar);
    this.input.type = "text";
    this.input.spellcheck = false;
    this.input.placeholder = "filter: summary.val_acc > 0.8 and config.lr < 1e-3, tags has baseline, name ~ resnet";
    const colsBtn = h("button", "wbnb-colsbtn", "Columns", bar);
    this.count = h("span", "wbnb-count", "", bar);
    this.ferr = h("div", "wbnb-ferr", "", this.el);
    this.chooser = h("div", "wbnb-chooser", undefined, this.el);
    this.chooser.style.display = "none";
    this.scroll = h("div", "wbnb-scroll", undefined, this.el);
    this.inner = h("div", "wbnb-inner", undefined, this.scroll);
    this.head = h("div", "wbnb-head", undefined, this.inner);
    this.body = h("div", "wbnb-body", undefined, this.inner);
    this.data = decode(model.get("_data"));
    this.shown = new ShownWriter(model);

    this.input.value = model.get("filter");
    this.input.addEventListener("input", () => {
      this.model.set("filter", this.input.value);
      this.applyFilter();
      this.model.save_changes();
    });
    colsBtn.addEventListener("click", () => {
      this.chooser.style.display = this.chooser.style.display === "none" ? "" : "none";
      this.drawChooser();
    });
    this.scroll.addEventListener("scroll", () => this.schedule());
    this.body.addEventListener("click", (e) => this.onRowClick(e));
    this.head.addEventListener("click", (e) => this.onHeadClick(e));
    for (const id of model.get("selected")) this.selected.add(id);

    this.handlers = [
      ["_data", () => this.onData()],
      ["filter", () => this.applyFilter()],
      ["sort", () => this.applySort()],
      ["columns", () => this.onColumns()],
      ["selected", () => this.onSelected()],
      ["height", () => this.resize()],
    ];
    for (const [name, cb] of this.handlers) model.on(`change:${name}`, cb);
    this.resolveVisible();
    this.applyFilter();
    this.resize();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    for (const [name, cb] of this.handlers) this.model.off(`change:${name}`, cb);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.shown.cancel();
    this.el.remove();
  }

  // -- model ---------------------------------------------------------------------------

  private resolveVisible(): void {
    this.visible = visibleColumns(this.data.columns, this.model.get("columns"));
  }

  private onData(): void {
    this.data = decode(this.model.get("_data"));
    this.resolveVisible();
    this.applyFilter();
    if (this.chooser.style.display !== "none") this.drawChooser();
  }

  private onColumns(): void {
    this.resolveVisible();
    this.applySort();
    if (this.chooser.style.display !== "none") this.drawChooser();
  }

  private resize(): void {
    this.scroll.style.height = `${Math.max(3, this.model.get("height") || 420)}px`;
    this.draw();
  }

  private sortSpecs(): { key: string; desc: boolean }[] {
    return this.model.get("sort").map(parseSortSpec);
  }

  /** Filter then sort: `order` becomes the rows shown. */
  private applyFilter(): void {
    const src = this.model.get("filter");
    if (this.input.value !== src) this.input.value = src;
    let pred: (i: number) => boolean;
    let error = "";
    this.filterError = "";
    try {
      pred = compile(src, (f) => resolveColumn(this.data, f)?.get ?? null);
    } catch (e) {
      pred = () => true; // a malformed filter shows every run, and says why
      this.filterError = e instanceof Error ? e.message : String(e);
      error = e instanceof FilterError ? `${src}\n${" ".repeat(e.pos)}^ ${e.message}` : this.filterError;
    }
    this.ferr.textContent = error;
    this.input.classList.toggle("wbnb-bad", !!error);
    if (this.model.get("filter_error") !== error) {
      this.model.set("filter_error", error); // Python reads why its filter did not parse
      this.model.save_changes();
    }
    const rows: number[] = [];
    for (let i = 0; i < this.data.n; i++) if (pred(i)) rows.push(i);
    this.order = rows;
    this.applySort();
  }

  private applySort(): void {
    const keys: SortKey[] = [];
    this.sortedBy = [];
    for (const { key, desc } of this.sortSpecs()) {
      const col = resolveColumn(this.data, key);
      if (!col) continue;
      keys.push({ get: col.get, desc });
      this.sortedBy.push([col.key, desc]);
    }
    sortRows(this.order, keys);
    this.shown.schedule(() => this.shownNow());
    this.count.textContent =
      `${this.order.length} of ${this.data.n} runs` + (this.selected.size ? `, ${this.selected.size} selected` : "");
    this.drawHead();
    this.inner.style.height = `${ROW_H * (this.order.length + 1)}px`;
    this.draw();
  }

  /** What the table shows now, as the kernel's picture draws it. */
  private shownNow(): Shown {
    return {
      filter: this.model.get("filter"),
      sort: this.model.get("sort"),
      rev: this.data.rev,
      ids: this.order.slice(0, SHOWN_ROWS).map((r) => this.data.ids[r]),
      count: this.order.length,
      error: this.filterError,
      sorted_by: this.sortedBy,
    };
  }

  // -- drawing -------------------------------------------------------------------------

  private totalWidth(): number {
    return 28 + this.visible.reduce((s, c) => s + widthOf(c), 0);
  }

  private drawHead(): void {
    this.head.replaceChildren();
    const specs = this.sortSpecs();
    const all = h("div", "wbnb-th wbnb-chk", undefined, this.head);
    const box = h("input", "wbnb-all", undefined, all);
    box.type = "checkbox";
    box.title = "select all shown / none";
    box.checked = this.order.length > 0 && this.order.every((r) => this.selected.has(this.data.ids[r]));
    for (const col of this.visible) {
      const th = h("div", "wbnb-th" + (isNumeric(col) ? " wbnb-num" : ""), undefined, this.head);
      th.style.width = `${widthOf(col)}px`;
      th.dataset.key = col.key;
      th.title = col.key + "  (click: sort, again: reverse, shift-click: add a key)";
      const i = specs.findIndex((s) => resolveColumn(this.data, s.key) === col);
      const mark = i < 0 ? "" : (specs[i].desc ? " ▼" : " ▲") + (specs.length > 1 ? String(i + 1) : "");
      th.textContent = col.key + mark;
    }
    this.inner.style.width = `${this.totalWidth()}px`;
    this.head.style.width = `${this.totalWidth()}px`;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Only the rows in view (plus a few) are in the DOM. */
  private draw(): void {
    const height = this.scroll.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.scroll.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(this.order.length, Math.ceil((this.scroll.scrollTop + height) / ROW_H) + OVERSCAN);
    const frag = document.createDocumentFragment();
    const width = `${this.totalWidth()}px`;
    for (let k = first; k < last; k++) {
      const r = this.order[k];
      const id = this.data.ids[r];
      const row = h("div", "wbnb-row" + (this.selected.has(id) ? " wbnb-sel" : ""));
      row.style.top = `${ROW_H * (k + 1)}px`;
      row.style.width = width;
      row.dataset.k = String(k);
      const chk = h("div", "wbnb-td wbnb-chk", undefined, row);
      const box = h("input", "wbnb-rowbox", undefined, chk);
      box.type = "checkbox";
      box.checked = this.selected.has(id);
      for (const col of this.visible) {
        const td = h("div", "wbnb-td" + (isNumeric(col) ? " wbnb-num" : ""), formatCell(col, r), row);
        td.style.width = `${widthOf(col)}px`;
        if (col.key === "name") td.title = formatCell(col, r);
      }
      frag.appendChild(row);
    }
    this.body.replaceChildren(frag);
    if (!this.order.length) {
      const msg = this.data.n ? "No run matches the filter." : "No runs.";
      const empty = h("div", "wbnb-empty", msg, this.body);
      empty.style.position = "absolute";
      empty.style.top = `${ROW_H}px`;
    }
  }

  private drawChooser(): void {
    this.chooser.replaceChildren();
    const shown = new Set(this.visible);
    const items = [...this.visible, ...this.data.columns.filter((c) => !shown.has(c))];
    for (const col of items) {
      const item = h("label", "wbnb-citem", undefined, this.chooser);
      item.dataset.key = col.key;
      const box = h("input", "", undefined, item);
      box.type = "checkbox";
      box.checked = shown.has(col);
      box.addEventListener("change", () => {
        this.setVisible(box.checked ? [...this.visible, col] : this.visible.filter((c) => c !== col));
      });
      const up = h("button", "wbnb-up", "↑", item);
      const down = h("button", "wbnb-down", "↓", item);
      up.title = "move left";
      down.title = "move right";
      up.disabled = down.disabled = !shown.has(col);
      const move = (d: number) => (e: Event) => {
        e.preventDefault();
        const cols = [...this.visible];
        const i = cols.indexOf(col);
        const j = i + d;
        if (i < 0 || j < 0 || j >= cols.length) return;
        [cols[i], cols[j]] = [cols[j], cols[i]];
        this.setVisible(cols);
      };
      up.addEventListener("click", move(-1));
      down.addEventListener("click", move(1));
      h("span", "", col.key, item);
    }
  }

  private setVisible(cols: Column[]): void {
    this.visible = cols;
    this.model.set("columns", cols.map((c) => c.key));
    this.model.save_changes();
    this.applySort();
    this.drawChooser();
  }

  // -- events --------------------------------------------------------------------------

  private onHeadClick(e: MouseEvent): void {
    const target = e.target;
    if (!(target instanceof HTMLElement)) return;
    if (target instanceof HTMLInputElement && target.classList.contains("wbnb-all")) {
      for (const r of this.order) {
        if (target.checked) this.selected.add(this.data.ids[r]);
        else this.selected.delete(this.data.ids[r]);
      }
      this.syncSelection();
      return;
    }
    const key = target.closest<HTMLElement>(".wbnb-th")?.dataset.key;
    if (!key) return;
    let specs = this.sortSpecs();
    const i = specs.findIndex((s) => s.key === key);
    if (e.shiftKey) {
      if (i >= 0) specs[i] = { key, desc: !specs[i].desc };
      else specs.push({ key, desc: false });
    } else if (i === 0 && specs.length === 1) {
      specs = [{ key, desc: !specs[0].desc }];
    } else {
      specs = [{ key, desc: i >= 0 ? !specs[i].desc : false }];
    }
    this.model.set("sort", specs.map((s) => (s.desc ? "-" : "") + s.key));
    this.model.save_changes();
    this.applySort();
  }

  private onRowClick(e: MouseEvent): void {
    const target = e.target;
    if (!(target instanceof HTMLElement)) return;
    const row = target.closest<HTMLElement>(".wbnb-row");
    if (!row) return;
    const k = Number(row.dataset.k);
    const id = this.data.ids[this.order[k]];
    const box = target.classList.contains("wbnb-rowbox");
    if (e.shiftKey && this.anchor >= 0) {
      const [a, b] = this.anchor < k ? [this.anchor, k] : [k, this.anchor];
      for (let j = a; j <= b && j < this.order.length; j++) this.selected.add(this.data.ids[this.order[j]]);
    } else if (box || e.ctrlKey || e.metaKey) {
      if (this.selected.has(id)) this.selected.delete(id);
      else this.selected.add(id);
      this.anchor = k;
    } else {
      const only = this.selected.size === 1 && this.selected.has(id);
      this.selected.clear();
      if (!only) this.selected.add(id);
      this.anchor = k;
    }
    this.syncSelection();
  }

  private syncSelection(): void {
    this.model.set("selected", [...this.selected]);
    this.model.save_changes();
    this.applySort();
  }

  private onSelected(): void {
    this.selected = new Set(this.model.get("selected"));
    this.applySort();
  }
}
