// LineageGraph's view (wbnb/widgets/lineage/): the graph Python laid out (every box and
// curve in `_graph`) drawn as SVG, zoomed by the wheel or the buttons (the `zoom` trait),
// a node with hidden neighbours expanded by a click (an ExpandRequest; Python answers with
// the grown `_graph`). Names, aliases and types are text nodes, never markup.
import type { AnyModel, Host } from "@anywidget/types";
import { h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import type { View } from "../lib/view";
import {
  ARROW,
  ARTIFACT_BORDER,
  ARTIFACT_FILL,
  EDGE_STROKE,
  LINK_STROKE,
  ROOT_BORDER,
  RUN_BORDER,
  RUN_FILL,
  ZOOM_MAX,
  ZOOM_MIN,
  ZOOM_STEP,
  type ExpandRequest,
  type GraphData,
  type GraphNode,
  type LineageGraphModel,
} from "./contract";

const SVG = "http://www.w3.org/2000/svg";
const PAD = 8; // text inset in a box: model.py's PAD

const CSS = `
.wbnb-lineage .wbnb-scroll { overflow: auto; max-height: 640px; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; }
.wbnb-lineage .wbnb-node { cursor: default; }
.wbnb-lineage .wbnb-node.wbnb-more { cursor: pointer; }
.wbnb-lineage .wbnb-node.wbnb-more:hover rect { stroke-width: 2; }
.wbnb-lineage .wbnb-note { color: var(--jp-ui-font-color2, #777); }
`;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  parent: Element,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent.appendChild(node);
  return node;
}

function label(parent: Element, x: number, y: number, size: number, s: string, attrs: Record<string, string> = {}): void {
  svg("text", { x, y, "font-size": size, ...attrs }, parent).textContent = s;
}

export class LineageView implements View {
  readonly ready: Promise<void>;
  private readonly root: HTMLDivElement;
  private readonly note: HTMLSpanElement;
  private readonly scroll: HTMLDivElement;
  private readonly canvas: SVGSVGElement;
  private readonly onGraph = () => this.draw();
  private readonly onZoom = () => this.size();

  constructor(el: HTMLElement, private readonly model: AnyModel<LineageGraphModel>, _host?: Host) {
    this.root = widgetRoot(el, "lineage", CSS);
    const bar = h("div", "wbnb-bar", undefined, this.root);
    h("button", undefined, "−", bar).addEventListener("click", () => this.zoomBy(1 / ZOOM_STEP));
    h("button", undefined, "+", bar).addEventListener("click", () => this.zoomBy(ZOOM_STEP));
    h("button", undefined, "1:1", bar).addEventListener("click", () => this.setZoom(1));
    this.note = h("span", "wbnb-note", undefined, bar);
    this.scroll = h("div", "wbnb-scroll", undefined, this.root);
    this.canvas = svg("svg", { xmlns: SVG, "font-family": "inherit" }, this.scroll);
    this.scroll.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.zoomBy(e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
    }, { passive: false });
    model.on("change:_graph", this.onGraph);
    model.on("change:zoom", this.onZoom);
    this.draw();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.model.off("change:_graph", this.onGraph);
    this.model.off("change:zoom", this.onZoom);
  }

  private zoomBy(factor: number): void {
    this.setZoom(this.model.get("zoom") * factor);
  }

  private setZoom(zoom: number): void {
    this.model.set("zoom", Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, zoom)));
    this.model.save_changes();
    this.size();
  }

  private size(): void {
    const g: GraphData = this.model.get("_graph");
    const z = this.model.get("zoom");
    this.canvas.setAttribute("viewBox", `0 0 ${g.width} ${g.height}`);
    this.canvas.setAttribute("width", String(g.width * z));
    this.canvas.setAttribute("height", String(g.height * z));
  }

  private draw(): void {
    const g = this.model.get("_graph");
    const runs = g.nodes.filter((n) => n.kind === "run").length;
    this.note.textContent =
      `${runs} runs, ${g.nodes.length - runs} artifact versions` +
      (g.truncated ? " (cut at the node cap: expand a node to see more)" : "") +
      (g.nodes.some((n) => n.hidden > 0) ? " · click a +N node to add its neighbours" : "");
    this.canvas.replaceChildren();
    const defs = svg("defs", {}, this.canvas);
    for (const [name, colour] of [["arrow", EDGE_STROKE], ["arrow-link", LINK_STROKE]]) {
      const marker = svg("marker", {
        id: `wbnb-lineage-${name}`, viewBox: "0 0 8 8", refX: 8, refY: 4, markerWidth: 7, markerHeight: 7, orient: "auto",
      }, defs);
      svg("path", { d: ARROW, fill: colour }, marker);
    }
    for (const e of g.edges) {
      const link = e.kind === "link";
      svg("path", {
        d: e.d,
        fill: "none",
        stroke: link ? LINK_STROKE : EDGE_STROKE,
        "stroke-width": 1.2,
        ...(link ? { "stroke-dasharray": "4 3" } : {}),
        "marker-end": `url(#wbnb-lineage-${link ? "arrow-link" : "arrow"})`,
        "data-src": e.src,
        "data-dst": e.dst,
      }, this.canvas);
    }
    for (const n of g.nodes) this.node(n);
    this.size();
  }

  private node(n: GraphNode): void {
    const more = n.hidden > 0;
    const group = svg("g", { class: `wbnb-node wbnb-${n.kind}${more ? " wbnb-more" : ""}` }, this.canvas);
    group.dataset.id = n.id;
    svg("title", {}, group).textContent = n.title;
    const run = n.kind === "run";
    svg("rect", {
      x: n.x, y: n.y, width: n.w, height: n.h, rx: 5,
      fill: run ? RUN_FILL : ARTIFACT_FILL,
      stroke: n.root ? ROOT_BORDER : run ? RUN_BORDER : ARTIFACT_BORDER,
      "stroke-width": n.root ? 2 : 1,
    }, group);
    label(group, n.x + PAD, n.y + 16, 12, n.label, { "font-weight": "600", class: "wbnb-label" });
    label(group, n.x + PAD, n.y + 31, 10, n.sub, { fill: "#666", class: "wbnb-sub" });
    if (!more) return;
    label(group, n.x + n.w - PAD, n.y + 16, 10, `+${n.hidden}`, { fill: "#666", "text-anchor": "end" });
    group.addEventListener("click", () => {
      const request: ExpandRequest = { type: "expand", node: n.id };
      this.model.send(request);
      this.note.textContent = "expanding…";
    });
  }
}
