// Which rows show, in which order: RunTable's filter language (js/lib/filter.ts) over the
// column names, then a sort by one column's float64 keys (Col.keys: numbers as they are,
// bools as 0 / 1, text as the rank Python gave it in natural order, textorder.py).
// Missing values go last in both directions; ties keep the table's order.
import { compile } from "../lib/filter";
import type { TableData } from "./columns";

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
