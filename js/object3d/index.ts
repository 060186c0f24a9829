// Object3DView's anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { Object3DViewModel } from "./contract";
import { Object3DView } from "./view";

export default adapter(Object3DView) satisfies AnyWidget<Object3DViewModel>;
export { Object3DView as View }; // the component tests mount the view directly
