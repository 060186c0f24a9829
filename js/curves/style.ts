// How Curves looks (JupyterLab's theme variables where there are some), beside what
// js/lib/style.ts has for every component (the bar, the tip, the empty note).
export const CSS = `
.wbnb-curves .wbnb-bar { margin-bottom: 6px; }
.wbnb-curves .wbnb-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 0 0 6px; }
.wbnb-curves .wbnb-legend-item { display: inline-flex; align-items: center; gap: 4px; white-space: pre; }
.wbnb-curves .wbnb-swatch { width: 12px; height: 3px; border-radius: 1px; display: inline-block; }
.wbnb-curves .wbnb-section { margin: 2px 0 8px; }
.wbnb-curves .wbnb-section > summary { cursor: pointer; font-weight: 600; margin-bottom: 4px; }
.wbnb-curves .wbnb-grid { display: grid; gap: 8px;
  grid-template-columns: repeat(auto-fill, minmax(min(var(--wbnb-chart-min, 360px), 100%), 1fr)); }
.wbnb-curves.wbnb-keyed .wbnb-grid { grid-template-columns: repeat(auto-fit, minmax(min(var(--wbnb-chart-min, 360px), 100%), 1fr)); }
.wbnb-curves .wbnb-cell { min-width: 0; position: relative; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 4px; }
.wbnb-curves .wbnb-head { display: flex; align-items: baseline; gap: 4px; }
.wbnb-curves .wbnb-title { flex: 1; font-weight: 600; margin: 0 0 2px 4px; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
.wbnb-curves .wbnb-chart { overflow-x: auto; min-height: var(--wbnb-chart-height, 200px); }
.wbnb-curves .wbnb-chart .vega-embed.has-actions { padding-right: 0; }
.wbnb-curves .wbnb-rule { position: absolute; pointer-events: none; display: none; width: 1px; background: rgba(127,127,127,.6); }
`;
