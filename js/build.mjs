// Bundles every js/<component>/index.ts into wbnb/static/<component>.js (ESM, minified).
// A later component only adds a folder. js/lib/ is shared code, bundled into each user.
// js/vegalite/ takes vega from the page instead of bundling it again (see vegaFromPage),
// and js/vega/'s vega-embed takes Vega-Lite from the page once it is loaded (liteLater)
// and parses each spec object once (parsedOnce).
// `--dev` skips minification; `--quiet` prints nothing but errors.
import { build } from "esbuild";
import { readdirSync, readFileSync, existsSync, statSync, mkdirSync } from "node:fs";
import { join, dirname, sep } from "node:path";
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

// vega-embed imports Vega-Lite, which js/vega/ leaves out (wbnb compiles specs itself,
// with js/vegalite/ imported on demand): its import reads the one js/lib/vega.ts loaded.
const liteVersion = JSON.parse(readFileSync(join(root, "node_modules", "vega-lite", "package.json"), "utf8")).version;
const liteLater = {
  name: "vega-lite-later",
  setup(b) {
    b.onResolve({ filter: /^vega-lite$/ }, (args) => ({ path: args.path, namespace: "vega-lite-later" }));
    b.onLoad({ filter: /.*/, namespace: "vega-lite-later" }, () => ({
      contents: `export const version = ${JSON.stringify(liteVersion)};
export function compile(spec, options) {
  const vl = globalThis.__wbnb_vegalite;
  if (!vl) throw new Error("Vega-Lite is not loaded yet: await the bundle's lite() first");
  return vl.compile(spec, options);
}`,
      loader: "js",
    }));
  },
};
// vega-embed parses each spec it embeds: its "vega" is js/vega/parsed.ts, which parses a
// spec object once however many charts embed it.
const parsedOnce = {
  name: "vega-parsed-once",
  setup(b) {
    b.onResolve({ filter: /^vega$/ }, (args) =>
      args.importer.includes(`${sep}vega-embed${sep}`) ? { path: join(src, "vega", "parsed.ts") } : undefined,
    );
  },
};
const plugins = { vegalite: [vegaFromPage], vega: [liteLater, parsedOnce] };

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
      plugins: plugins[name] ?? [],
    }),
  ),
);
if (!quiet) {
  for (const name of components) {
    const size = statSync(join(out, `${name}.js`)).size;
    console.log(`wbnb/static/${name}.js  ${(size / 1024).toFixed(1)} KiB`);
  }
}
