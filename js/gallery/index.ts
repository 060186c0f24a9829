// The Gallery's anywidget adapter (wbnb/widgets/gallery/): the view is view.ts.
import type { AnyWidget } from "@anywidget/types";
import type { GalleryModel } from "./contract";
import { GalleryView } from "./view";

export default {
  render({ model, el, host }) {
    const view = new GalleryView(el, model, host);
    return view.ready.then(() => () => view.destroy());
  },
} satisfies AnyWidget<GalleryModel>;

export { GalleryView as View }; // the component tests mount the view directly
