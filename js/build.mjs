// Bundles every js/<component>/index.ts into wbnb/static/<component>.js (ESM, minified).
// A later component only adds a folder. js/lib/ is shared code, bundled into each user.
// js/vegalite/ takes vega from the page instead of bundling it again (see vegaFromPage).
// `--dev` skips minification; `--quiet` prints nothing but errors.
import { build } from "esbuild";
import { readdirSync, existsSync, statSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const src = join(root, "js");
const out = join(root, "wbnb", "static");
const dev = process.argv.includes("--dev");
const quiet = process.argv.includes("--quiet");

// Vega-Lite imports a few helpers from vega and its parts; the page has vega loaded
// before it ever imports Vega-Lite (js/lib/vega.ts puts the module on globalThis), so
// those imports read it from there: the vegalite bundle is Vega-Lite's code only. A name
// vega does not export fails this build (esbuild: no matching export).
const vegaNames = Object.keys(await import("vega")).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
const vegaFromPage = {
  name: "vega-from-page",
  setup(b) {
    b.onResolve({ filter: /^vega(-util|-event-selector|-expression)?$/ }, (args) => ({ path: args.path, namespace: "vega-from-page" }));
    b.onLoad({ filter: /.*/, namespace: "vega-from-page" }, () => ({
      contents: `const v = globalThis.__wbnb_vega_runtime;\n${vegaNames.map((n) => `export const ${n} = v.${n};`).join("\n")}`,
      loader: "js",
    }));
  },
};

const components = readdirSync(src)
  .filter((name) => name !== "lib" && existsSync(join(src, name, "index.ts")))
  .sort();
mkdirSync(out, { recursive: true });

await Promise.all(
  components.map((name) =>
    build({
      entryPoints: [join(src, name, "index.ts")],
      outfile: join(out, `${name}.js`),
      bundle: true,
      format: "esm",
      target: "es2020",
      minify: !dev,
      legalComments: "none",
      logLevel: "warning",
      define: { "process.env.NODE_ENV": '"production"' },
      plugins: name === "vegalite" ? [vegaFromPage] : [],
    }),
  ),
);
if (!quiet) {
  for (const name of components) {
    const size = statSync(join(out, `${name}.js`)).size;
    console.log(`wbnb/static/${name}.js  ${(size / 1024).toFixed(1)} KiB`);
  }
}
