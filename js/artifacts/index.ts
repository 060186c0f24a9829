// ArtifactBrowser's anywidget adapter: the view is ./view.ts.
import type { AnyWidget } from "@anywidget/types";
import { adapter } from "../lib/view";
import type { ArtifactBrowserModel } from "./contract";
import { ArtifactsView } from "./view";

export default adapter(ArtifactsView) satisfies AnyWidget<ArtifactBrowserModel>;
export { ArtifactsView as View }; // the component tests mount the view directly
