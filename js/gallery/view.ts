// The Gallery's view: images by key, a step slider, runs side by side, click to enlarge.
// The snapshot trait and deltas carry only the step index (stepindex.ts); the pixels of
// the page shown are asked for and kept by fetcher.ts; what a page shows is layout.ts,
// the same rule as the static picture's. Captions, keys and run names are text, never HTML.
// Mounted with `options.keys` (the run panel: a view per key) it shows only those keys, and
// its key, step and page are its own (not the model's traits, which the other views share);
// it is compact: size, columns and runs are the model's, shown once by the panel
// (`gallerySettings`).
// Thumbnails shrink to fit the element's width.
import type { AnyModel, Host } from "@anywidget/types";
import { h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import { LiveChannel } from "../lib/protocol";
import { drawsKey, isCompact, type Settings, type View, type ViewOptions } from "../lib/view";
import { GalleryBar, settingsIn } from "./bar";
import { isToPage } from "./contract";
import type { Choices, GalleryDelta, GalleryLayout, GalleryModel, GallerySnapshot, RunPlace } from "./contract";
import { ImageFetcher } from "./fetcher";
import { figure, layout } from "./layout";
import { enlarge, legend } from "./overlay";
import { countAt, StepIndex } from "./stepindex";
import { CSS } from "./style";

const CHOICES = ["key", "step", "page", "per_page", "columns", "size", "shown_runs"] as const;

const isDelta = (msg: unknown): msg is GalleryDelta => isToPage(msg) && msg.type === "delta";

/** One Gallery model drawn into one element (mounted by index.ts, or by the tests). */
export class GalleryView implements View {
  readonly ready: Promise<void>;
  private readonly root: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly bar: GalleryBar;
  /** The model's settings in the bar (none in a compact view). */
  private readonly settings?: Settings;
  private readonly index: StepIndex;
  /** A keyed view's own key, step and page (undefined: the model's traits). */
  private readonly own?: Pick<Choices, "key" | "step" | "page">;
  private readonly images: ImageFetcher;
  private readonly channel: LiveChannel<GallerySnapshot, GalleryDelta>;
  private readonly lastShown = new Map<string, number>(); // run|key -> the step whose page was drawn whole
  private readonly stats = { draws: 0 };
  private readonly onMsg = (msg: unknown, buffers: DataView[]) => {
    if (isToPage(msg) && msg.type === "images" && this.images.receive(msg, buffers ?? [])) this.draw();
  };
  private readonly onChoice = () => this.schedule();
  /** Masks and boxes shown or hidden: the images come anew, painted or bare. */
  private readonly onMarks = () => {
    this.images.reset();
    this.lastShown.clear();
    this.schedule();
  };
  private scheduled = false;
  private destroyed = false;

  constructor(
    el: HTMLElement,
    private readonly model: AnyModel<GalleryModel>,
    _host?: Host,
    options?: ViewOptions,
  ) {
    this.root = widgetRoot(el, "gallery", CSS);
    this.index = new StepIndex(drawsKey(options));
    if (options?.keys) this.own = { key: options.keys[0] ?? "", step: -1, page: 0 };
    const own = this.own;
    this.bar = new GalleryBar(
      this.root,
      {
        key: (key) => (own ? this.mine({ key, page: 0 }) : this.choose(() => this.model.set("key", key), true)),
        step: (step) =>
          own ? this.mine({ step, page: 0 }) : this.choose(() => this.model.set("step", step), true),
        turn: (by) => {
          const { page, pages } = this.layout();
          const to = Math.min(pages - 1, Math.max(0, page + by));
          if (own) this.mine({ page: to });
          else this.choose(() => this.model.set("page", to));
        },
      },
      options?.keys?.length !== 1,
    );
    if (!isCompact(options)) this.settings = settingsIn(this.bar.el, model);
    this.body = h("div", "wbnb-body", undefined, this.root);
    this.images = new ImageFetcher((request) => this.model.send(request));
    model.on("msg:custom", this.onMsg);
    for (const name of CHOICES) model.on(`change:${name}`, this.onChoice);
    model.on("change:marks", this.onMarks);
    this.channel = new LiveChannel<GallerySnapshot, GalleryDelta>(
      model,
      {
        rebuild: (snapshot) => this.index.rebuild(snapshot),
        apply: (delta, buffers) => this.apply(delta, buffers),
        commit: () => this.schedule(),
      },
      isDelta,
    );
    // What the browser tests read (tests/widgets/gallery/).
    Object.assign(this.root, {
      __wbnb: {
        channel: this.channel,
        entries: this.index.entries,
        images: this.images,
        stats: this.stats,
        unionSteps: (key: string) => this.layout({ key }).steps,
      },
    });
    this.channel.start();
    this.draw();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.destroyed = true;
    this.channel.dispose();
    this.settings?.destroy();
    this.model.off("msg:custom", this.onMsg);
    for (const name of CHOICES) this.model.off(`change:${name}`, this.onChoice);
    this.model.off("change:marks", this.onMarks);
    this.images.destroy();
    this.root.remove();
  }

  /** The viewer's choices, as the traits hold them. */
  private choices(): Choices {
    const m = this.model;
    return {
      key: m.get("key"),
      step: m.get("step"),
      page: m.get("page"),
      per_page: m.get("per_page"),
      columns: m.get("columns"),
      size: m.get("size"),
      shown_runs: m.get("shown_runs"),
      ...this.own,
    };
  }

  /** A keyed view's own choice: kept here, drawn now. */
  private mine(change: Partial<Pick<Choices, "key" | "step" | "page">>): void {
    if (this.own) Object.assign(this.own, change);
    this.schedule();
  }

  /** What the page shows now (``change``: with other choices). */
  private layout(change: Partial<Choices> = {}): GalleryLayout {
    return layout(this.index.runs.length, this.index.entries.values(), { ...this.choices(), ...change });
  }

  /** Set traits from a control and save them; a new key or step starts at page one. */
  private choose(set: () => void, firstPage = false): void {
    if (firstPage) this.model.set("page", 0);
    set();
    this.model.save_changes();
  }

  /** A delta: a step logged again (its image count may change) is fetched anew. */
  private apply(delta: GalleryDelta, buffers: DataView[]): void {
    this.index.apply(delta, buffers, (e, from) => {
      for (let j = from; j < e.steps.length; j++) this.images.forget(e.run, e.key, e.steps[j], e.counts[j]);
    });
  }

  /** Draw once this task is done (changes of several traits come one after another). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      if (this.scheduled) this.draw();
    });
  }

  /** Redraw the page shown, asking Python for the images the page has not got. */
  private draw(): void {
    this.scheduled = false;
    if (this.destroyed) return;
    this.stats.draws++;
    const page = this.layout();
    this.bar.draw(page, this.choices().step < 0);
    this.body.replaceChildren();
    if (!page.key) {
      h("div", "wbnb-empty", "No images logged yet.", this.body);
      return;
    }
    for (const place of page.runs) this.drawRun(page, place);
    this.images.flush();
  }

  private drawRun(page: GalleryLayout, place: RunPlace): void {
    const { key } = page;
    const { run, step, start, stop } = place;
    const block = h("div", "wbnb-run", undefined, this.body);
    block.dataset.run = String(run);
    const name = this.index.runs[run]?.name ?? "";
    const note = h("span", "wbnb-note", place.note, h("div", "wbnb-run-title", name, block));
    const e = this.index.entry(run, key);
    if (step === null || !e) return;
    // Ask for what is missing of this page; until it comes (not while a cell runs), the
    // images drawn last for this run and key stay, dimmed, rather than empty boxes.
    const here = this.images.want(run, key, step, start, stop);
    const last = this.lastShown.get(`${run}|${key}`);
    let shownStep = step;
    let shownStop = stop;
    if (!here && stop > start && last !== undefined && last !== step && this.images.get(run, key, last, start)) {
      shownStep = last;
      shownStop = Math.min(countAt(e, last), start + page.per_page);
      note.textContent = `step ${last} (step ${step} loading…)`;
    } else if (here === stop - start) {
      this.lastShown.set(`${run}|${key}`, step);
    }
    const grid = h("div", "wbnb-grid", undefined, block);
    // `columns` thumbnails `size` px wide, narrower where the element is (never wider).
    grid.style.gridTemplateColumns = `repeat(${page.columns}, minmax(0, ${page.size}px))`;
    if (shownStep !== step) grid.classList.add("wbnb-stale");
    for (let i = start; i < shownStop; i++) {
      const fig = h("figure", "wbnb-figure", undefined, grid);
      fig.dataset.index = String(i);
      const img = this.images.get(run, key, shownStep, i);
      if (!img) {
        h("div", "wbnb-loading", "loading…", fig);
        continue;
      }
      const look = figure(img.caption, img.width, page.size);
      const tag = h("img", undefined, undefined, fig);
      tag.src = img.url;
      tag.alt = img.caption ?? "";
      if (look.pixelated) tag.classList.add("wbnb-pixelated");
      if (look.caption !== null) h("figcaption", undefined, look.caption, fig);
      if (img.legend.length) legend(img.legend, fig);
      fig.addEventListener("click", () => enlarge(this.root, img, `${name} · ${key} · step ${shownStep} · #${i}`));
    }
  }
}
