// The VegaLoader model's front end (wbnb/widgets/vegaloader/): it has no view; when the
// page creates the model it starts importing the vega bundle the model carries, so the
// first chart finds it loaded or on its way (js/lib/vega.ts caches it on `window`).
import type { AnyWidget } from "@anywidget/types";
import type { VegaLoaderModel } from "./contract";
import { importVega } from "../lib/vega";

export default {
  initialize({ model }) {
    // A failure shows in the chart that awaits the same import.
    importVega(model).catch(() => undefined);
  },
} satisfies AnyWidget<VegaLoaderModel>;
