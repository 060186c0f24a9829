// The page's copy of the matrices: what the snapshot carries (the newest steps), what each
// delta adds, and the older steps fetched on demand (the messages: ./contract.ts).
import { float64s } from "../lib/anywidget";
import type { RunInfo } from "../lib/contract";
import type { ConfusionDelta, ConfusionSnapshot, MatrixHead, MatrixReply } from "./contract";

/** A (run, key): its steps, and the matrices the page has (k*k counts, rows = true class). */
export interface Entry {
  id: number;
  run: number;
  key: string;
  title: string | null;
  names: string[];
  steps: number[];
  mats: Map<number, Float64Array>; // step -> counts
}

export class Matrices {
  runs: RunInfo[] = [];
  readonly entries = new Map<number, Entry>();

  /** `shows(key)`: whether the view draws that key's matrices (it keeps no others). */
  constructor(private readonly shows: (key: string) => boolean = () => true) {}

  /** Everything from a snapshot; matrices fetched earlier stay while their step does. */
  rebuild(snap: ConfusionSnapshot): void {
    this.runs = snap.runs;
    const old = new Map(this.entries);
    this.entries.clear();
    for (const s of snap.series) {
      if (!this.shows(s.key)) continue;
      const e = this.entry(s);
      e.steps = [...s.steps];
      const prev = old.get(e.id);
      if (prev) for (const [st, m] of prev.mats) if (e.steps.includes(st)) e.mats.set(st, m);
      const all = float64s(s.data);
      const kk = s.k * s.k;
      s.have.forEach((st, i) => {
        if (kk && (i + 1) * kk <= all.length) e.mats.set(st, all.slice(i * kk, (i + 1) * kk));
      });
    }
  }

  /** A delta's new matrices (buffer i belongs to entry i of `upd`). */
  apply(delta: ConfusionDelta, buffers: DataView[]): void {
    delta.upd.forEach((u, i) => {
      if (!this.shows(u.key)) return;
      const e = this.entry(u);
      if (!e.steps.includes(u.step)) e.steps.push(u.step);
      e.mats.set(u.step, float64s(buffers[i]).slice());
    });
  }

  /** An older matrix the kernel sent back; returns its entry (undefined if gone). */
  reply(msg: MatrixReply, buffers: DataView[]): Entry | undefined {
    const e = this.entries.get(msg.id);
    if (e && msg.k > 0 && buffers[0]) e.mats.set(msg.step, float64s(buffers[0]).slice());
    return e;
  }

  /** The entries by key, then by run. */
  ordered(): Entry[] {
    return [...this.entries.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.run - y.run));
  }

  private entry(head: MatrixHead): Entry {
    let e = this.entries.get(head.id);
    if (!e) {
      e = { id: head.id, run: head.run, key: head.key, title: null, names: [], steps: [], mats: new Map() };
      this.entries.set(e.id, e);
    }
    e.title = head.title;
    e.names = head.class_names;
    return e;
  }
}
