// One cell per logged medium: what it is (caption, the line under it) at once, its file
// once the cell is visible or played (the view asks; ``load`` takes it). Files become Blob
// URLs, revoked when the cell goes. Captions and every other user string are text.
// Html is drawn ONLY in an <iframe sandbox="allow-scripts"> with srcdoc: never
// allow-same-origin, so the page runs in an opaque origin and cannot reach the notebook.
import { h } from "../lib/dom";
import type { MediaItem } from "./contract";
import type { Got } from "./fetcher";
import { drawWaveform } from "./waveform";

const WAVE_H = 56;
export const SANDBOX = "allow-scripts";

/** A medium's cell; ``columns`` is what it asks Python for (waveform pixel columns). */
export abstract class Cell {
  readonly root: HTMLElement;
  /** Asked for its file (and not told to ask again). */
  requested = false;
  protected url = "";

  constructor(kindClass: string) {
    this.root = h("figure", `wbnb-cell ${kindClass}`);
  }

  /** Pixel columns of the waveform to ask for (0: none). */
  columns(): number {
    return 0;
  }

  /** The file came: show it (empty bytes: the store could not read it yet). */
  load(got: Got): void {
    if (!got.bytes.length) {
      this.requested = false; // asked again on the next snapshot
      this.status("file not available (yet)");
      return;
    }
    this.show(got);
  }

  /** Redraw for a new width (a waveform does). */
  resized(): void {}

  destroy(): void {
    this.revoke();
    this.root.remove();
  }

  protected abstract show(got: Got): void;

  /** The file as a Blob URL of this cell's (the one before is revoked). */
  protected blob(got: Got): string {
    this.revoke();
    this.url = URL.createObjectURL(new Blob([got.bytes], { type: got.item.mime }));
    return this.url;
  }

  protected status(text: string): void {
    (this.root.querySelector(".wbnb-status") ?? h("div", "wbnb-status", undefined, this.root)).textContent = text;
  }

  /** Caption and the line under the player. */
  protected foot(item: MediaItem): void {
    if (item.caption !== null) h("figcaption", undefined, item.caption, this.root);
    h("div", "wbnb-about", item.about, this.root);
  }

  private revoke(): void {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = "";
  }
}

/** A sound: its waveform above an <audio controls>. */
export class AudioCell extends Cell {
  readonly canvas: HTMLCanvasElement;
  readonly audio: HTMLAudioElement;
  private peaks: Float64Array | null = null;
  private peakColumns = 0;

  constructor(readonly item: MediaItem) {
    super("wbnb-audio");
    this.canvas = h("canvas", "wbnb-wave", undefined, this.root);
    this.canvas.style.height = `${WAVE_H}px`;
    if (item.format !== "wav") this.status(`no waveform (${item.format})`);
    this.audio = h("audio", undefined, undefined, this.root);
    this.audio.controls = true;
    this.audio.preload = "metadata";
    this.foot(item);
  }

  columns(): number {
    return this.item.format === "wav" ? Math.max(1, Math.round(this.width())) : 0;
  }

  resized(): void {
    if (this.peaks) drawWaveform(this.canvas, this.peaks, this.peakColumns, this.width(), WAVE_H);
  }

  protected show(got: Got): void {
    this.audio.src = this.blob(got);
    this.peaks = got.peaks;
    this.peakColumns = got.columns;
    if (!got.peaks && this.item.format === "wav") this.status("no waveform (a WAV the kernel cannot read)");
    this.resized();
  }

  private width(): number {
    return this.root.clientWidth - 2 * 4 || 240; // the figure's padding
  }
}

/** A video: <video controls> (mp4, webm, ogg) or an <img> (gif). */
export class VideoCell extends Cell {
  readonly player: HTMLVideoElement | HTMLImageElement;

  constructor(readonly item: MediaItem) {
    super("wbnb-video");
    if (item.format === "gif") {
      const img = h("img", undefined, undefined, this.root);
      img.alt = item.caption ?? "";
      this.player = img;
    } else {
      const video = h("video", undefined, undefined, this.root);
      video.controls = true;
      video.preload = "metadata";
      video.playsInline = true;
      this.player = video;
    }
    this.status("loading when shown…");
    this.foot(item);
  }

  protected show(got: Got): void {
    this.root.querySelector(".wbnb-status")?.remove();
    this.player.src = this.blob(got);
  }
}

/** Logged HTML in a sandboxed frame, ``height`` px tall, resizable by its corner. */
export class HtmlCell extends Cell {
  readonly frame: HTMLIFrameElement;
  private readonly box: HTMLDivElement;

  constructor(readonly item: MediaItem, height: number) {
    super("wbnb-html");
    const head = h("div", "wbnb-html-head", "HTML (sandboxed)", this.root);
    const taller = h("button", "wbnb-taller", "taller", head);
    this.box = h("div", "wbnb-frame", undefined, this.root);
    this.box.style.height = `${height}px`;
    this.frame = document.createElement("iframe");
    // The sandbox is set before the frame is in the page or has content: it applies from
    // the frame's first document. Never allow-same-origin (scripts + same origin = no sandbox).
    this.frame.setAttribute("sandbox", SANDBOX);
    this.frame.referrerPolicy = "no-referrer";
    this.frame.title = "logged HTML (sandboxed)";
    this.box.appendChild(this.frame);
    taller.addEventListener("click", () => (this.box.style.height = `${this.box.clientHeight * 2}px`));
    if (item.caption !== null) h("figcaption", undefined, item.caption, this.root);
  }

  protected show(got: Got): void {
    this.frame.srcdoc = new TextDecoder().decode(got.bytes);
  }
}

/** A medium of a step the snapshot does not describe (an old one): what it is comes with
 * its file, and the view puts the right cell in its place. */
export class PendingCell extends Cell {
  constructor() {
    super("wbnb-pending");
    this.status("loading when shown…");
  }

  /** Ask for a waveform as wide as the cell, in case it is a WAV. */
  columns(): number {
    return Math.max(1, Math.round(this.root.clientWidth || 240));
  }

  protected show(): void {}
}

/** The cell of ``item`` (html frames ``htmlHeight`` px tall). */
export function cellOf(item: MediaItem, htmlHeight: number): Cell {
  if (item.kind === "audio") return new AudioCell(item);
  if (item.kind === "video") return new VideoCell(item);
  return new HtmlCell(item, htmlHeight);
}
