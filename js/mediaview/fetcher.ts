// The files the page asks Python for. File bytes never sit in traits: a cell that becomes
// visible (or is played) asks for its file once; requests made in one task go as one
// FetchRequest, and the MediaReply carries two buffers per file (bytes, waveform).
import { bytesOf, float64s } from "../lib/anywidget";
import type { FetchItem, FetchRequest, MediaItem, MediaReply } from "./contract";

/** A file as a cell gets it. */
export interface Got {
  bytes: Uint8Array<ArrayBuffer>;
  /** What its cell says (kind, mime, caption...). */
  item: MediaItem;
  /** The waveform: ``columns`` minima, then as many maxima (null: none). */
  peaks: Float64Array | null;
  columns: number;
}

const ident = (id: number, step: number, index: number) => `${id}|${step}|${index}`;

/** Requests by file (series id, step, index) and who waits for each. */
export class MediaFetcher {
  private readonly waiting = new Map<string, { item: FetchItem; deliver: (got: Got) => void }>();
  private readonly requests = new Map<number, string[]>(); // request number -> what it asked for
  private queue: FetchItem[] = [];
  private req = 0;

  constructor(private readonly send: (request: FetchRequest) => void) {}

  /** Ask for ``item`` (once until it comes); ``deliver`` gets it. */
  want(item: FetchItem, deliver: (got: Got) => void): void {
    const id = ident(item.id, item.step, item.index);
    if (this.waiting.has(id)) return;
    this.waiting.set(id, { item, deliver });
    this.queue.push(item);
    if (this.queue.length === 1) queueMicrotask(() => this.flush());
  }

  /** Hand each file of a reply to whoever waits for it. A reply that stopped short (too
   * big for one message) is followed by a request for the rest; one that brought nothing
   * ends the asking (those files are gone). */
  receive(reply: MediaReply, buffers: DataView[]): void {
    reply.items.forEach((it, i) => {
      const id = ident(it.id, it.step, it.index);
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      const peaks = it.peaks > 0 ? float64s(buffers[2 * i + 1]) : null;
      w?.deliver({ bytes: bytesOf(buffers[2 * i]), item: it.item, peaks, columns: it.peaks });
    });
    for (const id of this.requests.get(reply.req) ?? []) {
      const w = this.waiting.get(id);
      if (!w) continue;
      this.waiting.delete(id);
      if (reply.items.length) this.want(w.item, w.deliver);
    }
    this.requests.delete(reply.req);
  }

  private flush(): void {
    if (!this.queue.length) return;
    const items = this.queue;
    this.queue = [];
    this.requests.set(++this.req, items.map((it) => ident(it.id, it.step, it.index)));
    this.send({ type: "fetch", req: this.req, items });
  }
}
