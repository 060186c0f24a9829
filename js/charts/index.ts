// anywidget's adapter over the Charts view (view.ts).
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { ChartsModel } from "./contract";
import { ChartsView } from "./view";

export default adapter(ChartsView) satisfies AnyWidget<ChartsModel>;
export { ChartsView as View }; // the component tests mount the view directly
