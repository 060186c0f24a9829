// vega as vega-embed sees it (js/build.mjs points vega-embed's import of "vega" here):
// vega, with a parse that remembers its result per spec object. vega-embed parses every
// spec it embeds, ~7 ms a chart; Curves hands it one spec object for all the charts of
// a template (the key is a signal), and a parsed runtime is a plain description that
// any number of Views are made from.
import { parse as parseSpec } from "vega";

export * from "vega";

const parsed = new WeakMap<object, ReturnType<typeof parseSpec>>();

export function parse(...args: Parameters<typeof parseSpec>): ReturnType<typeof parseSpec> {
  const [spec, config, options] = args;
  // Only where the spec alone decides the result (vega-embed passes {} and {ast: undefined}).
  if ((config && Object.keys(config).length) || options?.ast) return parseSpec(...args);
  let runtime = parsed.get(spec);
  if (!runtime) parsed.set(spec, (runtime = parseSpec(...args)));
  return runtime;
}
