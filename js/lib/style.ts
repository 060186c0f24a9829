// The look every component shares, and the root its view draws into. A view's root is
// `<div class="wbnb-widget wbnb-<name>">`; this sheet styles what the components have in
// common (the theme's font, the bar of controls, a bordered panel with its head, the hover
// tip, the "nothing logged yet" note) and the component's own sheet, added after it, the
// rest (it may override these: same specificity, later in the document).
import { h, injectStyle } from "./dom";

// The output after a rendered view that holds its static picture (wbnb/widgets/pictures/
// show.py, picture_bundle) is hidden: one thing shows per widget. CSS, not script, so the
// order in which the two outputs arrive does not matter; a view that failed to render
// leaves its picture shown. One selector per front end's wrapper of one output, each read
// from its source (docs/notes-nbconvert.md): JupyterLab / Notebook 7 `.jp-OutputArea-child`;
// classic Notebook 6 `.output_area` (notebook/js/outputarea.js); VS Code `.output_container`
// (its webview preload's OutputContainer, siblings in a cell's `.cell_container`).
const SHARED = `
.jp-OutputArea-child:has(.wbnb-widget) + .jp-OutputArea-child:has(.wbnb-picture),
.output_area:has(.wbnb-widget) + .output_area:has(.wbnb-picture),
.output_container:has(.wbnb-widget) + .output_container:has(.wbnb-picture) { display: none; }
.wbnb-widget { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.wbnb-widget .wbnb-bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 2px 0 8px; }
.wbnb-widget .wbnb-bar label { display: inline-flex; gap: 4px; align-items: center; }
.wbnb-widget .wbnb-panels { display: flex; flex-wrap: wrap; gap: 12px; }
.wbnb-widget .wbnb-panel { position: relative; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 4px 6px; }
.wbnb-widget .wbnb-panel canvas { display: block; }
.wbnb-widget .wbnb-panel > .wbnb-head { font-weight: 600; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
.wbnb-widget .wbnb-panel > .wbnb-head .wbnb-sub { font-weight: normal; color: var(--jp-ui-font-color2, #777); margin-left: 6px; }
.wbnb-widget .wbnb-tip { position: absolute; pointer-events: none; display: none; z-index: 10; white-space: pre;
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px;
  padding: 3px 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
.wbnb-widget .wbnb-empty { color: var(--jp-ui-font-color2, #777); padding: 8px; }
`;

/** The root of component `name`'s view in `el`, with the shared sheet and the component's
 * own (`css`, its rules under `.wbnb-<name>`) added where `el` is shown. */
export function widgetRoot(el: HTMLElement, name: string, css: string): HTMLDivElement {
  injectStyle("wbnb-widget-style", SHARED, el);
  injectStyle(`wbnb-${name}-style`, css, el);
  return h("div", `wbnb-widget wbnb-${name}`, undefined, el);
}
