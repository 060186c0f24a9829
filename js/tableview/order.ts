// Which rows show, in which order: RunTable's filter language (js/lib/filter.ts) over the
// column names, then a sort by one column. The sort reads a float64 key per row: numbers
// as they are, bools as 0 / 1, text as its rank among the column's distinct values in
// natural order: case-insensitive, digit runs compared as numbers ("row-2" < "row-10"),
// else by UTF-16 code units. (RunTable's Intl.Collator compare, js/lib/sort.ts, takes ~1 s
// for 100k distinct strings; a key per distinct string compared with < takes ~0.1 s.)
// Missing values go last in both directions; ties keep the table's order.
import { compile } from "../lib/filter";
import type { Col, TableData } from "./columns";

/** A sort as the ``sort`` trait says it: "+col" ascending, "-col" descending, "" none. */
export function parseSort(spec: string): { name: string; desc: boolean } | null {
  if (spec.length < 2 || (spec[0] !== "+" && spec[0] !== "-")) return null;
  return { name: spec.slice(1), desc: spec[0] === "-" };
}

/** A header click: none -> ascending -> descending -> none (another column: ascending). */
export function nextSort(spec: string, name: string): string {
  const now = parseSort(spec);
  if (!now || now.name !== name) return "+" + name;
  return now.desc ? "" : "-" + name;
}

/** The rows that pass ``filter`` (throws FilterError when it does not parse). */
export function filterRows(data: TableData, filter: string): Uint32Array {
  const byName = new Map(data.cols.map((c) => [c.name, c]));
  const pred = compile(filter, (field) => {
    const col = byName.get(field);
    return col ? (row: number) => col.value(row) : null;
  });
  const out = new Uint32Array(data.nrows);
  let n = 0;
  for (let i = 0; i < data.nrows; i++) if (pred(i)) out[n++] = i;
  return out.subarray(0, n);
}

const DIGITS = /\d+/g;
const pad = (d: string) => (d.length >= 20 ? d : "0".repeat(20 - d.length) + d);

/** What a text value sorts by: lower case, each digit run zero-padded to 20 digits. */
export function naturalKey(s: string): string {
  return s.toLowerCase().replace(DIGITS, pad);
}

/** Each row's sort key of ``col`` (NaN: missing). */
export function sortKeys(col: Col, nrows: number): Float64Array {
  if (col.num) return col.num;
  const values: (string | null)[] = new Array(nrows);
  const distinct = new Set<string>();
  for (let i = 0; i < nrows; i++) {
    const v = col.value(i);
    const s = v === null || v === undefined ? null : String(v);
    values[i] = s;
    if (s !== null) distinct.add(s);
  }
  const keyed = [...distinct].map((s) => [naturalKey(s), s] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const rank = new Map<string, number>();
  keyed.forEach(([key, s], i) => rank.set(s, i > 0 && key === keyed[i - 1][0] ? rank.get(keyed[i - 1][1])! : i));
  return Float64Array.from(values, (s) => (s === null ? NaN : rank.get(s) ?? NaN));
}

/** ``rows`` sorted in place by ``keys`` (see the module comment). */
export function sortRows(rows: Uint32Array, keys: Float64Array, desc: boolean): Uint32Array {
  return rows.sort((a, b) => {
    const x = keys[a];
    const y = keys[b];
    if (x !== x) return y !== y ? a - b : 1;
    if (y !== y) return -1;
    return (desc ? y - x : x - y) || a - b;
  });
}
