// Histograms' anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import type { HistogramsModel } from "./contract";
import { HistogramsView } from "./view";

export default {
  render({ model, el, host }) {
    const view = new HistogramsView(el, model, host);
    return view.ready.then(() => () => view.destroy());
  },
} satisfies AnyWidget<HistogramsModel>;

export { HistogramsView as View }; // the component tests mount the view directly
