// Which rows show, in which order: RunTable's filter language (js/lib/filter.ts) over the
// column names, then a sort by one column. The sort reads a float64 key per row: numbers
// as they are, bools as 0 / 1, text as its rank among the column's distinct values in
// RunTable's order (js/lib/sort.ts compareValues: natural, case-insensitive: "row-2" <
// "row-10"); missing values last in both directions, ties in the table's order.
import { compile } from "../lib/filter";
import { compareValues } from "../lib/sort";
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
  const rank = new Map([...distinct].sort(compareValues).map((s, i) => [s, i]));
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
