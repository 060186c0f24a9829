// The live protocol's front half (see DESIGN.md "Widget protocol", wbnb/widgets/feed.py):
// deltas carry a sequence number; delta `seq` applies only on top of `seq - 1`. A gap
// (a lost or skipped message) makes the view rebuild from the snapshot trait, which
// Python refreshes by itself every few seconds while a run is live: nothing here
// waits for an answer from the kernel. Deltas and snapshot changes queue up and are
// applied together once per animation frame.
import type { AnyModel } from "@anywidget/types";
import type { Delta, Snapshot } from "./contract";

/** What a live model's view does with the channel's snapshots and deltas. */
export interface Handlers<S extends Snapshot, D extends Delta> {
  /** Replace everything with the snapshot's content. */
  rebuild(snapshot: S): void;
  /** Apply one delta on top of the previous one. */
  apply(delta: D, buffers: DataView[]): void;
  /** Called after a frame that changed anything (push changes to the charts). */
  commit(): void;
}

/** A model holding a live snapshot (every LiveWidget's ``_snapshot`` trait). */
export interface LiveModel<S extends Snapshot> {
  _snapshot: S;
}

type Item<D> = { kind: "delta"; delta: D; buffers: DataView[] } | { kind: "snapshot" };

export class LiveChannel<S extends Snapshot, D extends Delta> {
  applied = -1;
  stale = false;
  rebuilds = 0;
  applies = 0;
  private queue: Item<D>[] = [];
  private frame = 0;
  private ready = false;
  private readonly onMsg: (msg: unknown, buffers: DataView[]) => void;
  private readonly onSnap: () => void;

  /** ``isDelta``: the component's generated guard of its deltas (its contract.ts). */
  constructor(
    private readonly model: AnyModel<LiveModel<S>>,
    private readonly handlers: Handlers<S, D>,
    isDelta: (msg: unknown) => msg is D,
  ) {
    this.onMsg = (msg, buffers) => {
      if (isDelta(msg) && msg.type === "delta") this.push({ kind: "delta", delta: msg, buffers: buffers ?? [] });
    };
    this.onSnap = () => this.push({ kind: "snapshot" });
    model.on("msg:custom", this.onMsg);
    model.on("change:_snapshot", this.onSnap);
  }

  /** Draw the snapshot now and start applying what arrives (messages before this wait). */
  start(): void {
    this.ready = true;
    this.rebuildFromModel();
    this.handlers.commit();
    this.flush();
  }

  dispose(): void {
    this.model.off("msg:custom", this.onMsg);
    this.model.off("change:_snapshot", this.onSnap);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.queue = [];
  }

  private push(item: Item<D>): void {
    this.queue.push(item);
    if (this.ready && !this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Apply everything queued (normally once per animation frame). */
  flush(): void {
    this.frame = 0;
    if (!this.ready || !this.queue.length) return;
    const items = this.queue;
    this.queue = [];
    for (const item of items) {
      if (item.kind === "snapshot") {
        const snap = this.snapshot();
        if (snap && (snap.seq > this.applied || this.stale)) this.rebuildFromModel();
        continue;
      }
      const { delta, buffers } = item;
      if (delta.seq <= this.applied) continue; // already in the snapshot we drew
      if (delta.seq !== this.applied + 1 || this.stale) {
        // A gap: rebuild from the snapshot when it is newer than what we have, then
        // carry on if this delta follows it; otherwise wait for the next snapshot.
        const snap = this.snapshot();
        if (snap && snap.seq > this.applied) this.rebuildFromModel();
        if (delta.seq <= this.applied) continue;
        if (delta.seq !== this.applied + 1) {
          this.stale = true;
          continue;
        }
      }
      this.handlers.apply(delta, buffers);
      this.applied = delta.seq;
      this.applies++;
    }
    this.handlers.commit();
  }

  private snapshot(): S | undefined {
    const s = this.model.get("_snapshot");
    return s && typeof s.seq === "number" ? s : undefined;
  }

  private rebuildFromModel(): void {
    const snap = this.snapshot();
    if (!snap) return;
    this.handlers.rebuild(snap);
    this.applied = snap.seq;
    this.stale = false;
    this.rebuilds++;
  }
}
