// ConfusionMatrix's anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { ConfusionMatrixModel } from "./contract";
import { ConfusionView } from "./view";

export default adapter(ConfusionView) satisfies AnyWidget<ConfusionMatrixModel>;
export { ConfusionView as View }; // the component tests mount the view directly
