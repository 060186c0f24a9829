// A waveform on a canvas: the columns Python computed (wbnb/widgets/mediaview/waveform.py:
// each pixel column's lowest and highest sample), stretched to the canvas's width.
import { sizeCanvas } from "../lib/canvas";

const COLOR = "#4c78a8";

/** Draw ``columns`` minima then maxima (in -1..1) across ``canvas`` (CSS px ``width`` x ``height``). */
export function drawWaveform(canvas: HTMLCanvasElement, peaks: Float64Array, columns: number, width: number, height: number): void {
  const ctx = sizeCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = COLOR;
  const mid = height / 2;
  const half = height / 2 - 1;
  for (let x = 0; x < width; x++) {
    const c = Math.min(columns - 1, Math.floor((x * columns) / width));
    const lo = peaks[c];
    const hi = peaks[columns + c];
    const top = mid - hi * half;
    ctx.fillRect(x, top, 1, Math.max(1, mid - lo * half - top));
  }
}
