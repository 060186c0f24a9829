// anywidget's adapter over the Curves view (view.ts); System draws with it too.
import type { AnyWidget } from "@anywidget/types";
import type { CurvesModel } from "./contract";
import { CurvesView } from "./view";

export default {
  render({ model, el, host }) {
    const view = new CurvesView(el, model, host);
    return view.ready.then(() => () => view.destroy());
  },
} satisfies AnyWidget<CurvesModel>;

export { CurvesView as View }; // the component tests mount the view directly
