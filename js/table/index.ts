// The run table's anywidget adapter; the table itself is TableView (view.ts).
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { RunTableModel } from "./contract";
import { TableView } from "./view";

export default adapter(TableView) satisfies AnyWidget<RunTableModel>;
export { TableView as View }; // the component tests mount the view directly
