// The run table's data as the view uses it: the `_data` trait (contract.ts TableData,
// written by wbnb/widgets/table/model.py) decoded into columns with a getter per row,
// the column a filter or sort field names, which columns show, and a cell's text.
// The static picture (wbnb/widgets/table/picture.py) chooses columns and prints cells by
// the same rules: tests/cases/table_columns.json and table_cells.json hold both.
import { float64s } from "../lib/anywidget";
import { formatNumber } from "../lib/dom";
import type { NumColumn, TableData, TextColumn } from "./contract";
import type { Getter } from "../lib/filter";

export interface Column {
  key: string;
  type: NumColumn["type"] | TextColumn["type"];
  get: Getter;
}

export interface Table {
  rev: number;
  n: number;
  ids: string[];
  columns: Column[];
  byKey: Map<string, Column>;
}

const NUMERIC: ReadonlySet<string> = new Set<NumColumn["type"]>(["num", "time", "dur"]);

function isNumColumn(c: NumColumn | TextColumn): c is NumColumn {
  return NUMERIC.has(c.type);
}

export function decode(raw: TableData): Table {
  const columns = raw.columns.map((c): Column => {
    if (isNumColumn(c)) {
      const num = float64s(c.values);
      return { key: c.key, type: c.type, get: (i) => num[i] };
    }
    const vals = c.values;
    return { key: c.key, type: c.type, get: (i) => vals[i] };
  });
  return { rev: raw.rev, n: raw.n, ids: raw.ids, columns, byKey: new Map(columns.map((c) => [c.key, c])) };
}

const ALIASES: Record<string, string> = {
  display_name: "name",
  created_at: "created",
  createdAt: "created",
  runtime: "duration",
};

/** The column a filter or sort field names: `summary_metrics.x` is `summary.x`,
 * `config.lr.value` (wandb's form) is `config.lr`, a bare `x` is `summary.x` or `config.x`. */
export function resolveColumn(data: Table, field: string): Column | null {
  const direct = data.byKey.get(ALIASES[field] ?? field);
  if (direct) return direct;
  if (field.startsWith("summary_metrics.")) return data.byKey.get("summary." + field.slice(16)) ?? null;
  if (field.startsWith("config.") && field.endsWith(".value")) return data.byKey.get(field.slice(0, -6)) ?? null;
  if (!field.includes(".")) return data.byKey.get("summary." + field) ?? data.byKey.get("config." + field) ?? null;
  return null;
}

/** The columns shown for the `columns` trait: those it names that exist, in its order;
 * every column when it names none. */
export function visibleColumns<C extends { key: string }>(all: C[], keys: string[]): C[] {
  if (!keys.length) return all;
  const byKey = new Map(all.map((c) => [c.key, c]));
  return keys.map((k) => byKey.get(k)).filter((c): c is C => c !== undefined);
}

function pad(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** Seconds as a duration: 4.2s, 42s, 3m 05s, 5h 07m, 3d 4h. */
export function formatDuration(s: number): string {
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(Math.round(s % 60))}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** The text a cell of a column of type `type` shows for `v` (always inserted as text). */
export function formatValue(type: Column["type"], v: unknown): string {
  if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) return "";
  if (type === "time" && typeof v === "number") {
    const d = new Date(v * 1000);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  if (type === "dur" && typeof v === "number") return formatDuration(v);
  if (typeof v === "number") return formatNumber(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === "number" ? formatNumber(x) : String(x))).join(", ");
  return String(v);
}

/** The text of `col`'s cell in `row`. */
export function formatCell(col: Column, row: number): string {
  return formatValue(col.type, col.get(row));
}
