// The image cells' pictures the page has, asks Python for, and waits for (the pattern of
// js/gallery/fetcher.ts): the page asks only for the rows in view; each reply buffer is
// kept as an object URL until the view goes. Thumbnails and full images are kept apart.
import type { CellRef, FetchRequest, ImagesReply } from "./contract";

const ident = (version: string, row: number, col: number, full: boolean) => `${full ? "F" : "T"}|${version}|${row}|${col}`;

/** A buffer's bytes in an ArrayBuffer of their own (a Blob takes no SharedArrayBuffer view). */
function ownBytes(part: DataView | undefined): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(part?.byteLength ?? 0);
  if (part) out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  return out;
}

export class CellImages {
  readonly stats = { requests: 0, asked: 0, received: 0 };
  private readonly urls = new Map<string, string>();
  private readonly pending = new Set<string>();
  private readonly asking = new Map<number, string[]>(); // request number -> what it asked for
  private wants: CellRef[] = [];
  private req = 0;

  constructor(private readonly send: (request: FetchRequest) => void) {}

  /** The object URL of cell (row, col) of table ``version``, if here. */
  get(version: string, row: number, col: number, full = false): string | undefined {
    return this.urls.get(ident(version, row, col, full));
  }

  /** Queue the thumbnail of (row, col) unless it is here or asked for. */
  want(version: string, row: number, col: number): void {
    const id = ident(version, row, col, false);
    if (this.urls.has(id) || this.pending.has(id)) return;
    this.pending.add(id);
    this.wants.push({ row, col });
  }

  /** Ask for what ``want`` queued (one request). */
  flush(version: string): void {
    if (!this.wants.length) return;
    this.ask(version, this.wants, false);
    this.wants = [];
  }

  /** Ask for the full image of (row, col). */
  wantFull(version: string, row: number, col: number): void {
    const id = ident(version, row, col, true);
    if (!this.urls.has(id) && !this.pending.has(id)) {
      this.pending.add(id);
      this.ask(version, [{ row, col }], true);
    }
  }

  private ask(version: string, cells: CellRef[], full: boolean): void {
    this.stats.requests++;
    this.stats.asked += cells.length;
    this.asking.set(this.req + 1, cells.map((c) => ident(version, c.row, c.col, full)));
    this.send({ type: "fetch", req: ++this.req, what: "images", version, cells, full });
  }

  /** Keep a reply's images; what it left out is asked for again by the next ``want``. */
  receive(reply: ImagesReply, buffers: DataView[]): void {
    reply.items.forEach((it, i) => {
      const id = ident(reply.version, it.row, it.col, reply.full);
      const old = this.urls.get(id);
      if (old) URL.revokeObjectURL(old);
      this.urls.set(id, URL.createObjectURL(new Blob([ownBytes(buffers[i])], { type: it.mime })));
      this.stats.received++;
    });
    for (const id of this.asking.get(reply.req) ?? []) this.pending.delete(id);
    this.asking.delete(reply.req);
  }

  destroy(): void {
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}
