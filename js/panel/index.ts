// anywidget's adapter over the run panel's view (view.ts).
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { RunPanelModel } from "./contract";
import { PanelView } from "./view";

export default adapter(PanelView) satisfies AnyWidget<RunPanelModel>;
export { PanelView as View }; // the component tests mount the view directly
