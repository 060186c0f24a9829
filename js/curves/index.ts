// anywidget's adapter over the Curves view (view.ts); System draws with it too.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { CurvesModel } from "./contract";
import { CurvesView } from "./view";

export default adapter(CurvesView) satisfies AnyWidget<CurvesModel>;
export { CurvesView as View }; // the component tests mount the view directly
