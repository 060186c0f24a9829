// The step index the page holds: for each (run, key) the steps that have images and how
// many, as Python thinned them (wbnb/widgets/gallery/model.py). Rebuilt from a snapshot,
// grown by deltas; the page only reads it.
import { float64s } from "../lib/anywidget";
import type { RunInfo } from "../lib/contract";
import type { GalleryDelta, GallerySnapshot, KeySteps } from "./contract";

/** One (run, key)'s steps and image counts (numbered as Python numbers it). */
export interface Entry extends KeySteps {
  id: number;
}

/** The runs and the (run, key) entries of the snapshot, as deltas left them. */
export class StepIndex {
  runs: RunInfo[] = [];
  readonly entries = new Map<number, Entry>();

  /** `shows(key)`: whether the view draws that key (it keeps no other key's steps). */
  constructor(private readonly shows: (key: string) => boolean = () => true) {}

  /** Everything anew from a snapshot. */
  rebuild(snap: GallerySnapshot): void {
    this.runs = snap.runs;
    this.entries.clear();
    for (const s of snap.series) {
      if (!this.shows(s.key)) continue;
      const e: Entry = { id: s.id, run: s.run, key: s.key, steps: [], counts: [] };
      decode(s.data, e, 0);
      this.entries.set(e.id, e);
    }
  }

  /** Apply one delta; ``replaced(e, from)`` hears first which entry's steps from
   * position ``from`` on are about to be replaced. */
  apply(delta: GalleryDelta, buffers: DataView[], replaced: (e: Entry, from: number) => void): void {
    delta.upd.forEach((u, i) => {
      if (!this.shows(u.key)) return;
      let e = this.entries.get(u.id);
      if (!e) {
        e = { id: u.id, run: u.run, key: u.key, steps: [], counts: [] };
        this.entries.set(e.id, e);
      }
      replaced(e, u.from);
      decode(buffers[i], e, u.from);
    });
  }

  /** The entry of ``key`` in run number ``run``. */
  entry(run: number, key: string): Entry | undefined {
    for (const e of this.entries.values()) if (e.run === run && e.key === key) return e;
    return undefined;
  }
}

/** How many images ``e`` has at ``step`` (0 when the step is not in its index). */
export function countAt(e: Entry, step: number): number {
  return e.counts[e.steps.indexOf(step)] ?? 0;
}

/** Float64 pairs (step, image count) into ``e`` from position ``from`` on. */
function decode(part: DataView | undefined, e: Entry, from: number): void {
  const a = float64s(part);
  e.steps.length = Math.min(e.steps.length, from);
  e.counts.length = Math.min(e.counts.length, from);
  for (let i = 0; i + 1 < a.length; i += 2) {
    e.steps.push(a[i]);
    e.counts.push(a[i + 1]);
  }
}
