// Gallery: images by key, a step slider, runs side by side, click to enlarge.
// The snapshot trait / deltas carry only the step index (wbnb/widgets/gallery.py); the
// pixels of the page shown are asked for with a "fetch" message and arrive as binary
// buffers, kept as blob URLs. Captions, keys and run names are text, never HTML.
import type { RenderProps } from "../lib/anywidget";
import { float64s } from "../lib/anywidget";
import { h, injectStyle } from "../lib/dom";
import { LiveChannel, type Delta, type Snapshot } from "../lib/protocol";

interface RunInfo {
  id: string;
  name: string;
}

interface Entry {
  id: number;
  run: number;
  key: string;
  steps: number[];
  counts: number[];
}

interface Img {
  url: string;
  caption: string | null;
  width: number | null;
  height: number | null;
}

const CSS = `
.wbnb-gallery { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.wbnb-gallery .wbnb-bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 2px 0 8px; }
.wbnb-gallery .wbnb-bar label { display: inline-flex; gap: 4px; align-items: center; }
.wbnb-gallery .wbnb-step-slider { width: 260px; }
.wbnb-gallery .wbnb-step-label { min-width: 90px; font-variant-numeric: tabular-nums; }
.wbnb-gallery .wbnb-run { margin: 0 0 10px; }
.wbnb-gallery .wbnb-run-title { font-weight: 600; margin: 0 0 4px; white-space: pre; }
.wbnb-gallery .wbnb-run-title .wbnb-note { font-weight: normal; color: var(--jp-ui-font-color2, #777); margin-left: 8px; }
.wbnb-gallery .wbnb-grid { display: grid; gap: 6px; }
.wbnb-gallery figure { margin: 0; cursor: zoom-in; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 3px; background: var(--jp-layout-color1, #fafafa); }
.wbnb-gallery figure img { display: block; width: 100%; height: auto; image-rendering: auto; background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0 / 12px 12px; }
.wbnb-gallery figure img.wbnb-pixelated { image-rendering: pixelated; }
.wbnb-gallery figcaption { white-space: pre-wrap; word-break: break-word; margin-top: 2px; color: var(--jp-ui-font-color1, #333); }
.wbnb-gallery .wbnb-stale { opacity: .55; }
.wbnb-gallery .wbnb-loading { aspect-ratio: 1; display: flex; align-items: center; justify-content: center; color: #999; }
.wbnb-gallery .wbnb-empty { color: var(--jp-ui-font-color2, #777); padding: 8px; }
.wbnb-gallery .wbnb-overlay { position: fixed; inset: 0; background: rgba(0,0,0,.75); display: flex; flex-direction: column;
  align-items: center; justify-content: center; z-index: 1000; cursor: zoom-out; color: #fff; }
.wbnb-gallery .wbnb-overlay img { max-width: 90vw; max-height: 80vh; min-width: min(60vw, 60vh); object-fit: contain; image-rendering: pixelated; background: #fff; }
.wbnb-gallery .wbnb-overlay .wbnb-big-caption { margin-top: 8px; white-space: pre-wrap; max-width: 90vw; text-align: center; }
`;

async function render(props: RenderProps): Promise<() => void> {
  const { model, el } = props;
  injectStyle("wbnb-gallery-style", CSS, el);
  const root = h("div", "wbnb-gallery", undefined, el);
  const bar = h("div", "wbnb-bar", undefined, root);
  const body = h("div", "wbnb-body", undefined, root);

  const keyLabel = h("label", undefined, "key", bar);
  const keySelect = h("select", "wbnb-key", undefined, keyLabel);
  const stepLabel = h("label", undefined, "step", bar);
  const slider = h("input", "wbnb-step-slider", undefined, stepLabel);
  slider.type = "range";
  slider.min = "0";
  slider.step = "1";
  const stepText = h("span", "wbnb-step-label", "", stepLabel);
  const sizeLabel = h("label", undefined, "size", bar);
  const sizeSlider = h("input", "wbnb-size", undefined, sizeLabel);
  sizeSlider.type = "range";
  sizeSlider.min = "48";
  sizeSlider.max = "512";
  sizeSlider.step = "8";
  const colsLabel = h("label", undefined, "columns", bar);
  const colsInput = h("input", "wbnb-columns", undefined, colsLabel);
  colsInput.type = "number";
  colsInput.min = "1";
  colsInput.max = "16";
  colsInput.style.width = "3.5em";
  const pager = h("span", "wbnb-pager", undefined, bar);
  const prev = h("button", undefined, "‹", pager);
  const pageText = h("span", "wbnb-page", "", pager);
  const next = h("button", undefined, "›", pager);
  const runBox = h("span", "wbnb-runs", undefined, bar);

  let runs: RunInfo[] = [];
  const entries = new Map<number, Entry>();
  const cache = new Map<string, Img>(); // run|key|step|index -> image
  const pending = new Set<string>(); // asked for, no answer yet
  const asking = new Map<number, string[]>(); // request number -> what it asked for
  const lastShown = new Map<string, number>(); // run|key -> the step whose page was drawn whole
  let req = 0;
  let pageCount = 1;
  let disposed = false;
  const stats = { fetches: 0, received: 0, draws: 0 };

  const ident = (run: number, key: string, step: number, i: number) => `${run}|${step}|${i}|${key}`;

  function keys(): string[] {
    return [...new Set([...entries.values()].map((e) => e.key))].sort();
  }

  function shownRuns(): number[] {
    const chosen: number[] = model.get("shown_runs") || [];
    const all = runs.map((_, i) => i);
    return chosen.length ? all.filter((i) => chosen.includes(i)) : all;
  }

  function entryOf(run: number, key: string): Entry | undefined {
    for (const e of entries.values()) if (e.run === run && e.key === key) return e;
    return undefined;
  }

  /** Steps of the chosen key over the runs shown, ascending. */
  function unionSteps(key: string): number[] {
    const set = new Set<number>();
    for (const r of shownRuns()) for (const s of entryOf(r, key)?.steps ?? []) set.add(s);
    return [...set].sort((a, b) => a - b);
  }

  /** The step a run shows for the chosen step: the last it has at or before it. */
  function stepFor(e: Entry, step: number): number {
    let lo = 0;
    let hi = e.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e.steps[mid] <= step) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? e.steps[lo - 1] : e.steps[0];
  }

  function currentKey(): string {
    const k = model.get("key") || "";
    const ks = keys();
    return ks.includes(k) ? k : ks[0] ?? "";
  }

  function currentStep(steps: number[]): number {
    const s = Number(model.get("step"));
    if (!steps.length) return -1;
    if (s < 0) return steps[steps.length - 1];
    return s;
  }

  function drawControls(): void {
    const ks = keys();
    const key = currentKey();
    if ([...keySelect.options].map((o) => o.value).join("\n") !== ks.join("\n")) {
      keySelect.replaceChildren();
      for (const k of ks) h("option", undefined, k, keySelect).value = k;
    }
    keySelect.value = key;
    const steps = unionSteps(key);
    slider.max = String(Math.max(0, steps.length - 1));
    const step = currentStep(steps);
    let i = steps.findIndex((s) => s >= step);
    if (i < 0) i = steps.length - 1;
    slider.value = String(Math.max(0, i));
    slider.disabled = steps.length < 2;
    stepText.textContent = steps.length
      ? `${steps[Math.max(0, i)]}${Number(model.get("step")) < 0 ? " (latest)" : ""}  ·  ${Math.max(0, i) + 1}/${steps.length}`
      : "";
    sizeSlider.value = String(model.get("size") || 160);
    colsInput.value = String(model.get("columns") || 4);
    if (runBox.childElementCount !== runs.length) {
      runBox.replaceChildren();
      if (runs.length > 1) {
        const chosen: number[] = model.get("shown_runs") || [];
        runs.forEach((r, idx) => {
          const lab = h("label", "wbnb-run-choice", undefined, runBox);
          const box = h("input", undefined, undefined, lab);
          box.type = "checkbox";
          box.checked = !chosen.length || chosen.includes(idx);
          box.addEventListener("change", () => {
            const on = [...runBox.querySelectorAll("input")].map((b, j) => ((b as HTMLInputElement).checked ? j : -1)).filter((j) => j >= 0);
            model.set("shown_runs", on.length === runs.length ? [] : on);
            model.save_changes();
            draw();
          });
          lab.appendChild(document.createTextNode(r.name));
        });
      }
    }
  }

  /** Redraw the page shown, asking Python for the images not in the cache. */
  function draw(): void {
    if (disposed) return;
    stats.draws++;
    drawControls();
    const key = currentKey();
    const steps = unionSteps(key);
    const step = currentStep(steps);
    const perPage = Math.max(1, Number(model.get("per_page")) || 24);
    const cols = Math.max(1, Number(model.get("columns")) || 4);
    const size = Math.max(32, Number(model.get("size")) || 160);
    let page = Math.max(0, Number(model.get("page")) || 0);
    const shown = shownRuns();
    let maxCount = 0;
    for (const r of shown) {
      const e = entryOf(r, key);
      if (!e || !e.steps.length) continue;
      const at = e.steps.indexOf(stepFor(e, step));
      maxCount = Math.max(maxCount, e.counts[at] ?? 0);
    }
    const pages = Math.max(1, Math.ceil(maxCount / perPage));
    page = Math.min(page, pages - 1);
    pageCount = pages;
    pager.style.display = pages > 1 ? "" : "none";
    pageText.textContent = ` page ${page + 1}/${pages} `;
    body.replaceChildren();
    if (!key) {
      h("div", "wbnb-empty", "No images logged yet.", body);
      return;
    }
    const wants: { run: number; key: string; step: number; from: number; to: number }[] = [];
    const asked: string[] = [];
    for (const r of shown) {
      const block = h("div", "wbnb-run", undefined, body);
      block.dataset.run = String(r);
      const title = h("div", "wbnb-run-title", runs[r]?.name ?? "", block);
      const e = entryOf(r, key);
      if (!e || !e.steps.length) {
        h("span", "wbnb-note", "no images under this key", title);
        continue;
      }
      const s = stepFor(e, step);
      const note = h("span", "wbnb-note", s === step ? `step ${s}` : `step ${s} (its last at or before ${step})`, title);
      const from = page * perPage;
      const countAt = (st: number) => e.counts[e.steps.indexOf(st)] ?? 0;
      const to = Math.min(countAt(s), from + perPage);
      // Ask for what is missing of this page; until it comes (not while a cell runs), the
      // images drawn last for this run and key stay, dimmed, rather than empty boxes.
      let missing = -1;
      let missingTo = -1;
      let cached = 0;
      for (let i = from; i < to; i++) {
        const id = ident(r, key, s, i);
        if (cache.has(id)) cached++;
        else if (!pending.has(id)) {
          pending.add(id);
          asked.push(id);
          if (missing < 0) missing = i;
          missingTo = i + 1;
        }
      }
      const last = lastShown.get(`${r}|${key}`);
      let showStep = s;
      let showTo = to;
      if (!cached && to > from && last !== undefined && last !== s && cache.has(ident(r, key, last, from))) {
        showStep = last;
        showTo = Math.min(countAt(last), from + perPage);
        note.textContent = `step ${last} (step ${s} loading…)`;
      } else if (cached === to - from) {
        lastShown.set(`${r}|${key}`, s);
      }
      const grid = h("div", "wbnb-grid", undefined, block);
      grid.style.gridTemplateColumns = `repeat(${cols}, ${size}px)`;
      if (showStep !== s) grid.classList.add("wbnb-stale");
      for (let i = from; i < showTo; i++) {
        const fig = h("figure", "wbnb-figure", undefined, grid);
        fig.dataset.index = String(i);
        const img = cache.get(ident(r, key, showStep, i));
        if (img) {
          const tag = h("img", undefined, undefined, fig);
          tag.src = img.url;
          tag.alt = img.caption ?? "";
          if (img.width && img.width < size / 2) tag.classList.add("wbnb-pixelated");
          if (img.caption) h("figcaption", undefined, img.caption, fig);
          fig.addEventListener("click", () => enlarge(img, `${runs[r]?.name ?? ""} · ${key} · step ${showStep} · #${i}`));
        } else {
          h("div", "wbnb-loading", "loading…", fig);
        }
      }
      if (missing >= 0) wants.push({ run: r, key, step: s, from: missing, to: missingTo });
    }
    if (wants.length) {
      stats.fetches++;
      asking.set(++req, asked);
      model.send({ type: "fetch", req, items: wants });
    }
  }

  function enlarge(img: Img, where: string): void {
    const overlay = h("div", "wbnb-overlay", undefined, root);
    const big = h("img", undefined, undefined, overlay);
    big.src = img.url;
    big.alt = img.caption ?? "";
    h("div", "wbnb-big-caption", img.caption ? `${img.caption}\n${where}` : where, overlay);
    const close = () => {
      overlay.remove();
      document.removeEventListener("keydown", onKey);
    };
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key === "Escape") close();
    };
    overlay.addEventListener("click", close);
    document.addEventListener("keydown", onKey);
  }

  // -- answers from Python ----------------------------------------------------------------
  const onMsg = (msg: any, buffers: DataView[]) => {
    if (!msg || msg.type !== "images") return;
    (msg.items || []).forEach((it: any, i: number) => {
      const id = ident(Number(it.run), String(it.key), Number(it.step), Number(it.index));
      pending.delete(id);
      const part = buffers?.[i];
      const bytes = part ? new Uint8Array(part.buffer, part.byteOffset, part.byteLength) : new Uint8Array(0);
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: String(it.mime || "image/png") }));
      const old = cache.get(id);
      if (old) URL.revokeObjectURL(old.url);
      cache.set(id, { url, caption: it.caption == null ? null : String(it.caption), width: it.width ?? null, height: it.height ?? null });
      stats.received++;
    });
    // What the answer left out (too big for one message, gone) is asked for again.
    for (const id of asking.get(Number(msg.req)) ?? []) pending.delete(id);
    asking.delete(Number(msg.req));
    draw();
  };
  model.on("msg:custom", onMsg);

  // -- live step index ------------------------------------------------------------------------
  function decode(part: unknown, e: Entry, from: number): void {
    const a = float64s(part);
    e.steps.length = Math.min(e.steps.length, from);
    e.counts.length = Math.min(e.counts.length, from);
    for (let i = 0; i + 1 < a.length; i += 2) {
      e.steps.push(a[i]);
      e.counts.push(a[i + 1]);
    }
  }

  function rebuild(snap: Snapshot): void {
    runs = ((snap.runs as RunInfo[]) || []).map((r) => ({ id: String(r.id), name: String(r.name) }));
    runBox.replaceChildren();
    entries.clear();
    for (const s of (snap.series as any[]) || []) {
      const e: Entry = { id: s.id, run: s.run, key: String(s.key), steps: [], counts: [] };
      decode(s.data, e, 0);
      entries.set(e.id, e);
    }
  }

  function apply(delta: Delta, buffers: DataView[]): void {
    ((delta.upd as any[]) || []).forEach((u, i) => {
      let e = entries.get(u.id);
      if (!e) {
        e = { id: u.id, run: u.run, key: String(u.key), steps: [], counts: [] };
        entries.set(e.id, e);
      }
      // a step whose image count changed (logged again) is fetched anew
      for (let j = Number(u.from); j < e.steps.length; j++) {
        for (let k = 0; k < e.counts[j]; k++) cache.delete(ident(e.run, e.key, e.steps[j], k));
      }
      decode(buffers[i], e, Number(u.from));
    });
  }

  let scheduled = false;
  function commit(): void {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      draw();
    });
  }

  // -- controls ---------------------------------------------------------------------------------
  const set = (name: string, value: unknown) => {
    model.set(name, value);
    model.save_changes();
  };
  keySelect.addEventListener("change", () => {
    model.set("page", 0);
    set("key", keySelect.value);
  });
  slider.addEventListener("input", () => {
    const steps = unionSteps(currentKey());
    const i = Number(slider.value);
    model.set("page", 0);
    set("step", i >= steps.length - 1 ? -1 : steps[i]); // the end follows new steps
  });
  sizeSlider.addEventListener("input", () => set("size", Number(sizeSlider.value)));
  colsInput.addEventListener("change", () => set("columns", Math.max(1, Math.min(16, Number(colsInput.value) || 1))));
  prev.addEventListener("click", () => set("page", Math.max(0, (Number(model.get("page")) || 0) - 1)));
  next.addEventListener("click", () => set("page", Math.min(pageCount - 1, (Number(model.get("page")) || 0) + 1)));
  const names = ["key", "step", "page", "per_page", "columns", "size", "shown_runs"];
  for (const n of names) model.on(`change:${n}`, commit);

  const channel = new LiveChannel(model, { rebuild, apply, commit });
  (root as any).__wbnb = { entries, cache, channel, stats, unionSteps };
  channel.start();

  return () => {
    disposed = true;
    channel.dispose();
    model.off("msg:custom", onMsg);
    for (const n of names) model.off(`change:${n}`, commit);
    for (const img of cache.values()) URL.revokeObjectURL(img.url);
    root.remove();
  };
}

export default { render };
