// RunHeader's view (wbnb/widgets/header/): the header's markup, built in Python from
// escaped strings, copied in through an inert parse that keeps only <div>, <b> and <span>
// with their class and style, so text stays text whatever the model holds (a marimo page
// may write a model's state as a kernel does).
import type { AnyModel, Host } from "@anywidget/types";
import type { View } from "../lib/view";
import type { RunHeaderModel } from "./contract";

const KEPT = new Set(["DIV", "B", "SPAN"]);

/** `from`'s text and kept elements (class and style only), appended to `to`. */
function copyInto(from: Node, to: Node): void {
  for (const child of Array.from(from.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode(child.textContent ?? ""));
    } else if (child instanceof Element && KEPT.has(child.tagName)) {
      const node = document.createElement(child.tagName.toLowerCase());
      for (const name of ["class", "style"]) {
        const value = child.getAttribute(name);
        if (value !== null) node.setAttribute(name, value);
      }
      copyInto(child, node);
      to.appendChild(node);
    }
  }
}

export class HeaderView implements View {
  readonly ready: Promise<void>;
  private readonly onChange = () => this.draw();

  constructor(private readonly el: HTMLElement, private readonly model: AnyModel<RunHeaderModel>, _host?: Host) {
    this.draw();
    model.on("change:value", this.onChange);
    this.ready = Promise.resolve();
  }

  destroy(): void {
    this.model.off("change:value", this.onChange);
  }

  private draw(): void {
    const parsed = new DOMParser().parseFromString(this.model.get("value"), "text/html");
    const box = document.createElement("div");
    copyInto(parsed.body, box);
    this.el.replaceChildren(...Array.from(box.childNodes));
  }
}
