// The Gallery's layout: which key, step, page and images each run shows for the viewer's
// choices. The static picture computes the same in wbnb/widgets/gallery/layout.py;
// tests/cases/gallery_layout.json holds both to it (tests/js/gallery.test.ts here).
import { MIN_SIZE } from "./contract";
import type { Choices, Figure, GalleryLayout, KeySteps, RunPlace } from "./contract";

/** The steps ``key`` has in any of ``runs``, ascending (the slider's stops). */
export function unionSteps(index: Iterable<KeySteps>, runs: number[], key: string): number[] {
  const set = new Set<number>();
  for (const e of index) if (e.key === key && runs.includes(e.run)) for (const s of e.steps) set.add(s);
  return [...set].sort((a, b) => a - b);
}

/** Position of the last of ``sorted`` at or before ``x`` (0 when none is). */
function lastAtOrBefore(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

/** What a page of the gallery of ``runs`` runs shows for ``choices``: a key not logged
 * falls back to the first; step -1 is the newest; each run shows its last step at or
 * before the chosen one (its first when it has none before); the page is clamped to the
 * pages the fullest run needs. The note beside a run's name says which step it shows. */
export function layout(runs: number, index: Iterable<KeySteps>, choices: Choices): GalleryLayout {
  const all = [...index];
  const keys = [...new Set(all.map((e) => e.key))].sort();
  const key = keys.includes(choices.key) ? choices.key : keys[0] ?? "";
  const chosen = choices.shown_runs;
  const shown = Array.from({ length: runs }, (_, r) => r).filter((r) => !chosen.length || chosen.includes(r));
  const steps = unionSteps(all, shown, key);
  let step = choices.step;
  if (step < 0 || !steps.length) step = steps.length ? steps[steps.length - 1] : -1;
  const perPage = Math.max(1, choices.per_page);
  const at = new Map(all.filter((e) => e.key === key).map((e) => [e.run, e]));
  const places: RunPlace[] = shown.map((r) => {
    const e = at.get(r);
    if (!e || !e.steps.length) return { run: r, step: null, note: "no images under this key", count: 0, start: 0, stop: 0 };
    const i = lastAtOrBefore(e.steps, step);
    const s = e.steps[i];
    const where = s < step ? "last at or before" : "first, after";
    const note = s === step ? `step ${s}` : `step ${s} (its ${where} ${step})`;
    return { run: r, step: s, note, count: e.counts[i], start: 0, stop: 0 };
  });
  const pages = Math.max(1, Math.ceil(Math.max(0, ...places.map((p) => p.count)) / perPage));
  const page = Math.min(Math.max(0, choices.page), pages - 1);
  for (const p of places) {
    p.start = Math.min(p.count, page * perPage);
    p.stop = Math.min(p.count, page * perPage + perPage);
  }
  return {
    keys,
    key,
    steps,
    step,
    page,
    pages,
    per_page: perPage,
    columns: Math.max(1, choices.columns),
    size: Math.max(MIN_SIZE, choices.size),
    runs: places,
  };
}

/** How an image ``width`` px wide is drawn in a ``size`` px box: its caption (none when
 * empty) and crisp pixels when it is under half the box. */
export function figure(caption: string | null, width: number | null, size: number): Figure {
  return { caption: caption || null, pixelated: width !== null && 0 < width && width < size / 2 };
}
