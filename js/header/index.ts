// RunHeader's anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { RunHeaderModel } from "./contract";
import { HeaderView } from "./view";

export default adapter(HeaderView) satisfies AnyWidget<RunHeaderModel>;
export { HeaderView as View }; // the component tests mount the view directly
