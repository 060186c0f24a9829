// The MediaView's stylesheet, beside what js/lib/style.ts has for every component (panels,
// their head, the empty note). Everything flows to the element's width: cells wrap.
export const CSS = `
.wbnb-mediaview .wbnb-key { margin: 0 0 10px; min-width: 0; }
.wbnb-mediaview .wbnb-steps { display: flex; gap: 6px; align-items: center; margin: 2px 0 6px; }
.wbnb-mediaview .wbnb-step-slider { flex: 0 1 260px; min-width: 60px; }
.wbnb-mediaview .wbnb-step-label { font-variant-numeric: tabular-nums; color: var(--jp-ui-font-color2, #777); }
.wbnb-mediaview .wbnb-runs { display: flex; flex-wrap: wrap; gap: 12px; }
.wbnb-mediaview .wbnb-run { flex: 1 1 260px; min-width: 0; }
.wbnb-mediaview .wbnb-run-title { font-weight: 600; margin: 0 0 4px; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
.wbnb-mediaview .wbnb-run-title .wbnb-note { font-weight: normal; color: var(--jp-ui-font-color2, #777); margin-left: 8px; }
.wbnb-mediaview .wbnb-items { display: flex; flex-wrap: wrap; gap: 8px; }
.wbnb-mediaview .wbnb-cell { margin: 0; padding: 4px; flex: 1 1 220px; min-width: 0; max-width: 520px; box-sizing: border-box;
  border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px; background: var(--jp-layout-color1, #fafafa); }
.wbnb-mediaview .wbnb-cell.wbnb-html { flex-basis: 360px; max-width: none; }
.wbnb-mediaview .wbnb-cell audio, .wbnb-mediaview .wbnb-cell video, .wbnb-mediaview .wbnb-cell img { display: block; width: 100%; }
.wbnb-mediaview .wbnb-cell video, .wbnb-mediaview .wbnb-cell img { max-height: 360px; object-fit: contain; background: #000; }
.wbnb-mediaview .wbnb-wave { display: block; width: 100%; background: var(--jp-layout-color2, #f0f0f0); border-radius: 2px; }
.wbnb-mediaview figcaption { white-space: pre-wrap; word-break: break-word; margin-top: 2px; }
.wbnb-mediaview .wbnb-about, .wbnb-mediaview .wbnb-status { color: var(--jp-ui-font-color2, #777); font-size: 11px; }
.wbnb-mediaview .wbnb-html-head { display: flex; justify-content: space-between; align-items: center; color: var(--jp-ui-font-color2, #777); }
.wbnb-mediaview .wbnb-frame { resize: vertical; overflow: hidden; min-height: 60px; border: 1px solid var(--jp-border-color2, #e0e0e0); background: #fff; }
.wbnb-mediaview .wbnb-frame iframe { width: 100%; height: 100%; border: 0; display: block; }
`;
