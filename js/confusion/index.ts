// ConfusionMatrix's anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import type { ConfusionMatrixModel } from "./contract";
import { ConfusionView } from "./view";

export default {
  render({ model, el, host }) {
    const view = new ConfusionView(el, model, host);
    return view.ready.then(() => () => view.destroy());
  },
} satisfies AnyWidget<ConfusionMatrixModel>;

export { ConfusionView as View }; // the component tests mount the view directly
