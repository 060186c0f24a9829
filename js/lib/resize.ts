// Views lay out to the width their container gives them (a notebook output, a cell of the
// run panel's grid): a ResizeObserver tells them when an element's width changed, at most
// once per animation frame, so dragging a window edge redraws a chart once a frame.

/** Call `changed(el)` for each of the elements watched whose width changed (once per
 * animation frame at most; a width of 0, a hidden element, is not reported). */
export class WidthWatch {
  private readonly observer?: ResizeObserver;
  private readonly widths = new Map<Element, number>();
  private readonly due = new Set<Element>();
  private frame = 0;

  constructor(private readonly changed: (el: Element) => void) {
    if (typeof ResizeObserver === "undefined") return;
    this.observer = new ResizeObserver((entries) => {
      for (const entry of entries) this.due.add(entry.target);
      if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
    });
  }

  watch(el: Element): void {
    this.observer?.observe(el);
  }

  unwatch(el: Element): void {
    this.observer?.unobserve(el);
    this.widths.delete(el);
    this.due.delete(el);
  }

  dispose(): void {
    this.observer?.disconnect();
    if (this.frame) cancelAnimationFrame(this.frame);
    this.due.clear();
  }

  private flush(): void {
    this.frame = 0;
    const due = [...this.due];
    this.due.clear();
    for (const el of due) {
      const width = Math.floor(el.clientWidth);
      if (width <= 0 || width === this.widths.get(el)) continue;
      this.widths.set(el, width);
      this.changed(el);
    }
  }
}
