// Compiled chart specs, remembered per page and across pages in localStorage.
// Compiling a chart template (Vega-Lite -> Vega) takes ~60-90 ms on a
// slow machine, plus ~50 ms to evaluate Vega-Lite at all, most of a first draw once vega
// is loaded, and it gives the same JSON every time for the same spec and bundles. A page
// compiles each template once for all its widgets (charts asking at once share one
// compile); a notebook opened again in the same browser compiles nothing and never
// loads Vega-Lite. Where storage is missing or full (some webviews, private windows) it
// just compiles.

const PREFIX = "wbnb.spec.";
const INDEX = `${PREFIX}index`;
const MAX_STORED = 24; // a template is ~25-40 kB of JSON

type PageCache = Map<string, { source: string; value: Promise<unknown> }>;

/** How the last `remembered` call got its value (tests, benchmarks). */
export type Origin = "page" | "stored" | "made";

function pageCache(): PageCache {
  // On window: every widget's module is its own instance (one Blob URL each).
  const w = window as unknown as { __wbnb_specs?: PageCache };
  return (w.__wbnb_specs ??= new Map());
}

/** 53-bit string hash (cyrb53): a short storage key; the source is stored and compared too. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

function storage(): Storage | undefined {
  try {
    return window.localStorage ?? undefined;
  } catch {
    return undefined; // a sandboxed frame throws on access
  }
}

function readStored(store: Storage, key: string, source: string): unknown {
  try {
    const text = store.getItem(key);
    if (!text) return undefined;
    const entry = JSON.parse(text);
    return entry && entry.source === source ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

function writeStored(store: Storage, key: string, source: string, value: unknown): void {
  try {
    let index: string[] = JSON.parse(store.getItem(INDEX) || "[]");
    if (!Array.isArray(index)) index = [];
    index = index.filter((k) => k !== key);
    index.push(key);
    while (index.length > MAX_STORED) store.removeItem(index.shift()!);
    store.setItem(key, JSON.stringify({ source, value }));
    store.setItem(INDEX, JSON.stringify(index));
  } catch {
    // Full (or unusable): give our entries back rather than fail a chart.
    try {
      for (const k of Object.keys(store)) if (k.startsWith(PREFIX)) store.removeItem(k);
    } catch {
      // nothing more to do
    }
  }
}

/**
 * `make()`'s value for `source` under `version` (the bundles that make it): from this
 * page, else from localStorage, else made now and kept in both. The value must survive a
 * JSON round trip (a parsed Vega dataflow does). A failed `make` is not kept.
 */
export async function remembered<T>(version: string, source: string, make: () => T | Promise<T>): Promise<[T, Origin]> {
  const full = `${version}\n${source}`;
  const key = `${PREFIX}${hash(full)}`;
  const page = pageCache();
  const mem = page.get(key);
  if (mem && mem.source === full) return [(await mem.value) as T, "page"];
  const store = storage();
  const stored = store ? (readStored(store, key, full) as T | undefined) : undefined;
  if (stored !== undefined) {
    page.set(key, { source: full, value: Promise.resolve(stored) });
    return [stored, "stored"];
  }
  const made = Promise.resolve().then(make);
  page.set(key, { source: full, value: made });
  try {
    const value = await made;
    if (store) writeStored(store, key, full, value);
    return [value, "made"];
  } catch (err) {
    if (page.get(key)?.value === made) page.delete(key);
    throw err;
  }
}
