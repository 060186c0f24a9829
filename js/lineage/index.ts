// LineageGraph's anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { LineageGraphModel } from "./contract";
import { LineageView } from "./view";

export default adapter(LineageView) satisfies AnyWidget<LineageGraphModel>;
export { LineageView as View }; // the component tests mount the view directly
