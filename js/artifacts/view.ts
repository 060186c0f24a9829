// ArtifactBrowser's view (wbnb/widgets/artifacts/): a collection's versions in a list; a
// click selects one (the `selected` trait) and shows who logged it, who used it, its
// metadata and its files (asked for with a FilesRequest, answered by Python); two ticked
// versions (the `compare` trait) show their metadata diff. Every name, alias, metadata key
// and value is inserted as text.
import type { AnyModel, Host } from "@anywidget/types";
import { h } from "../lib/dom";
import { widgetRoot } from "../lib/style";
import type { View } from "../lib/view";
import {
  isToPage,
  type ArtifactBrowserModel,
  type FilesReply,
  type FilesRequest,
  type RunLabel,
  type VersionRow,
} from "./contract";
import { metadataDiff } from "./diff";

const CSS = `
.wbnb-artifacts .wbnb-title { font-weight: 600; margin: 2px 0 6px; }
.wbnb-artifacts .wbnb-title .wbnb-sub { font-weight: normal; color: var(--jp-ui-font-color2, #777); margin-left: 8px; }
.wbnb-artifacts table { border-collapse: collapse; width: 100%; }
.wbnb-artifacts th, .wbnb-artifacts td { text-align: left; padding: 2px 8px; white-space: pre; border-bottom: 1px solid var(--jp-border-color3, #f0f0f0); }
.wbnb-artifacts .wbnb-versions tbody tr { cursor: pointer; }
.wbnb-artifacts .wbnb-versions tbody tr:hover { background: rgba(76,120,168,.07); }
.wbnb-artifacts .wbnb-versions tr.wbnb-sel { background: rgba(76,120,168,.18); }
.wbnb-artifacts .wbnb-alias { display: inline-block; padding: 0 5px; margin-right: 3px; border-radius: 8px; background: #e8eef7; }
.wbnb-artifacts .wbnb-details { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 8px; }
.wbnb-artifacts .wbnb-details .wbnb-panel { flex: 1 1 320px; }
.wbnb-artifacts .wbnb-muted { color: var(--jp-ui-font-color2, #777); }
.wbnb-artifacts .wbnb-added { background: #eef8ee; }
.wbnb-artifacts .wbnb-removed { background: #fbeeee; }
.wbnb-artifacts .wbnb-changed { background: #fbf6e6; }
`;

const runText = (r: RunLabel) => `${r.name} (${r.project}/${r.id})`;

export class ArtifactsView implements View {
  readonly ready: Promise<void>;
  private readonly root: HTMLDivElement;
  private readonly list: HTMLDivElement;
  private readonly details: HTMLDivElement;
  private readonly diff: HTMLDivElement;
  private files: FilesReply | null = null;
  private asked = ""; // the version whose files were last asked for
  private readonly onData = () => this.draw();
  private readonly onSelected = () => this.drawSelection();
  private readonly onCompare = () => this.drawSelection();
  private readonly onMessage = (msg: unknown) => {
    if (isToPage(msg) && msg.version === this.model.get("selected")) {
      this.files = msg;
      this.drawDetails();
    }
  };

  constructor(el: HTMLElement, private readonly model: AnyModel<ArtifactBrowserModel>, _host?: Host) {
    this.root = widgetRoot(el, "artifacts", CSS);
    this.list = h("div", undefined, undefined, this.root);
    this.diff = h("div", "wbnb-diff", undefined, this.root);
    this.details = h("div", "wbnb-details", undefined, this.root);
    model.on("change:_data", this.onData);
    model.on("change:selected", this.onSelected);
    model.on("change:compare", this.onCompare);
    model.on("msg:custom", this.onMessage);
    this.draw();
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.model.off("change:_data", this.onData);
    this.model.off("change:selected", this.onSelected);
    this.model.off("change:compare", this.onCompare);
    this.model.off("msg:custom", this.onMessage);
  }

  private row(id: string): VersionRow | undefined {
    return this.model.get("_data").versions.find((v) => v.id === id);
  }

  private draw(): void {
    const data = this.model.get("_data");
    this.list.replaceChildren();
    const title = h("div", "wbnb-title", `${data.project}/${data.name}`, this.list);
    const older = data.total - data.versions.length;
    h("span", "wbnb-sub", `${data.type} · ${data.total} versions${older > 0 ? ` (the newest ${data.versions.length} listed)` : ""}`, title);
    if (data.versions.length === 0) {
      h("div", "wbnb-empty", "no versions", this.list);
      return;
    }
    const table = h("table", "wbnb-versions", undefined, this.list);
    const head = h("tr", undefined, undefined, h("thead", undefined, undefined, table));
    for (const col of ["compare", "version", "aliases", "size", "files", "created", "logged by", "used by"]) h("th", undefined, col, head);
    const body = h("tbody", undefined, undefined, table);
    for (const v of data.versions) {
      const tr = h("tr", undefined, undefined, body);
      tr.dataset.id = v.id;
      const tick = h("input", undefined, undefined, h("td", undefined, undefined, tr));
      tick.type = "checkbox";
      tick.title = "compare the metadata of two versions";
      tick.addEventListener("click", (e) => {
        e.stopPropagation();
        this.toggleCompare(v.id, tick.checked);
      });
      h("td", undefined, v.version, tr);
      const aliases = h("td", undefined, undefined, tr);
      for (const a of v.aliases) h("span", "wbnb-alias", a, aliases);
      h("td", undefined, v.size, tr);
      h("td", undefined, String(v.files), tr);
      h("td", undefined, v.created, tr);
      h("td", undefined, v.logged_by ? v.logged_by.name : "-", tr);
      h("td", undefined, String(v.used_by.length), tr);
      tr.addEventListener("click", () => this.select(v.id));
    }
    this.drawSelection();
  }

  private select(id: string): void {
    this.model.set("selected", id);
    this.model.save_changes();
    this.drawSelection();
  }

  private toggleCompare(id: string, on: boolean): void {
    const now = this.model.get("compare").filter((x) => x !== id);
    const next = on ? [...now, id].slice(-2) : now;
    this.model.set("compare", next);
    this.model.save_changes();
    this.drawSelection();
  }

  private drawSelection(): void {
    const selected = this.model.get("selected");
    const compare = this.model.get("compare");
    for (const tr of Array.from(this.list.querySelectorAll<HTMLTableRowElement>("tbody tr"))) {
      tr.classList.toggle("wbnb-sel", tr.dataset.id === selected);
      const tick = tr.querySelector("input");
      if (tick) tick.checked = compare.includes(tr.dataset.id ?? "");
    }
    if (selected !== this.asked) {
      this.asked = selected;
      this.files = null;
      if (this.row(selected)) {
        const request: FilesRequest = { type: "files", version: selected };
        this.model.send(request);
      }
    }
    this.drawDetails();
    this.drawDiff();
  }

  private drawDetails(): void {
    this.details.replaceChildren();
    const v = this.row(this.model.get("selected"));
    if (!v) {
      h("div", "wbnb-empty", "click a version to see its lineage and files", this.details);
      return;
    }
    const about = h("div", "wbnb-panel wbnb-about", undefined, this.details);
    h("div", "wbnb-head", `${this.model.get("_data").name}:${v.version}`, about);
    const lines: [string, string][] = [
      ["digest", v.digest],
      ["logged by", v.logged_by ? runText(v.logged_by) : "-"],
      ["used by", v.used_by.length ? v.used_by.map(runText).join(", ") : "no run"],
    ];
    if (v.links.length) lines.push(["linked as", v.links.join(", ")]);
    if (v.description) lines.push(["description", v.description]);
    for (const [key, value] of Object.entries(v.metadata)) lines.push([key, JSON.stringify(value) ?? String(value)]);
    const table = h("table", "wbnb-meta", undefined, about);
    for (const [key, value] of lines) {
      const tr = h("tr", undefined, undefined, table);
      h("td", "wbnb-muted", key, tr);
      h("td", undefined, value, tr);
    }
    const files = h("div", "wbnb-panel wbnb-files", undefined, this.details);
    h("div", "wbnb-head", `files (${v.files})`, files);
    if (!this.files) {
      h("div", "wbnb-muted", "reading the files…", files);
      return;
    }
    const list = h("table", undefined, undefined, files);
    for (const f of this.files.files) {
      const tr = h("tr", undefined, undefined, list);
      h("td", undefined, f.path, tr);
      h("td", "wbnb-muted", f.ref ?? f.size, tr);
    }
    if (this.files.total > this.files.files.length) {
      h("div", "wbnb-muted", `… ${this.files.total - this.files.files.length} more files`, files);
    }
  }

  private drawDiff(): void {
    this.diff.replaceChildren();
    const [a, b] = this.model.get("compare").map((id) => this.row(id));
    if (!a || !b) return;
    const panel = h("div", "wbnb-panel", undefined, this.diff);
    const { rows, same } = metadataDiff(a.metadata, b.metadata);
    h("div", "wbnb-head", `metadata: ${a.version} → ${b.version}`, panel);
    const table = h("table", undefined, undefined, panel);
    const head = h("tr", undefined, undefined, table);
    for (const col of ["key", a.version, b.version]) h("th", undefined, col, head);
    for (const r of rows) {
      const tr = h("tr", `wbnb-${r.change}`, undefined, table);
      h("td", undefined, r.key, tr);
      h("td", undefined, r.a, tr);
      h("td", undefined, r.b, tr);
    }
    h("div", "wbnb-muted", rows.length ? `${same} keys the same` : `the same metadata (${same} keys)`, panel);
  }
}
