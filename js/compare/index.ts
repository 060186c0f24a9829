// Compare's anywidget adapter; the view is ./view.ts (its parallel coordinates, ./parallel.ts).
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { CompareModel } from "./contract";
import { CompareView } from "./view";

export default adapter(CompareView) satisfies AnyWidget<CompareModel>;
export { CompareView as View }; // the component tests mount the view directly
