// How the run panel looks: sections of a responsive grid (as many cells per row as fit,
// each at least MIN_CELL px wide), beside what js/lib/style.ts has for every component.
export const MIN_CELL = 340;

export const CSS = `
.wbnb-dashboard .wbnb-top { margin-bottom: 8px; }
.wbnb-dashboard .wbnb-dash-section { margin: 4px 0 10px; }
.wbnb-dashboard [hidden] { display: none !important; }
.wbnb-dashboard .wbnb-dash-headrow { display: flex; align-items: center; gap: 8px; margin-bottom: 6px;
  border-bottom: 1px solid var(--jp-border-color2, #e0e0e0); }
.wbnb-dashboard .wbnb-dash-head { display: flex; align-items: center; gap: 6px; flex: 1; cursor: pointer;
  font: inherit; font-weight: 600; text-align: left; background: none; border: 0; padding: 4px 2px; color: inherit; }
.wbnb-dashboard .wbnb-dash-head .wbnb-count { font-weight: normal; color: var(--jp-ui-font-color2, #777); }
.wbnb-dashboard .wbnb-dash-head::before { content: "▾"; display: inline-block; width: 1em; }
.wbnb-dashboard .wbnb-collapsed > .wbnb-dash-head::before { content: "▸"; }
.wbnb-dashboard .wbnb-collapsed > .wbnb-dash-grid, .wbnb-dashboard .wbnb-collapsed > .wbnb-dash-bars { display: none; }
.wbnb-dashboard .wbnb-dash-bar { display: flex; align-items: baseline; gap: 10px; }
.wbnb-dashboard .wbnb-dash-bar-name { font-weight: 600; color: var(--jp-ui-font-color2, #777); min-width: 4em; }
.wbnb-dashboard .wbnb-dash-bar-body { flex: 1; min-width: 0; }
.wbnb-dashboard .wbnb-dash-bar-body .wbnb-legend { margin-bottom: 4px; }
.wbnb-dashboard .wbnb-dash-grid { display: grid; gap: 10px; align-items: start;
  grid-template-columns: repeat(auto-fill, minmax(min(${MIN_CELL}px, 100%), 1fr)); }
.wbnb-dashboard .wbnb-dash-cell { position: relative; min-width: 0; border: 1px solid var(--jp-border-color2, #e0e0e0);
  border-radius: 4px; padding: 2px 4px 4px; }
.wbnb-dashboard .wbnb-dash-cell.wbnb-enlarged { grid-column: 1 / -1; box-shadow: 0 1px 6px rgba(0,0,0,.15); }
.wbnb-dashboard .wbnb-dash-tools { display: flex; justify-content: flex-end; gap: 4px; height: 18px; }
.wbnb-dashboard .wbnb-dash-tools button, .wbnb-dashboard .wbnb-dash-unhide { font: inherit; font-size: 11px; line-height: 16px; padding: 0 6px; cursor: pointer;
  background: none; border: 1px solid transparent; border-radius: 3px; color: var(--jp-ui-font-color2, #777); }
.wbnb-dashboard .wbnb-dash-tools button:hover, .wbnb-dashboard .wbnb-dash-unhide:hover { border-color: var(--jp-border-color1, #bbb); }
.wbnb-dashboard .wbnb-dash-body { min-width: 0; overflow-x: auto; }
.wbnb-dashboard .wbnb-dash-cell:not(.wbnb-drawn) > .wbnb-dash-body { min-height: 220px; }
`;
