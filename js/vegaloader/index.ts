// The VegaLoader model's own module (wbnb/widgets/loader.py): it has no view; when the
// page creates the model it starts importing the vega bundle the model carries, so the
// first chart finds it loaded or on its way (js/lib/vega.ts caches it on `window`).
import type { ModelLike } from "../lib/anywidget";
import { importVega } from "../lib/vega";

export default {
  initialize({ model }: { model: ModelLike }): void {
    // A failure shows in the chart that awaits the same import.
    importVega(model).catch(() => undefined);
  },
};
