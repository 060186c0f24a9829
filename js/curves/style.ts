// How Curves looks (JupyterLab's theme variables where there are some).
export const CSS = `
.wbnb-curves { font: 12px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #222); }
.wbnb-curves .wbnb-bar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 2px 0 6px; }
.wbnb-curves .wbnb-bar label { display: inline-flex; gap: 4px; align-items: center; }
.wbnb-curves .wbnb-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 0 0 6px; }
.wbnb-curves .wbnb-legend-item { display: inline-flex; align-items: center; gap: 4px; white-space: pre; }
.wbnb-curves .wbnb-swatch { width: 12px; height: 3px; border-radius: 1px; display: inline-block; }
.wbnb-curves .wbnb-section { margin: 2px 0 8px; }
.wbnb-curves .wbnb-section > summary { cursor: pointer; font-weight: 600; margin-bottom: 4px; }
.wbnb-curves .wbnb-grid { display: flex; flex-wrap: wrap; gap: 8px; }
.wbnb-curves .wbnb-cell { position: relative; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 4px; }
.wbnb-curves .wbnb-head { display: flex; align-items: baseline; gap: 4px; }
.wbnb-curves .wbnb-title { flex: 1; font-weight: 600; margin: 0 0 2px 4px; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
.wbnb-curves .wbnb-tip { position: absolute; pointer-events: none; display: none; z-index: 10; white-space: pre;
  background: var(--jp-layout-color0, #fff); border: 1px solid var(--jp-border-color1, #bbb); border-radius: 3px;
  padding: 3px 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
.wbnb-curves .wbnb-rule { position: absolute; pointer-events: none; display: none; width: 1px; background: rgba(127,127,127,.6); }
.wbnb-curves .wbnb-empty { color: var(--jp-ui-font-color2, #777); padding: 8px; }
`;
