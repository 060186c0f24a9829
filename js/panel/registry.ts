// The views the run panel mounts, by the name Python gives each cell (`view`: the part's
// `esm_name`). A component joins the panel with one line here; a cell whose view is not
// registered says so in its place. The views are mounted compact (ViewOptions): a
// component whose model has shared settings registers its settings bar in SETTINGS too,
// which the panel shows once per part.
import type { AnyModel, Host } from "@anywidget/types";
import { referencedModel } from "../lib/anywidget";
import type { Settings, SettingsBar, View, ViewClass, ViewOptions } from "../lib/view";
import { ChartsView } from "../charts/view";
import { confusionSettings, ConfusionView } from "../confusion/view";
import { curvesSettings } from "../curves/controls";
import { CurvesView } from "../curves/view";
import { gallerySettings } from "../gallery/bar";
import { GalleryView } from "../gallery/view";
import { histogramsSettings, HistogramsView } from "../histograms/view";
import { MediaView } from "../mediaview/view";
import { Object3DView } from "../object3d/view";
import { PlotlyView } from "../plotly/view";
import { LoggedTableView } from "../tableview/view";

/** Mounts a part's view in `el`: `ref` is the panel's reference to the part's model. */
export type PartMount = (el: HTMLElement, ref: string, panel: AnyModel, host: Host | undefined, options: ViewOptions) => Promise<View>;

/** The mount of a view class: its part model, resolved from the panel's reference, is the
 * model that class is written for (the part's `esm_name` names the class). */
export function part<T extends Record<string, any>>(View: ViewClass<T>): PartMount {
  return async (el, ref, panel, host, options) => new View(el, await referencedModel<T>(ref, panel, host), host, options);
}

export const VIEWS: Readonly<Record<string, PartMount>> = {
  curves: part(CurvesView),
  gallery: part(GalleryView),
  confusion: part(ConfusionView),
  histograms: part(HistogramsView),
  tableview: part(LoggedTableView),
  charts: part(ChartsView),
  mediaview: part(MediaView),
  plotly: part(PlotlyView),
  object3d: part(Object3DView),
};

/** Builds a part's settings bar in `el`: `ref` is the panel's reference to the part's model. */
export type PartSettings = (el: HTMLElement, ref: string, panel: AnyModel, host: Host | undefined) => Promise<Settings>;

/** The settings bar of a component, over the part's model resolved from the panel's reference. */
export function settings<T extends Record<string, any>>(bar: SettingsBar<T>): PartSettings {
  return async (el, ref, panel, host) => bar(el, await referencedModel<T>(ref, panel, host));
}

/** The settings bars, by view name: the settings a component's views share. */
export const SETTINGS: Readonly<Record<string, PartSettings>> = {
  curves: settings(curvesSettings),
  gallery: settings(gallerySettings),
  confusion: settings(confusionSettings),
  histograms: settings(histogramsSettings),
};
