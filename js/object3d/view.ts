// Object3DView's view: each (run, key)'s 3-D objects at its chosen step, a list's side by
// side (js/lib/steprecords.ts: panels, sliders, a cell per item, fetching the points a
// visible panel shows): each a point cloud, or a .obj's
// or glTF model's vertices, on a canvas (./cloud.ts); a model without points wbnb reads is
// named, not drawn. Captions are text.
import type { AnyModel, Host } from "@anywidget/types";
import { h } from "../lib/dom";
import { type Cell, StepRecordsView } from "../lib/steprecords";
import type { View, ViewOptions } from "../lib/view";
import { Cloud } from "./cloud";
import { isToPage, type Object3DViewModel, type PointsReply } from "./contract";

const CSS = `
.wbnb-object3d .wbnb-cloud { display: block; cursor: grab; touch-action: none; background: var(--jp-layout-color0, #fff); }
.wbnb-object3d .wbnb-info { color: var(--jp-ui-font-color2, #777); white-space: pre-wrap; }
.wbnb-object3d .wbnb-model { padding: 24px 8px; text-align: center; color: var(--jp-ui-font-color2, #777); border: 1px dashed #ccc; }
`;

export class Object3DView implements View {
  readonly ready: Promise<void>;
  readonly records: StepRecordsView<Object3DViewModel, PointsReply>;
  /** The cloud drawn in each cell (by "series id|item index"). */
  readonly clouds = new Map<string, Cloud>();

  constructor(el: HTMLElement, model: AnyModel<Object3DViewModel>, host?: Host, options?: ViewOptions) {
    this.records = new StepRecordsView(
      el,
      model,
      {
        name: "object3d",
        css: CSS,
        empty: "No 3-D objects logged yet.",
        isToPage,
        draw: (c, reply, buffers) => this.draw(c, reply, buffers),
        resized: (c) => this.clouds.get(cellKey(c))?.fit(c.body.clientWidth),
        dispose: (c) => this.clouds.get(cellKey(c))?.dispose(),
      },
      host,
      options,
    );
    Object.defineProperty(this.records.root, "__wbnb", { value: this }); // the tests' way in
    this.ready = this.records.ready;
  }

  destroy(): void {
    this.records.destroy();
  }

  private draw(c: Cell, reply: PointsReply, buffers: DataView[]): void {
    const key = cellKey(c);
    this.clouds.get(key)?.dispose();
    this.clouds.delete(key);
    c.body.replaceChildren();
    if (!reply.format) {
      c.note.textContent = `no object at step ${reply.step}`;
      return;
    }
    if (!reply.shown || !buffers.length) {
      h("div", "wbnb-model", `3-D model (${reply.format}): no points to draw`, c.body);
    } else {
      const cloud = new Cloud(c.body, reply, buffers[0]);
      this.clouds.set(key, cloud);
      cloud.fit(c.body.clientWidth);
      const thinned = reply.shown < reply.total ? ` (every ${(reply.total / reply.shown).toFixed(1)}th of ${reply.total})` : "";
      h("div", "wbnb-info", `${reply.shown} points${thinned}`, c.body);
    }
    if (reply.caption) h("div", "wbnb-caption", reply.caption, c.body);
  }
}

/** A cell's name in `clouds`. */
function cellKey(c: Cell): string {
  return `${c.panel.series.id}|${c.index}`;
}
