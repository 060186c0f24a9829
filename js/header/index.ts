// RunHeader's view (wbnb/widgets/header.py): the header's HTML, built in Python from
// escaped strings, copied in through an inert parse that keeps only <div>, <b> and <span>
// with their class and style, so text stays text whatever the model holds (a marimo page
// may write a model's state as a kernel does).
import type { RenderProps } from "@anywidget/types";

const KEPT = new Set(["DIV", "B", "SPAN"]);

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

function render({ model, el }: RenderProps): () => void {
  const draw = (): void => {
    const parsed = new DOMParser().parseFromString(String(model.get("value") ?? ""), "text/html");
    const box = document.createElement("div");
    copyInto(parsed.body, box);
    el.replaceChildren(...Array.from(box.childNodes));
  };
  draw();
  model.on("change:value", draw);
  return () => model.off("change:value", draw);
}

export default { render };
