// Keys in sections by "prefix/": the section of keys without one (titled UNSECTIONED)
// first, then sections and keys in natural name order (m2 before m10). The static picture orders them so too
// (wbnb/widgets/curves/model.py: section_of, sort_keys), held by tests/cases/curves_sections.json.

/** The section a key is drawn in: its "prefix", or "". */
export function sectionOf(key: string): string {
  const i = key.indexOf("/");
  return i >= 0 ? key.slice(0, i) : "";
}

/** Natural order of names (m2 before m10): text and digit runs alternating, each run
 * compared as a number (by its length without leading zeros, then its digits: exact at
 * any length), then the names themselves (m01 and m1 apart). */
export function compareNatural(a: string, b: string): number {
  const pa = a.split(/([0-9]+)/);
  const pb = b.split(/([0-9]+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [x, y] = i % 2 ? [pa[i].replace(/^0+/, ""), pb[i].replace(/^0+/, "")] : [pa[i], pb[i]];
    if (i % 2 && x.length !== y.length) return x.length - y.length;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sections in order: "" first, then by name. */
export function compareSections(a: string, b: string): number {
  if ((a === "") !== (b === "")) return a === "" ? -1 : 1;
  return compareNatural(a, b);
}

/** Keys in display order: by section, then by name. */
export function sortKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => compareSections(sectionOf(a), sectionOf(b)) || compareNatural(a, b));
}
