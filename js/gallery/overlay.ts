// A click on a thumbnail shows the image large over the page, with its caption and where
// it comes from; a click or Escape closes it (Gallery's and TableView's images).
import { h, injectStyle } from "../lib/dom";
import type { Img } from "./fetcher";

// Added where the overlay shows, by the first one.
const CSS = `
.wbnb-widget .wbnb-overlay { position: fixed; inset: 0; background: rgba(0,0,0,.75); display: flex; flex-direction: column;
  align-items: center; justify-content: center; z-index: 1000; cursor: zoom-out; color: #fff; }
.wbnb-widget .wbnb-overlay img { max-width: 90vw; max-height: 80vh; min-width: min(60vw, 60vh); object-fit: contain; image-rendering: pixelated; background: #fff; }
.wbnb-widget .wbnb-overlay .wbnb-big-caption { margin-top: 8px; white-space: pre-wrap; max-width: 90vw; text-align: center; }
`;

/** Show ``img`` over the page, captioned with ``where`` it comes from. */
export function enlarge(parent: HTMLElement, img: Pick<Img, "url" | "caption">, where: string): void {
  injectStyle("wbnb-overlay-style", CSS, parent);
  const overlay = h("div", "wbnb-overlay", undefined, parent);
  const big = h("img", undefined, undefined, overlay);
  big.src = img.url;
  big.alt = img.caption ?? "";
  h("div", "wbnb-big-caption", img.caption ? `${img.caption}\n${where}` : where, overlay);
  const close = () => {
    overlay.remove();
    document.removeEventListener("keydown", onKey);
  };
  const onKey = (ev: KeyboardEvent) => {
    if (ev.key === "Escape") close();
  };
  overlay.addEventListener("click", close);
  document.addEventListener("keydown", onKey);
}
