// A click on a thumbnail shows the image large over the page, with its caption and where
// it comes from, and the classes painted on it; a click or Escape closes it (Gallery's and
// TableView's images).
import type { ClassMark } from "../lib/contract";
import { h, injectStyle } from "../lib/dom";
import type { Img } from "./fetcher";

// Added where the overlay shows, by the first one.
const CSS = `
.wbnb-widget .wbnb-overlay { position: fixed; inset: 0; background: rgba(0,0,0,.75); display: flex; flex-direction: column;
  align-items: center; justify-content: center; z-index: 1000; cursor: zoom-out; color: #fff; }
.wbnb-widget .wbnb-overlay img { max-width: 90vw; max-height: 80vh; min-width: min(60vw, 60vh); object-fit: contain; image-rendering: pixelated; background: #fff; }
.wbnb-widget .wbnb-overlay .wbnb-big-caption { margin-top: 8px; white-space: pre-wrap; max-width: 90vw; text-align: center; }
.wbnb-widget .wbnb-overlay .wbnb-legend { margin-top: 6px; max-width: 90vw; justify-content: center; color: #fff; font-size: 13px; }
`;

/** Show ``img`` over the page, captioned with ``where`` it comes from, its legend under it. */
export function enlarge(
  parent: HTMLElement,
  img: Pick<Img, "url" | "caption"> & Partial<Pick<Img, "legend">>,
  where: string,
): void {
  injectStyle("wbnb-overlay-style", CSS, parent);
  const overlay = h("div", "wbnb-overlay", undefined, parent);
  const big = h("img", undefined, undefined, overlay);
  big.src = img.url;
  big.alt = img.caption ?? "";
  if (img.legend?.length) legend(img.legend, overlay);
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

/** The classes painted on an image, each name (text) beside a swatch of its colour. */
export function legend(marks: ClassMark[], parent: HTMLElement): void {
  const box = h("div", "wbnb-legend", undefined, parent);
  for (const mark of marks) {
    const item = h("span", "wbnb-class", undefined, box);
    h("span", "wbnb-swatch", undefined, item).style.background = mark.color;
    item.appendChild(document.createTextNode(mark.name));
  }
}
