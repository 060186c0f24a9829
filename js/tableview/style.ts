// TableView's own look, beside what js/lib/style.ts gives every component.
export const ROW_H = 24; // px: a row without images
export const IMG_ROW_H = 56; // px: a row when an image column shows
export const COL_W = 140; // px: every column's width

export const CSS = `
.wbnb-tableview .wbnb-bar { gap: 8px; margin: 2px 0 4px; }
.wbnb-tableview .wbnb-key { font-weight: 600; white-space: pre; }
.wbnb-tableview .wbnb-filter { flex: 1 1 260px; font: 12px monospace; padding: 3px 6px; border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px; }
.wbnb-tableview .wbnb-filter.wbnb-bad { border-color: #d33; background: #fff5f5; }
.wbnb-tableview .wbnb-ferr { color: #c22; font-family: monospace; white-space: pre; }
.wbnb-tableview .wbnb-count { color: var(--jp-ui-font-color2, #666); }
.wbnb-tableview .wbnb-chooser { border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px; padding: 4px; margin: 0 0 4px; max-height: 220px; overflow: auto; columns: 3 200px; }
.wbnb-tableview .wbnb-citem { display: flex; gap: 4px; align-items: center; break-inside: avoid; white-space: pre; }
.wbnb-tableview .wbnb-scroll { position: relative; overflow: auto; border: 1px solid var(--jp-border-color2, #e0e0e0); max-width: 100%; }
.wbnb-tableview .wbnb-inner { position: relative; }
.wbnb-tableview .wbnb-head { position: sticky; top: 0; z-index: 2; display: flex; background: var(--jp-layout-color2, #f3f3f3); border-bottom: 1px solid var(--jp-border-color1, #ccc); height: ${ROW_H}px; }
.wbnb-tableview .wbnb-th, .wbnb-tableview .wbnb-td { flex: none; width: ${COL_W}px; overflow: hidden; text-overflow: ellipsis; white-space: pre; padding: 0 6px; box-sizing: border-box; }
.wbnb-tableview .wbnb-th { line-height: ${ROW_H}px; font-weight: 600; cursor: pointer; user-select: none; border-right: 1px solid var(--jp-border-color2, #e3e3e3); }
.wbnb-tableview .wbnb-th:hover { background: rgba(0,0,0,.05); }
.wbnb-tableview .wbnb-row { position: absolute; left: 0; display: flex; contain: layout paint style; align-items: center; border-bottom: 1px solid var(--jp-border-color3, #f0f0f0); }
.wbnb-tableview .wbnb-row:hover { background: rgba(76,120,168,.07); }
.wbnb-tableview .wbnb-num { text-align: right; font-variant-numeric: tabular-nums; }
.wbnb-tableview .wbnb-tag { color: var(--jp-ui-font-color2, #777); font-style: italic; }
.wbnb-tableview .wbnb-thumb { display: block; height: ${IMG_ROW_H - 6}px; max-width: ${COL_W - 12}px; object-fit: contain; cursor: zoom-in; image-rendering: pixelated; }
`;
