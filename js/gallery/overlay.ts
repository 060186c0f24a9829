// A click on a thumbnail shows the image large over the page, with its caption and where
// it comes from; a click or Escape closes it.
import { h } from "../lib/dom";
import type { Img } from "./fetcher";

/** Show ``img`` over the page, captioned with ``where`` it comes from. */
export function enlarge(parent: HTMLElement, img: Img, where: string): void {
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
