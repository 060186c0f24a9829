// DOM helpers that only ever insert user strings as text (never innerHTML).

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
  parent?: HTMLElement,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

/** A labelled ``<select>`` of ``values`` (each shown as ``text(value)``) in ``parent``;
 * ``pick`` gets the value the viewer chooses. */
export function choice<V extends string>(
  parent: HTMLElement,
  label: string,
  values: readonly V[],
  text: (value: V) => string,
  pick: (value: V) => void,
  cls?: string,
): HTMLSelectElement {
  const select = h("select", cls, undefined, h("label", undefined, label, parent));
  for (const value of values) h("option", undefined, text(value), select).value = value;
  select.addEventListener("change", () => {
    const value = values.find((v) => v === select.value);
    if (value !== undefined) pick(value);
  });
  return select;
}

/** Add a stylesheet once (by id) where ``el`` is shown: its shadow root when the host
 * renders widgets in one (marimo does), else the page's head. */
export function injectStyle(id: string, css: string, el: Node): void {
  const root = el.getRootNode();
  const shadow = root instanceof ShadowRoot ? root : null;
  if ((shadow ?? document).getElementById(id)) return;
  const style = document.createElement("style");
  style.id = id;
  style.textContent = css;
  (shadow ?? document.head).appendChild(style);
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}
