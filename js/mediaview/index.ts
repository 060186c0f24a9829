// The MediaView's anywidget adapter (wbnb/widgets/mediaview/): the view is view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { MediaViewModel } from "./contract";
import { MediaView } from "./view";

export default adapter(MediaView) satisfies AnyWidget<MediaViewModel>;
export { MediaView as View }; // the component tests mount the view directly
