// The run panel (wbnb/widgets/panel/): the run's header, then its sections — Python lays
// them out (`_sections`: each cell a part and one key) — in a responsive grid. Each cell
// mounts its part's own view class (registry.ts) over the part's model for that one key
// (ViewOptions.keys), so one model backs a cell per key. The viewer's choices (collapsed
// sections, the enlarged cell) are the `arrangement` trait: a saved notebook reopens as
// it was left. A cell mounts its view when it first comes near the screen (a panel of
// many keys draws what is shown first), and a collapsed section's cells not until opened.
// The cells' views are compact (no bar of the settings their model shares): each part's
// settings bar (registry.ts SETTINGS, the component's own) is shown once — in the section
// when all the part's cells are in one (System's), else above the sections — and a choice
// there sets the part's traits, which every cell of it follows.
import type { AnyModel, Host } from "@anywidget/types";
import { referencedModel } from "../lib/anywidget";
import { h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import type { Settings, View } from "../lib/view";
import { HeaderView } from "../header/view";
import type { RunHeaderModel } from "../header/contract";
import type { Arrangement, PanelCell, PanelSection, RunPanelModel } from "./contract";
import { SETTINGS, VIEWS } from "./registry";
import { CSS } from "./style";

/** One cell of the grid and the view mounted in it (none while its section is collapsed). */
class Cell {
  readonly el: HTMLElement;
  readonly body: HTMLElement;
  readonly enlarge: HTMLButtonElement;
  view?: View;
  mounted?: Promise<void>;
  /** Counts unmounts: a view that resolves after one is not kept. */
  generation = 0;

  constructor(readonly spec: PanelCell, onEnlarge: (cell: Cell) => void, onHide: (cell: Cell) => void) {
    this.el = h("div", "wbnb-dash-cell");
    this.el.dataset.cell = spec.id;
    const tools = h("div", "wbnb-dash-tools", undefined, this.el);
    this.enlarge = h("button", "wbnb-dash-enlarge", "enlarge", tools);
    this.enlarge.type = "button";
    this.enlarge.title = "Show this panel across the whole row (Esc restores)";
    this.enlarge.addEventListener("click", () => onEnlarge(this));
    const hide = h("button", "wbnb-dash-hide", "hide", tools);
    hide.type = "button";
    hide.title = "Hide this panel (its section's \"show\" brings it back)";
    hide.addEventListener("click", () => onHide(this));
    this.body = h("div", "wbnb-dash-body", undefined, this.el);
  }

  unmount(): void {
    this.el.classList.remove("wbnb-drawn");
    this.generation++;
    this.view?.destroy();
    this.view = undefined;
    this.mounted = undefined;
    this.body.replaceChildren();
  }
}

/** A part's settings bar, shown once for all its cells. */
class PartBar {
  readonly el: HTMLElement;
  settings?: Settings;
  gone = false;

  constructor(readonly part: string) {
    this.el = h("div", "wbnb-dash-bar");
    this.el.dataset.part = part;
    h("span", "wbnb-dash-bar-name", part, this.el);
  }

  remove(): void {
    this.gone = true;
    this.settings?.destroy();
    this.el.remove();
  }
}

/** A section: its head (click: collapse / open) and its grid of cells. */
class Section {
  readonly el: HTMLElement;
  readonly head: HTMLButtonElement;
  readonly grid: HTMLElement;
  /** The settings bars of the parts whose cells are all in this section. */
  readonly bars: HTMLElement;
  readonly cells = new Map<string, Cell>();
  /** "show N hidden": brings the section's hidden cells back. */
  readonly unhide: HTMLButtonElement;
  private readonly title: HTMLElement;
  private readonly count: HTMLElement;

  constructor(readonly id: string, onToggle: (section: Section) => void, onUnhide: (section: Section) => void) {
    this.el = h("div", "wbnb-dash-section");
    this.el.dataset.section = id;
    const row = h("div", "wbnb-dash-headrow", undefined, this.el);
    this.head = h("button", "wbnb-dash-head", undefined, row);
    this.head.type = "button";
    this.title = h("span", "wbnb-dash-title", undefined, this.head);
    this.count = h("span", "wbnb-count", undefined, this.head);
    this.head.addEventListener("click", () => onToggle(this));
    this.unhide = h("button", "wbnb-dash-unhide", undefined, row);
    this.unhide.type = "button";
    this.unhide.addEventListener("click", () => onUnhide(this));
    this.bars = h("div", "wbnb-dash-bars", undefined, this.el);
    this.grid = h("div", "wbnb-dash-grid", undefined, this.el);
  }

  label(title: string): void {
    this.title.textContent = title;
  }

  /** Say how many cells it has, and how many of them are hidden. */
  tally(hidden: number): void {
    this.count.textContent = `(${this.cells.size})`;
    this.unhide.textContent = `show ${hidden} hidden`;
    this.unhide.hidden = hidden === 0;
  }

  get collapsed(): boolean {
    return this.el.classList.contains("wbnb-collapsed");
  }
}

export class PanelView implements View {
  readonly ready: Promise<void>;
  private readonly root: HTMLElement;
  private readonly top: HTMLElement;
  /** The settings bars of the parts whose cells are in several sections. */
  private readonly bars: HTMLElement;
  private readonly main: HTMLElement;
  private readonly partBars = new Map<string, PartBar>();
  private readonly sections = new Map<string, Section>();
  private readonly tops: View[] = [];
  private artifacts?: HTMLElement;
  private disposed = false;
  /** Mounts each cell as it comes within 300 px of the screen (absent: all at once). */
  private readonly sight?: IntersectionObserver;
  private readonly byElement = new WeakMap<Element, Cell>();
  /** Settles once the cells have first been looked at (the observer's first report). */
  private readonly sighted: Promise<void>;
  private pending = new Set<Promise<void>>();

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<RunPanelModel>,
    private readonly host?: Host,
  ) {
    this.root = widgetRoot(el, "dashboard", CSS);
    this.top = h("div", "wbnb-top", undefined, this.root);
    this.bars = h("div", "wbnb-dash-bars", undefined, this.root);
    this.main = h("div", "wbnb-dash-main", undefined, this.root);
    let seen = () => {};
    this.sighted = new Promise((resolve) => (seen = resolve));
    if (typeof IntersectionObserver !== "undefined") {
      this.sight = new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            const cell = this.byElement.get(e.target);
            if (e.isIntersecting && cell) void this.mount(cell);
          }
          seen();
        },
        { rootMargin: "300px" },
      );
    } else seen();
    model.on("change:_sections", this.onSections);
    model.on("change:arrangement", this.onArrangement);
    model.on("change:_artifacts", this.onArtifacts);
    this.root.addEventListener("keydown", this.onKey); // Esc within the panel: JupyterLab's own Esc elsewhere
    Object.assign(this.root, { __wbnb: this }); // tests and benchmarks read the view from its element
    // Not the cells: the host may attach `el` only after `ready`, and a cell mounts once seen.
    this.ready = this.mountTop();
    this.draw();
  }

  destroy(): void {
    this.disposed = true;
    this.model.off("change:_sections", this.onSections);
    this.model.off("change:arrangement", this.onArrangement);
    this.model.off("change:_artifacts", this.onArtifacts);
    this.root.removeEventListener("keydown", this.onKey);
    this.sight?.disconnect();
    for (const v of this.tops) v.destroy();
    for (const bar of this.partBars.values()) bar.remove();
    for (const s of this.sections.values()) for (const c of s.cells.values()) c.unmount();
    this.root.remove();
  }

  // -- the header and the artifacts above the sections -------------------------------------

  private async mountTop(): Promise<void> {
    const header = h("div", "wbnb-dash-header", undefined, this.top);
    this.artifacts = h("div", "wbnb-dash-artifacts", undefined, this.top);
    const model = await referencedModel<RunHeaderModel>(this.model.get("_header"), this.model, this.host);
    if (this.disposed) return;
    this.tops.push(new HeaderView(header, model, this.host));
    await this.onArtifacts();
  }

  private readonly onArtifacts = async (): Promise<void> => {
    const ref = this.model.get("_artifacts");
    if (!ref || !this.artifacts || this.artifacts.childElementCount) return;
    const model = await referencedModel<RunHeaderModel>(ref, this.model, this.host);
    if (!this.disposed) this.tops.push(new HeaderView(h("div", undefined, undefined, this.artifacts), model, this.host));
  };

  // -- sections and cells --------------------------------------------------------------------

  private arrangement(): Arrangement {
    const a = this.model.get("arrangement");
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
    return { collapsed: list(a?.collapsed), enlarged: typeof a?.enlarged === "string" ? a.enlarged : "", hidden: list(a?.hidden) };
  }

  private readonly onSections = (): void => {
    this.draw();
  };

  /** Resolves once the cells near the screen are mounted and their views ready (tests,
   * benchmarks). */
  async settled(): Promise<void> {
    await this.sighted;
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Make the sections and cells `_sections` lists (keeping those already drawn), then
   * show the arrangement. */
  private draw(): void {
    const laid: PanelSection[] = this.model.get("_sections") ?? [];
    const seen = new Set<string>();
    const order: HTMLElement[] = [];
    for (const spec of laid) {
      seen.add(spec.id);
      let section = this.sections.get(spec.id);
      if (!section) {
        section = new Section(spec.id, (s) => this.toggle(s), (s) => this.unhide(s));
        this.sections.set(spec.id, section);
      }
      const ids = new Set(spec.cells.map((c) => c.id));
      for (const [id, cell] of section.cells) {
        if (!ids.has(id)) {
          this.sight?.unobserve(cell.el);
          cell.unmount();
          section.cells.delete(id);
        }
      }
      const cells: HTMLElement[] = [];
      for (const c of spec.cells) {
        let cell = section.cells.get(c.id);
        if (!cell) {
          cell = new Cell(c, (x) => this.enlarge(x), (x) => this.hide(x));
          section.cells.set(c.id, cell);
          this.byElement.set(cell.el, cell);
        }
        cells.push(cell.el);
      }
      section.grid.replaceChildren(...cells);
      section.label(spec.title);
      order.push(section.el);
    }
    for (const [id, section] of this.sections) {
      if (!seen.has(id)) {
        for (const c of section.cells.values()) c.unmount();
        this.sections.delete(id);
      }
    }
    this.main.replaceChildren(...order);
    this.placeBars(laid);
    if (!laid.length) h("div", "wbnb-empty", "Nothing logged yet: panels appear as the run logs.", this.main);
    this.apply();
  }

  /** Each part's settings bar (made once, for a part whose view has one): in its section when
   * all its cells are in one, else above the sections; a part gone takes its bar away. */
  private placeBars(laid: PanelSection[]): void {
    const where = new Map<string, { view: string; sections: Set<string> }>();
    for (const spec of laid) {
      for (const c of spec.cells) {
        const at = where.get(c.part) ?? { view: c.view, sections: new Set<string>() };
        at.sections.add(spec.id);
        where.set(c.part, at);
      }
    }
    const placed = new Map<HTMLElement, HTMLElement[]>([[this.bars, []]]);
    for (const section of this.sections.values()) placed.set(section.bars, []);
    for (const [part, { view, sections }] of where) {
      const bar = this.partBar(part, view);
      if (!bar) continue;
      const [only] = sections;
      const box = sections.size === 1 ? this.sections.get(only)?.bars ?? this.bars : this.bars;
      placed.get(box)?.push(bar.el);
    }
    for (const [box, els] of placed) box.replaceChildren(...els);
    for (const [part, bar] of this.partBars) {
      if (!where.has(part)) {
        bar.remove();
        this.partBars.delete(part);
      }
    }
  }

  /** The settings bar of `part` (drawn by `view`), made when first asked for; none for a
   * view without shared settings, or before the panel has the part's model. */
  private partBar(part: string, view: string): PartBar | undefined {
    const made = this.partBars.get(part);
    if (made) return made;
    const build = Object.prototype.hasOwnProperty.call(SETTINGS, view) ? SETTINGS[view] : undefined;
    const ref = this.model.get("_parts")[part];
    if (!build || !ref) return undefined;
    const bar = new PartBar(part);
    this.partBars.set(part, bar);
    void build(h("div", "wbnb-dash-bar-body", undefined, bar.el), ref, this.model, this.host).then((settings) => {
      if (bar.gone || this.disposed) settings.destroy();
      else bar.settings = settings;
    });
    return bar;
  }

  /** Show the arrangement: collapsed sections closed, the enlarged cell across its row;
   * what is open and not mounted is mounted when seen. */
  private apply(): void {
    const { collapsed, enlarged, hidden } = this.arrangement();
    const shut = new Set(collapsed);
    const gone = new Set(hidden);
    for (const section of this.sections.values()) {
      section.el.classList.toggle("wbnb-collapsed", shut.has(section.id));
      section.head.setAttribute("aria-expanded", String(!shut.has(section.id)));
      let out = 0;
      for (const cell of section.cells.values()) {
        if (gone.has(cell.spec.id)) {
          out++;
          cell.el.hidden = true;
          this.sight?.unobserve(cell.el);
          cell.unmount();
          continue;
        }
        cell.el.hidden = false;
        const big = cell.spec.id === enlarged;
        if (big !== cell.el.classList.contains("wbnb-enlarged")) {
          cell.el.classList.toggle("wbnb-enlarged", big);
          cell.enlarge.textContent = big ? "restore" : "enlarge";
          cell.unmount(); // drawn again at its new width
        }
        if (section.collapsed || cell.mounted) continue;
        if (this.sight) {
          this.sight.unobserve(cell.el); // observed anew: its first report says where it is now
          this.sight.observe(cell.el);
        } else void this.mount(cell);
      }
      section.tally(out);
    }
  }

  private mount(cell: Cell): Promise<void> {
    if (!cell.mounted) {
      this.sight?.unobserve(cell.el);
      const mounting = this.mountView(cell);
      cell.mounted = mounting;
      this.pending.add(mounting);
      void mounting.finally(() => this.pending.delete(mounting));
    }
    return cell.mounted;
  }

  private async mountView(cell: Cell): Promise<void> {
    const { part, view, key } = cell.spec;
    const mount = Object.prototype.hasOwnProperty.call(VIEWS, view) ? VIEWS[view] : undefined;
    const ref = this.model.get("_parts")[part];
    if (!mount || !ref) {
      h("div", "wbnb-empty", `${key}: no viewer for "${view}" on this page`, cell.body);
      return;
    }
    const generation = cell.generation;
    const box = h("div", "wbnb-dash-view", undefined, cell.body);
    const shown = await mount(box, ref, this.model, this.host, { keys: [key] });
    if (this.disposed || cell.generation !== generation) {
      shown.destroy(); // unmounted (or the panel gone) while the part's model resolved
      return;
    }
    cell.view = shown;
    await shown.ready.catch(() => undefined); // a view that failed says so in its cell
    // Only now may the cell shrink to its drawing: a compact view is barely a line until
    // drawn, and cells shrinking meanwhile would bring the next rows into sight, all of them.
    if (cell.generation === generation) cell.el.classList.add("wbnb-drawn");
  }

  // -- the viewer's choices --------------------------------------------------------------

  private save(next: Arrangement): void {
    this.model.set("arrangement", next);
    this.model.save_changes();
    this.apply();
  }

  private toggle(section: Section): void {
    const a = this.arrangement();
    const collapsed = a.collapsed.filter((id) => id !== section.id);
    if (!section.collapsed) collapsed.push(section.id);
    this.save({ ...a, collapsed });
  }

  private enlarge(cell: Cell): void {
    const a = this.arrangement();
    this.save({ ...a, enlarged: a.enlarged === cell.spec.id ? "" : cell.spec.id });
    if (a.enlarged !== cell.spec.id) cell.el.scrollIntoView?.({ block: "nearest" });
  }

  private hide(cell: Cell): void {
    const a = this.arrangement();
    this.save({ ...a, hidden: [...a.hidden.filter((id) => id !== cell.spec.id), cell.spec.id] });
  }

  private unhide(section: Section): void {
    const a = this.arrangement();
    this.save({ ...a, hidden: a.hidden.filter((id) => !section.cells.has(id)) });
  }

  private readonly onArrangement = (): void => {
    this.apply();
  };

  private readonly onKey = (e: KeyboardEvent): void => {
    if (e.key === "Escape" && this.arrangement().enlarged) this.save({ ...this.arrangement(), enlarged: "" });
  };
}
