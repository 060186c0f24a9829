// The run table's anywidget adapter; the table itself is TableView (view.ts).
import type { AnyWidget } from "@anywidget/types";
import type { RunTableModel } from "./contract";
import { TableView } from "./view";

export default {
  render({ model, el, host }) {
    const view = new TableView(el, model, host);
    return view.ready.then(() => () => view.destroy());
  },
} satisfies AnyWidget<RunTableModel>;
export { TableView as View }; // the component tests mount the view directly
