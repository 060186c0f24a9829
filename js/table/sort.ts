// Multi-key stable sort of row indices. Missing values (null, undefined, NaN) go last
// whatever the direction; numbers come before strings; strings compare naturally
// ("run-2" < "run-10"), case-insensitively; lists compare by their text.

export type SortValue = number | string | boolean | null | undefined | SortValue[];

export interface SortKey {
  get(row: number): SortValue;
  desc: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function missing(v: SortValue): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)) || (Array.isArray(v) && v.length === 0);
}

function rank(v: SortValue): number {
  return typeof v === "number" ? 0 : typeof v === "boolean" ? 1 : 2;
}

/** Compare two present values (no missing handling, ascending). */
export function compareValues(a: SortValue, b: SortValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (ra === 1) return Number(a) - Number(b);
  return collator.compare(Array.isArray(a) ? a.join(", ") : String(a), Array.isArray(b) ? b.join(", ") : String(b));
}

/** Sort `rows` (row indices) in place by `keys`, first key first; ties keep their order. */
export function sortRows(rows: number[], keys: SortKey[]): number[] {
  if (!keys.length) return rows;
  // Precompute each key's values per row: the comparator then only reads arrays.
  const cols = keys.map((k) => {
    const vals: SortValue[] = [];
    for (const r of rows) vals[r] = k.get(r);
    return vals;
  });
  const pos: number[] = [];
  rows.forEach((r, i) => (pos[r] = i));
  rows.sort((x, y) => {
    for (let k = 0; k < keys.length; k++) {
      const a = cols[k][x];
      const b = cols[k][y];
      const ma = missing(a);
      const mb = missing(b);
      if (ma || mb) {
        if (ma && mb) continue;
        return ma ? 1 : -1;
      }
      const c = compareValues(a, b);
      if (c !== 0) return keys[k].desc ? -c : c;
    }
    return pos[x] - pos[y];
  });
  return rows;
}

/** "-summary.acc" -> {key: "summary.acc", desc: true}; "+a" or "a" ascending. */
export function parseSortSpec(spec: string): { key: string; desc: boolean } {
  if (spec.startsWith("-")) return { key: spec.slice(1), desc: true };
  if (spec.startsWith("+")) return { key: spec.slice(1), desc: false };
  return { key: spec, desc: false };
}
