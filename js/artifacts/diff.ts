// The metadata diff of two versions: one row per key that differs (added, removed,
// changed), values written as JSON text. Only the page diffs (the picture lists versions).

export type Change = "added" | "removed" | "changed";

export interface DiffRow {
  key: string;
  change: Change;
  a: string;
  b: string;
}

function text(v: unknown): string {
  return v === undefined ? "" : JSON.stringify(v) ?? String(v);
}

/** Keys of `a` and `b` whose values differ, sorted; `same`: how many keys agree. */
export function metadataDiff(a: Record<string, unknown>, b: Record<string, unknown>): { rows: DiffRow[]; same: number } {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const rows: DiffRow[] = [];
  let same = 0;
  for (const key of keys) {
    const inA = Object.prototype.hasOwnProperty.call(a, key);
    const inB = Object.prototype.hasOwnProperty.call(b, key);
    const [ta, tb] = [text(a[key]), text(b[key])];
    if (inA && inB && ta === tb) same++;
    else rows.push({ key, change: !inA ? "added" : !inB ? "removed" : "changed", a: ta, b: tb });
  }
  return { rows, same };
}
