// PlotlyView's anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { PlotlyViewModel } from "./contract";
import { PlotlyView } from "./view";

export default adapter(PlotlyView) satisfies AnyWidget<PlotlyViewModel>;
export { PlotlyView as View }; // the component tests mount the view directly
