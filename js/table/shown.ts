// What the table shows, written back to the kernel in the `_shown` trait: the page alone
// filters and sorts (wbnb/widgets/table/contract.py says why), and the static picture
// (wbnb/widgets/table/picture.py) draws these rows in this order. Written once things
// settle (typing a filter writes once), and only when it changed.
import type { AnyModel } from "@anywidget/types";
import type { RunTableModel, Shown } from "./contract";

/** Milliseconds of quiet before what is shown is written. */
export const SHOWN_DELAY_MS = 250;

export class ShownWriter {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly model: AnyModel<RunTableModel>) {}

  /** Write what `shown()` says, after SHOWN_DELAY_MS without another call. */
  schedule(shown: () => Shown): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.write(shown()), SHOWN_DELAY_MS);
  }

  cancel(): void {
    clearTimeout(this.timer);
  }

  private write(next: Shown): void {
    if (same(this.model.get("_shown"), next)) return;
    this.model.set("_shown", next);
    this.model.save_changes();
  }
}

function same(a: Shown | null, b: Shown): boolean {
  return (
    a !== null &&
    a.filter === b.filter &&
    a.rev === b.rev &&
    a.count === b.count &&
    a.error === b.error &&
    sameList(a.sort, b.sort) &&
    sameList(a.ids, b.ids) &&
    a.sorted_by.length === b.sorted_by.length &&
    a.sorted_by.every(([key, desc], i) => key === b.sorted_by[i][0] && desc === b.sorted_by[i][1])
  );
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
