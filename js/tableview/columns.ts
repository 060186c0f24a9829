// The table the page shows, as columns: from a ColumnsReply's buffers (the whole table:
// float64 numbers; text as a dictionary: its distinct values' UTF-8 text sliced by UTF-16
// offsets, each row's index into them, each value's rank in natural order), or from the
// snapshot's preview (its first rows, until the whole table comes, or with no kernel).
// Python ranks text (wbnb/widgets/tableview/textorder.py): the page sorts every column by
// numbers and never compares text.
import { float64s } from "../lib/anywidget";
import { formatNumber } from "../lib/dom";
import type { Value } from "../lib/filter";
import type { ColumnInfo, ColumnsReply, Preview } from "./contract";

type Cell = Preview["rows"][number][number];

/** A column as the view reads it. */
export interface Col {
  readonly name: string;
  readonly kind: ColumnInfo["kind"];
  /** The value a filter and the sort read (null when missing). */
  value(row: number): Value;
  /** What the cell shows (a media cell: its kind, e.g. "image"). */
  text(row: number): string;
  /** What the sort reads per row (NaN: missing): numbers as they are, bools 1 / 0, text
   * its rank in natural order (made on the first call). */
  keys(): Float64Array;
}

/** The table shown: ``version`` names each run's step in it (image fetches name it). */
export interface TableData {
  readonly version: string;
  readonly nrows: number;
  readonly cols: Col[];
  /** False while only the preview's first rows are here. */
  readonly complete: boolean;
}

const decoder = new TextDecoder();

/** A buffer as 32-bit integers (copied when unaligned). */
function ints<T extends Uint32Array | Int32Array>(part: DataView | undefined, Kind: { new (b: ArrayBuffer | ArrayBufferLike, o?: number, n?: number): T }): T {
  if (!part) return new Kind(new ArrayBuffer(0));
  if (part.byteOffset % 4 === 0) return new Kind(part.buffer, part.byteOffset, part.byteLength >> 2);
  return new Kind(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
}

/** Sort keys from ranks (-1: missing -> NaN), made once when first asked for. */
function rankKeys(n: number, rank: (row: number) => number): () => Float64Array {
  let keys: Float64Array | undefined;
  return () => {
    if (!keys) {
      keys = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const r = rank(i);
        keys[i] = r < 0 ? NaN : r;
      }
    }
    return keys;
  };
}

function bytes(part: DataView | undefined): Uint8Array {
  return part ? new Uint8Array(part.buffer, part.byteOffset, part.byteLength) : new Uint8Array(0);
}

function numberText(kind: ColumnInfo["kind"], v: number): string {
  if (v !== v) return "";
  return kind === "bool" ? (v ? "true" : "false") : formatNumber(v);
}

function numberColumn(info: ColumnInfo, num: Float64Array): Col {
  const bool = info.kind === "bool";
  return {
    name: info.name,
    kind: info.kind,
    keys: () => num,
    value: (i) => (num[i] !== num[i] ? null : bool ? num[i] === 1 : num[i]),
    text: (i) => numberText(info.kind, num[i]),
  };
}

/** The whole table of a ColumnsReply and its buffers. */
export function fromReply(reply: ColumnsReply, buffers: DataView[]): TableData {
  const n = reply.nrows;
  const cols = reply.columns.map((info): Col => {
    if (info.kind === "number" || info.kind === "bool") return numberColumn(info, float64s(buffers[info.buf]));
    const all = decoder.decode(bytes(buffers[info.buf]));
    const off = ints(buffers[info.buf + 1], Uint32Array);
    const codes = ints(buffers[info.buf + 2], Int32Array);
    const ranks = ints(buffers[info.buf + 3], Int32Array);
    const distinct: (string | undefined)[] = new Array(Math.max(0, off.length - 1)); // each value sliced once
    const text = (i: number) => {
      const c = codes[i];
      return c < 0 ? "" : (distinct[c] ??= all.slice(off[c], off[c + 1]));
    };
    return {
      name: info.name,
      kind: info.kind,
      value: (i) => (codes[i] < 0 ? null : text(i)),
      text,
      keys: rankKeys(n, (i) => (codes[i] < 0 ? -1 : ranks[codes[i]])),
    };
  });
  return { version: reply.version, nrows: n, cols, complete: true };
}

function cellText(kind: ColumnInfo["kind"], v: Cell): string {
  if (v === null) return "";
  if (typeof v === "object") return v.media;
  if (typeof v === "number") return numberText(kind, v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return v;
}

/** The preview's first rows (the rows a saved notebook shows). */
export function fromPreview(p: Preview): TableData {
  const cols = p.columns.map((info, c): Col => {
    if (info.kind === "number" || info.kind === "bool") {
      return numberColumn(info, Float64Array.from(p.rows, (row) => (row[c] === null ? NaN : Number(row[c]))));
    }
    const value = (i: number): Value => {
      const v = p.rows[i]?.[c] ?? null;
      return v !== null && typeof v === "object" ? v.media : v;
    };
    const ranks = p.ranks[c] ?? [];
    const keys = rankKeys(p.rows.length, (i) => ranks[i] ?? -1);
    return { name: info.name, kind: info.kind, value, text: (i) => cellText(info.kind, p.rows[i]?.[c] ?? null), keys };
  });
  return { version: p.version, nrows: p.rows.length, cols, complete: p.rows.length >= p.nrows };
}
