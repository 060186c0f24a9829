// Keys in sections by "prefix/": the section of keys without one (titled UNSECTIONED)
// first, then sections and keys in name order. The static picture orders them so too
// (wbnb/widgets/curves/model.py: section_of, sort_keys), held by tests/cases/curves_sections.json.

/** The section a key is drawn in: its "prefix", or "". */
export function sectionOf(key: string): string {
  const i = key.indexOf("/");
  return i >= 0 ? key.slice(0, i) : "";
}

/** Sections in order: "" first, then by name. */
export function compareSections(a: string, b: string): number {
  if ((a === "") !== (b === "")) return a === "" ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys in display order: by section, then by name. */
export function sortKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => compareSections(sectionOf(a), sectionOf(b)) || (a < b ? -1 : a > b ? 1 : 0));
}
