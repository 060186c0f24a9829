// The Gallery's anywidget adapter (wbnb/widgets/gallery/): the view is view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { GalleryModel } from "./contract";
import { GalleryView } from "./view";

export default adapter(GalleryView) satisfies AnyWidget<GalleryModel>;
export { GalleryView as View }; // the component tests mount the view directly
