// The Gallery's stylesheet (added to the page once, by the first view), beside what
// js/lib/style.ts has for every component (the bar, the empty note).
export const CSS = `
.wbnb-gallery .wbnb-step-slider { width: 260px; }
.wbnb-gallery .wbnb-step-label { min-width: 90px; font-variant-numeric: tabular-nums; }
.wbnb-gallery .wbnb-run { margin: 0 0 10px; }
.wbnb-gallery .wbnb-run-title { font-weight: 600; margin: 0 0 4px; white-space: pre; }
.wbnb-gallery .wbnb-run-title .wbnb-note { font-weight: normal; color: var(--jp-ui-font-color2, #777); margin-left: 8px; }
.wbnb-gallery .wbnb-grid { display: grid; gap: 6px; }
.wbnb-gallery figure { margin: 0; cursor: zoom-in; border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; padding: 3px; background: var(--jp-layout-color1, #fafafa); }
.wbnb-gallery figure img { display: block; width: 100%; height: auto; image-rendering: auto; background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 0 0 / 12px 12px; }
.wbnb-gallery figure img.wbnb-pixelated { image-rendering: pixelated; }
.wbnb-gallery figcaption { white-space: pre-wrap; word-break: break-word; margin-top: 2px; color: var(--jp-ui-font-color1, #333); }
.wbnb-gallery .wbnb-legend { display: flex; flex-wrap: wrap; gap: 2px 8px; margin-top: 2px; font-size: 11px; color: var(--jp-ui-font-color2, #555); }
.wbnb-gallery .wbnb-swatch { display: inline-block; width: 9px; height: 9px; margin-right: 3px; border-radius: 2px; vertical-align: -1px; }
.wbnb-gallery .wbnb-stale { opacity: .55; }
.wbnb-gallery .wbnb-loading { aspect-ratio: 1; display: flex; align-items: center; justify-content: center; color: #999; }
`;
