// TableView's anywidget adapter (wbnb/widgets/tableview/): the view is view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { TableViewModel } from "./contract";
import { LoggedTableView } from "./view";

export default adapter(LoggedTableView) satisfies AnyWidget<TableViewModel>;
export { LoggedTableView as View }; // the component tests mount the view directly
