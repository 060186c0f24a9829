// The run table's columnar data as Python sends it (the `_data` trait):
//   {n, ids: [...], columns: [{key, type, values}]}
// type "num" | "time" | "dur": values is float64 bytes (NaN = missing);
// "str" | "list" | "any": values is a JSON array (null = missing).
import { float64s } from "../lib/anywidget";
import { formatNumber } from "../lib/dom";
import type { Getter, Value } from "../lib/filter";

export interface Column {
  key: string;
  type: string;
  num?: Float64Array;
  vals?: Value[];
  get: Getter;
}

export interface TableData {
  n: number;
  ids: string[];
  columns: Column[];
  byKey: Map<string, Column>;
}

export function decode(raw: any): TableData {
  const n = (raw && raw.n) || 0;
  const ids: string[] = (raw && raw.ids) || [];
  const columns: Column[] = [];
  for (const c of (raw && raw.columns) || []) {
    if (c.type === "num" || c.type === "time" || c.type === "dur") {
      const num = float64s(c.values);
      columns.push({ key: c.key, type: c.type, num, get: (i) => num[i] });
    } else {
      const vals: Value[] = c.values || [];
      columns.push({ key: c.key, type: c.type, vals, get: (i) => vals[i] });
    }
  }
  return { n, ids, columns, byKey: new Map(columns.map((c) => [c.key, c])) };
}

const ALIASES: Record<string, string> = {
  display_name: "name",
  created_at: "created",
  createdAt: "created",
  runtime: "duration",
  id: "id",
};

/** The column a filter or sort field names: `summary_metrics.x` is `summary.x`,
 * `config.lr.value` (wandb's form) is `config.lr`. */
export function resolveColumn(data: TableData, field: string): Column | null {
  const direct = data.byKey.get(ALIASES[field] ?? field);
  if (direct) return direct;
  if (field.startsWith("summary_metrics.")) return data.byKey.get("summary." + field.slice(16)) ?? null;
  if (field.startsWith("config.") && field.endsWith(".value")) return data.byKey.get(field.slice(0, -6)) ?? null;
  if (!field.includes(".")) return data.byKey.get("summary." + field) ?? data.byKey.get("config." + field) ?? null;
  return null;
}

function pad(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

export function formatDuration(s: number): string {
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(Math.round(s % 60))}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** The text a cell shows (always inserted as text). */
export function formatCell(col: Column, row: number): string {
  const v = col.get(row);
  if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) return "";
  if (col.type === "time" && typeof v === "number") {
    const d = new Date(v * 1000);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  if (col.type === "dur" && typeof v === "number") return formatDuration(v);
  if (typeof v === "number") return formatNumber(v);
  if (Array.isArray(v)) return v.map((x) => String(x)).join(", ");
  return String(v);
}
