// The page's copy of the grids: what the snapshot carries (every grid whole) and the rows
// each delta replaces from its `start` on (the shapes: ./contract.ts).
import { float64s } from "../lib/anywidget";
import type { RunInfo } from "../lib/contract";
import type { GridRows, HistogramsDelta, HistogramsSnapshot } from "./contract";

/** A (run, key)'s grid as the page has it: a row per step, each `bins` counts over [lo, hi]. */
export interface Grid extends Omit<GridRows, "start"> {
  rows: Float64Array[];
}

export class Grids {
  runs: RunInfo[] = [];
  /** `shows(key)`: whether the view draws that key's grids (it keeps no others). */
  constructor(private readonly shows: (key: string) => boolean = () => true) {}

  readonly grids = new Map<number, Grid>();
  /** The grids changed since the last `takeChanged()`. */
  private readonly changed = new Set<number>();

  /** Everything from a snapshot; returns the ids of the grids it no longer has. */
  rebuild(snap: HistogramsSnapshot): number[] {
    this.runs = snap.runs;
    const seen = new Set<number>();
    for (const s of snap.series) {
      if (!this.shows(s.key)) continue;
      this.take(s, s.data);
      seen.add(s.id);
    }
    const gone = [...this.grids.keys()].filter((id) => !seen.has(id));
    for (const id of gone) this.grids.delete(id);
    return gone;
  }

  /** A delta's rows (buffer i belongs to entry i of `upd`). */
  apply(delta: HistogramsDelta, buffers: DataView[]): void {
    delta.upd.forEach((u, i) => {
      if (this.shows(u.key)) this.take(u, buffers[i]);
    });
  }

  /** The grids by key, then by run. */
  ordered(): Grid[] {
    return [...this.grids.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.run - y.run));
  }

  /** The grids changed since the last call. */
  takeChanged(): Grid[] {
    const out = [...this.changed].map((id) => this.grids.get(id)).filter((g): g is Grid => g !== undefined);
    this.changed.clear();
    return out;
  }

  /** Rows from `u.start` on replace the grid's (a grid not seen yet starts empty). */
  private take(u: GridRows, part: DataView | undefined): void {
    let g = this.grids.get(u.id);
    if (!g) {
      g = { id: u.id, run: u.run, key: u.key, lo: u.lo, hi: u.hi, bins: u.bins, steps: [], rows: [] };
      this.grids.set(g.id, g);
    }
    g.lo = u.lo;
    g.hi = u.hi;
    g.bins = u.bins;
    const counts = float64s(part);
    g.steps.length = Math.min(g.steps.length, u.start);
    g.rows.length = Math.min(g.rows.length, u.start);
    u.steps.forEach((s, j) => {
      g.steps.push(s);
      g.rows.push(counts.slice(j * u.bins, (j + 1) * u.bins));
    });
    this.changed.add(g.id);
  }
}
