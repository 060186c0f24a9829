// Run table: every run of a project in rows, sortable (click a header; again reverses;
// shift-click adds a secondary key), filtered by an expression (js/lib/filter.ts), with a
// column chooser. Only the rows in view are in the DOM. Sort, filter, visible columns and
// the selected run ids are traits, so Python can set and read them and a saved notebook
// keeps them. Every run string is inserted as text.
import type { RenderProps, AnyModel } from "@anywidget/types";
import { h, injectStyle } from "../lib/dom";
import { compile, FilterError } from "../lib/filter";
import { sortRows, parseSortSpec } from "../lib/sort";
import { decode, formatCell, resolveColumn, type Column, type TableData } from "./data";

const ROW_H = 24;
const OVERSCAN = 8;

const CSS = `
.wbnb-table { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
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
.wbnb-table .wbnb-empty { color: var(--jp-ui-font-color2, #777); padding: 8px; }
`;

function widthOf(col: Column): number {
  if (col.key === "name") return 220;
  if (col.key === "tags") return 160;
  if (col.key === "created") return 130;
  if (col.key === "state" || col.key === "duration") return 80;
  return 120;
}

const isNumeric = (c: Column) => c.type === "num" || c.type === "dur";

class TableView {
  data: TableData;
  order: number[] = []; // rows shown, in display order
  visible: Column[] = [];
  selected = new Set<string>();
  anchor = -1;
  el: HTMLElement;
  input: HTMLInputElement;
  ferr: HTMLElement;
  count: HTMLElement;
  chooser: HTMLElement;
  scroll: HTMLElement;
  inner: HTMLElement;
  head: HTMLElement;
  body: HTMLElement;
  frame = 0;

  constructor(
    private model: AnyModel,
    root: HTMLElement,
  ) {
    injectStyle("wbnb-table-css", CSS, root);
    this.el = h("div", "wbnb-table", undefined, root);
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

    this.input.value = model.get("filter") || "";
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
    this.body.addEventListener("click", (e) => this.onRowClick(e as MouseEvent));
    this.head.addEventListener("click", (e) => this.onHeadClick(e as MouseEvent));
    for (const id of model.get("selected") || []) this.selected.add(id);
    this.resolveVisible();
    this.applyFilter();
  }

  // -- model ---------------------------------------------------------------------------

  resolveVisible(): void {
    const keys: string[] = this.model.get("columns") || [];
    const cols = keys.map((k) => this.data.byKey.get(k)).filter((c): c is Column => !!c);
    this.visible = cols.length || keys.length ? cols : this.data.columns.filter((c) => c.key !== "id");
  }

  onData(): void {
    this.data = decode(this.model.get("_data"));
    this.resolveVisible();
    this.applyFilter();
    if (this.chooser.style.display !== "none") this.drawChooser();
  }

  sortSpecs(): { key: string; desc: boolean }[] {
    return (this.model.get("sort") || []).map(parseSortSpec);
  }

  /** Filter then sort: `order` becomes the rows shown. */
  applyFilter(): void {
    const src = this.model.get("filter") || "";
    if (this.input.value !== src) this.input.value = src;
    let pred: (i: number) => boolean;
    let error = "";
    try {
      pred = compile(src, (f) => resolveColumn(this.data, f)?.get ?? null);
    } catch (e) {
      error = e instanceof FilterError ? e.message : String(e);
      pred = () => true; // a malformed filter shows every run, and says why
      if (e instanceof FilterError) error = `${src}\n${" ".repeat(e.pos)}^ ${e.message}`;
    }
    this.ferr.textContent = error;
    this.input.classList.toggle("wbnb-bad", !!error);
    if ((this.model.get("filter_error") || "") !== error) {
      this.model.set("filter_error", error); // Python reads why its filter did not parse
      this.model.save_changes();
    }
    const rows: number[] = [];
    for (let i = 0; i < this.data.n; i++) if (pred(i)) rows.push(i);
    this.order = rows;
    this.applySort();
  }

  applySort(): void {
    const keys = this.sortSpecs()
      .map(({ key, desc }) => ({ col: resolveColumn(this.data, key), desc }))
      .filter((k) => k.col)
      .map(({ col, desc }) => ({ get: col!.get, desc }));
    sortRows(this.order, keys);
    this.count.textContent = `${this.order.length} of ${this.data.n} runs` + (this.selected.size ? `, ${this.selected.size} selected` : "");
    this.drawHead();
    this.inner.style.height = `${ROW_H * (this.order.length + 1)}px`;
    this.draw();
  }

  // -- drawing -------------------------------------------------------------------------

  totalWidth(): number {
    return 28 + this.visible.reduce((s, c) => s + widthOf(c), 0);
  }

  drawHead(): void {
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

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Only the rows in view (plus a few) are in the DOM. */
  draw(): void {
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

  drawChooser(): void {
    this.chooser.replaceChildren();
    const shown = new Set(this.visible);
    const items = [...this.visible, ...this.data.columns.filter((c) => !shown.has(c))];
    items.forEach((col) => {
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
    });
  }

  setVisible(cols: Column[]): void {
    this.visible = cols;
    this.model.set("columns", cols.map((c) => c.key));
    this.model.save_changes();
    this.applySort();
    this.drawChooser();
  }

  // -- events --------------------------------------------------------------------------

  onHeadClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    if (target.classList.contains("wbnb-all")) {
      const all = (target as HTMLInputElement).checked;
      for (const r of this.order) {
        if (all) this.selected.add(this.data.ids[r]);
        else this.selected.delete(this.data.ids[r]);
      }
      this.syncSelection();
      return;
    }
    const th = target.closest(".wbnb-th") as HTMLElement | null;
    const key = th?.dataset.key;
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

  onRowClick(e: MouseEvent): void {
    const row = (e.target as HTMLElement).closest(".wbnb-row") as HTMLElement | null;
    if (!row) return;
    const k = Number(row.dataset.k);
    const id = this.data.ids[this.order[k]];
    const box = (e.target as HTMLElement).classList.contains("wbnb-rowbox");
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

  syncSelection(): void {
    this.model.set("selected", [...this.selected]);
    this.model.save_changes();
    this.applySort();
  }

  onSelected(): void {
    this.selected = new Set(this.model.get("selected") || []);
    this.applySort();
  }
}

function render({ model, el }: RenderProps): () => void {
  const view = new TableView(model, el);
  const resize = () => {
    view.scroll.style.height = `${Math.max(3, model.get("height") || 420)}px`;
    view.draw();
  };
  resize();
  const handlers: [string, () => void][] = [
    ["change:_data", () => view.onData()],
    ["change:filter", () => view.applyFilter()],
    ["change:sort", () => view.applySort()],
    ["change:columns", () => {
      view.resolveVisible();
      view.applySort();
      if (view.chooser.style.display !== "none") view.drawChooser();
    }],
    ["change:selected", () => view.onSelected()],
    ["change:height", resize],
  ];
  for (const [ev, cb] of handlers) model.on(ev, cb);
  // test and benchmark hook: the view of the last table rendered on the page
  (globalThis as any).__wbnbTable = view;
  return () => {
    for (const [ev, cb] of handlers) model.off(ev, cb);
    if (view.frame) cancelAnimationFrame(view.frame);
  };
}

export default { render };
