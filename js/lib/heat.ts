// The heatmaps' colour scale (confusion matrices, histograms), drawn the same by the static
// pictures (wbnb/widgets/pictures/svg.py: heat_rgb, heat_text); tests/cases/heat.json holds
// both to the same colours.

// A sequential scale from near-white to dark blue, readable on light and dark pages.
const STOPS: [number, number, number][] = [
  [247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107],
];

/** Colour of v in [0, 1] (clamped; not a number is 0) on the blue scale, as `rgb(r,g,b)`. */
export function heatColor(v: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return `rgb(${Math.round(a[0] + (b[0] - a[0]) * f)},${Math.round(a[1] + (b[1] - a[1]) * f)},${Math.round(a[2] + (b[2] - a[2]) * f)})`;
}

/** Colour of text on a cell of value v: white on the dark end of the scale. */
export function heatText(v: number): string {
  return v > 0.55 ? "#fff" : "#1a1a1a";
}
