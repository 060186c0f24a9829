// The sweep panel's anywidget adapter; the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { SweepPanelModel } from "./contract";
import { SweepView } from "./view";

export default adapter(SweepView) satisfies AnyWidget<SweepPanelModel>;
export { SweepView as View }; // the component tests mount the view directly
