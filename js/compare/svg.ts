// SVG elements for the views that draw in SVG (parallel coordinates, the sweep charts):
// attributes are set one by one and text only ever as textContent.
const NS = "http://www.w3.org/2000/svg";

/** A `<tag>` in the SVG namespace with `attrs`, appended to `parent` when given. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  parent?: Element,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

/** A `<text>` showing `s` as text. */
export function svgText(parent: Element, x: number, y: number, s: string, attrs: Record<string, string | number> = {}): SVGTextElement {
  const node = svg("text", { x, y, ...attrs }, parent);
  node.textContent = s;
  return node;
}
