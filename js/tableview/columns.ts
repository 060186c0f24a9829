// The table the page shows, as columns: from a ColumnsReply's buffers (the whole table:
// float64 numbers, UTF-8 text sliced by UTF-16 offsets, missing flags), or from the
// snapshot's preview (its first rows, until the whole table comes, or with no kernel).
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
  /** Number and bool columns: every value (NaN missing), which the sort reads as they are. */
  readonly num?: Float64Array;
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

/** A buffer as uint32 values (copied when unaligned). */
function uint32s(part: DataView | undefined): Uint32Array {
  if (!part) return new Uint32Array(0);
  if (part.byteOffset % 4 === 0) return new Uint32Array(part.buffer, part.byteOffset, part.byteLength >> 2);
  return new Uint32Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
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
    num,
    value: (i) => (num[i] !== num[i] ? null : bool ? num[i] === 1 : num[i]),
    text: (i) => numberText(info.kind, num[i]),
  };
}

/** The whole table of a ColumnsReply and its buffers. */
export function fromReply(reply: ColumnsReply, buffers: DataView[]): TableData {
  const cols = reply.columns.map((info): Col => {
    if (info.kind === "number" || info.kind === "bool") return numberColumn(info, float64s(buffers[info.buf]));
    const all = decoder.decode(bytes(buffers[info.buf]));
    const off = uint32s(buffers[info.buf + 1]);
    const missing = bytes(buffers[info.buf + 2]);
    const text = (i: number) => all.slice(off[i], off[i + 1]);
    return { name: info.name, kind: info.kind, value: (i) => (missing[i] ? null : text(i)), text };
  });
  return { version: reply.version, nrows: reply.nrows, cols, complete: true };
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
    return { name: info.name, kind: info.kind, value, text: (i) => cellText(info.kind, p.rows[i]?.[c] ?? null) };
  });
  return { version: p.version, nrows: p.rows.length, cols, complete: p.rows.length >= p.nrows };
}
