// The images the page has, asks Python for, and waits for. Pixels never sit in traits:
// the page sends a FetchRequest for what it shows and lacks; the ImagesReply carries one
// buffer per image, kept here as an object URL until the image is replaced or the view goes.
import { bytesOf } from "../lib/anywidget";
import type { ClassMark } from "../lib/contract";
import type { FetchItem, FetchRequest, ImagesReply } from "./contract";

/** An image the page has. */
export interface Img {
  url: string;
  caption: string | null;
  width: number | null;
  height: number | null;
  /** The classes its masks and boxes name, painted on its pixels by Python. */
  legend: ClassMark[];
}

const ident = (run: number, key: string, step: number, i: number) => `${run}|${step}|${i}|${key}`;

// Request numbers are unique on the page: several views of one model (the run panel's, a
// view per key) hear every reply, and each keeps only the answers to its own requests.
let requests = 0;

/** The page's images by (run, key, step, index); ``send`` posts a request to Python. */
export class ImageFetcher {
  readonly stats = { fetches: 0, received: 0 };
  private readonly cache = new Map<string, Img>();
  private readonly pending = new Set<string>(); // asked for, no answer yet
  private readonly asking = new Map<number, string[]>(); // request number -> what it asked for
  private wants: FetchItem[] = [];
  private asked: string[] = [];

  constructor(private readonly send: (request: FetchRequest) => void) {}

  /** Image ``i`` of ``key`` at ``step`` in run number ``run``, if the page has it. */
  get(run: number, key: string, step: number, i: number): Img | undefined {
    return this.cache.get(ident(run, key, step, i));
  }

  /** Queue a request for images ``start..stop-1`` of ``key`` at ``step`` in run ``run``
   * that are neither here nor asked for already; returns how many are here. */
  want(run: number, key: string, step: number, start: number, stop: number): number {
    let here = 0;
    let from = -1;
    let to = -1;
    for (let i = start; i < stop; i++) {
      const id = ident(run, key, step, i);
      if (this.cache.has(id)) here++;
      else if (!this.pending.has(id)) {
        this.pending.add(id);
        this.asked.push(id);
        if (from < 0) from = i;
        to = i + 1;
      }
    }
    if (from >= 0) this.wants.push({ run, key, step, from, to });
    return here;
  }

  /** Send what ``want`` queued as one request. */
  flush(): void {
    if (!this.wants.length) return;
    this.stats.fetches++;
    const req = ++requests;
    this.asking.set(req, this.asked);
    this.send({ type: "fetch", req, items: this.wants });
    this.wants = [];
    this.asked = [];
  }

  /** Keep the images of a reply to one of this fetcher's requests (another view's is not
   * for it); what it left out (too big for one message, gone) is asked for again by the
   * next ``want``. Returns whether the reply was this fetcher's. */
  receive(reply: ImagesReply, buffers: DataView[]): boolean {
    if (!this.asking.has(reply.req)) return false;
    reply.items.forEach((it, i) => {
      const id = ident(it.run, it.key, it.step, it.index);
      this.pending.delete(id);
      const url = URL.createObjectURL(new Blob([bytesOf(buffers[i])], { type: it.mime }));
      this.drop(id);
      this.cache.set(id, { url, caption: it.caption, width: it.width, height: it.height, legend: it.legend });
      this.stats.received++;
    });
    for (const id of this.asking.get(reply.req) ?? []) this.pending.delete(id);
    this.asking.delete(reply.req);
    return true;
  }

  /** Forget the ``count`` images of ``key`` at ``step`` in run ``run`` (logged anew). */
  forget(run: number, key: string, step: number, count: number): void {
    for (let i = 0; i < count; i++) this.drop(ident(run, key, step, i));
  }

  /** Forget every image, and ignore the replies still to come (the ``marks`` trait
   * changed: they are painted as it was). */
  reset(): void {
    for (const img of this.cache.values()) URL.revokeObjectURL(img.url);
    this.cache.clear();
    this.pending.clear();
    this.asking.clear();
  }

  destroy(): void {
    this.reset();
  }

  private drop(id: string): void {
    const old = this.cache.get(id);
    if (old) URL.revokeObjectURL(old.url);
    this.cache.delete(id);
  }
}
