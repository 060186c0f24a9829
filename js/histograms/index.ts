// Histograms' anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { HistogramsModel } from "./contract";
import { HistogramsView } from "./view";

export default adapter(HistogramsView) satisfies AnyWidget<HistogramsModel>;
export { HistogramsView as View }; // the component tests mount the view directly
