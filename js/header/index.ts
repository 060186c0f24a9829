// RunHeader's anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import type { RunHeaderModel } from "./contract";
import { HeaderView } from "./view";

export default {
  render({ model, el, host }) {
    const view = new HeaderView(el, model, host);
    return view.ready.then(() => () => view.destroy());
  },
} satisfies AnyWidget<RunHeaderModel>;

export { HeaderView as View }; // the component tests mount the view directly
