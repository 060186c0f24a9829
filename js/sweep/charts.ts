// The sweep panel's two charts, in SVG at the static picture's layout
// (wbnb/widgets/sweep/picture.py): the metric of each trial with the best so far, and
// Hyperband's rungs (each run's metric per iteration, cut runs ending in a red ×, a
// dashed line at each band with the threshold that survives it).
import { formatNumber } from "../lib/dom";
import { svg, svgText } from "../compare/svg";
import { CHART_HEIGHT as H, CHART_LEFT as LEFT, CHART_TOP as TOP, CHART_WIDTH as W, type SweepData } from "./contract";

const CUT = "#d62728";
type Scale = (v: number) => number;

function scale(lo: number, hi: number, a: number, b: number): Scale {
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  return (v) => a + ((v - lo) / (hi - lo)) * (b - a);
}

function frame(parent: Element, cls: string, title: string, values: number[], xlabel: string): [SVGSVGElement, Scale] {
  const root = svg("svg", { class: cls, width: W + LEFT + 10, height: TOP + H + 34 }, parent);
  svgText(root, 8, 14, title, { "font-weight": 600 });
  svg("rect", { x: LEFT, y: TOP, width: W, height: H, fill: "none", stroke: "#ccc" }, root);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const y = scale(lo, hi, TOP + H, TOP);
  for (const v of lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi]) {
    svgText(root, LEFT - 4, y(v) + 4, formatNumber(v), { "font-size": 10, fill: "#666", "text-anchor": "end" });
  }
  svgText(root, LEFT + W / 2, TOP + H + 28, xlabel, { "font-size": 10, fill: "#666", "text-anchor": "middle" });
  return [root, y];
}

/** The metric of each trial (dots) and the best so far (a step line). */
export function trialsChart(parent: Element, data: SweepData): void {
  const points = data.trials.flatMap((r) => (r.value === null ? [] : [{ seq: r.seq, v: r.value }]));
  const title = `${data.metric} per trial (${data.goal})`;
  if (!points.length) {
    svgText(svg("svg", { class: "wbnb-trials-chart", width: W + LEFT + 10, height: 28 }, parent), 8, 18, `${title}: no value yet`, { fill: "#666" });
    return;
  }
  const [root, y] = frame(parent, "wbnb-trials-chart", title, points.map((p) => p.v), "trial");
  const x = scale(0, Math.max(data.trials.length - 1, 1), LEFT, LEFT + W);
  for (const { seq, v } of points) svg("circle", { class: "wbnb-trial", cx: x(seq), cy: y(v), r: 3, fill: "#4c78a8" }, root);
  const step = data.best.flatMap((b, i) => (b === null ? [] : [`${x(i).toFixed(1)},${y(b).toFixed(1)}`]));
  if (step.length > 1) svg("polyline", { class: "wbnb-best", points: step.join(" "), fill: "none", stroke: "#f58518", "stroke-width": 1.5 }, root);
}

/** Hyperband: each run per iteration, where it was cut, the bands and their thresholds. */
export function rungsChart(parent: Element, data: SweepData): void {
  const traces = data.traces.filter((t) => t.y.length);
  if (!traces.length) return;
  const values = [...traces.flatMap((t) => t.y), ...data.rungs.map((r) => r.threshold)];
  const [root, y] = frame(parent, "wbnb-rungs-chart", `Hyperband: ${data.metric} per iteration`, values, "iteration");
  const last = Math.max(...traces.map((t) => t.x[t.x.length - 1]));
  const x = scale(1, Math.max(last, 2), LEFT, LEFT + W);
  for (const r of data.rungs) {
    svg("line", { class: "wbnb-band", x1: x(r.band), y1: TOP, x2: x(r.band), y2: TOP + H, stroke: "#999", "stroke-dasharray": "3,3" }, root);
    const ty = y(r.threshold);
    svg("line", { class: "wbnb-threshold", x1: x(r.band) - 6, y1: ty, x2: x(r.band) + 6, y2: ty, stroke: "#000", "stroke-width": 2 }, root);
    svgText(root, x(r.band), TOP + H + 14, String(r.band), { "font-size": 10, fill: "#666", "text-anchor": "middle" });
  }
  for (const t of traces) {
    const points = t.x.map((xi, i) => `${x(xi).toFixed(1)},${y(t.y[i]).toFixed(1)}`).join(" ");
    const line = svg("polyline", { class: "wbnb-trace", points, fill: "none", stroke: t.cut === null ? "#4c78a8" : CUT, "stroke-opacity": 0.7 }, root);
    line.dataset.id = t.run_id;
    svg("title", {}, line).textContent = t.cut === null ? t.name : `${t.name}: cut at iteration ${t.cut}`;
    if (t.cut !== null) {
      const end = t.x.length - 1;
      svgText(root, x(t.x[end]), y(t.y[end]) + 4, "×", { class: "wbnb-cut", fill: CUT, "text-anchor": "middle", "font-size": 11 });
    }
  }
}
