// Bundles every js/<component>/index.ts into wbnb/static/<component>.js (ESM, minified).
// A later component only adds a folder. js/lib/ is shared code, bundled into each user.
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
    }),
  ),
);
if (!quiet) {
  for (const name of components) {
    const size = statSync(join(out, `${name}.js`)).size;
    console.log(`wbnb/static/${name}.js  ${(size / 1024).toFixed(1)} KiB`);
  }
}
