// Unit tests of the run table's filter language and multi-key sort (node --test, bundled
// by tests/widgets/test_table_logic.py with esbuild).
import { test } from "node:test";
import assert from "node:assert/strict";
import { check, compile, parse, FilterError } from "../../js/lib/filter";
import { sortRows } from "../../js/table/sort";

type Doc = Record<string, any>;
const runs: Doc[] = [
  { name: "resnet-50", tags: ["baseline", "cnn"], "summary.val_acc": 0.91, "config.lr": 1e-4, "summary.val/loss": 0.3, state: "finished" },
  { name: "ResNet-18", tags: ["cnn"], "summary.val_acc": 0.79, "config.lr": 5e-4, "summary.val/loss": 0.5, state: "crashed" },
  { name: "vit-small", tags: ["baseline"], "summary.val_acc": 0.85, "config.lr": 3e-3, state: "finished" },
  { name: "mlp", tags: [], "config.lr": 1e-4, state: "running" },
];
const names = (expr: string) => {
  const pred = compile(expr, (f) => (runs.some((r) => f in r) ? (i: number) => runs[i][f] : null));
  return runs.filter((_r, i) => pred(i)).map((r) => r.name);
};

test("comparisons, numbers with exponents, and", () => {
  assert.deepEqual(names("summary.val_acc > 0.8 and config.lr < 1e-3"), ["resnet-50"]);
  assert.deepEqual(names("config.lr >= 3E-3"), ["vit-small"]);
  assert.deepEqual(names("config.lr == 0.0001"), ["resnet-50", "mlp"]);
  assert.deepEqual(names("summary.val_acc <= -1"), []);
});

test("tags has, name ~ (case-insensitive regex), metric names with /", () => {
  assert.deepEqual(names("tags has baseline"), ["resnet-50", "vit-small"]);
  assert.deepEqual(names("name ~ resnet"), ["resnet-50", "ResNet-18"]);
  assert.deepEqual(names("name ~ '^res.*50$'"), ["resnet-50"]);
  assert.deepEqual(names("name ~ 'net-(1'"), []); // a bad regex is a plain substring, no error
  assert.deepEqual(names("summary.val/loss < 0.4"), ["resnet-50"]);
  assert.deepEqual(names('state == "finished"'), ["resnet-50", "vit-small"]);
});

test("missing fields never match a comparison", () => {
  assert.deepEqual(names("summary.val_acc < 100"), ["resnet-50", "ResNet-18", "vit-small"]);
  assert.deepEqual(names("summary.val_acc != 0.5"), ["resnet-50", "ResNet-18", "vit-small"]);
  assert.deepEqual(names("config.nope > 0"), []);
  assert.deepEqual(names("summary.val/loss ~ 0"), ["resnet-50", "ResNet-18"]);
});

test("and binds tighter than or; not and parentheses", () => {
  // a or b and c == a or (b and c)
  assert.deepEqual(names("name ~ mlp or tags has cnn and summary.val_acc > 0.9"), ["resnet-50", "mlp"]);
  assert.deepEqual(names("(name ~ mlp or tags has cnn) and summary.val_acc > 0.8"), ["resnet-50"]);
  assert.deepEqual(names("not tags has cnn"), ["vit-small", "mlp"]);
  assert.deepEqual(names("NOT (state == finished OR state == crashed)"), ["mlp"]);
  const ast = parse("a > 1 or b > 2 and c > 3") as any;
  assert.equal(ast.kind, "or");
  assert.equal(ast.right.kind, "and");
});

test("malformed expressions give a position and what was expected, without throwing from check", () => {
  const cases: [string, number, RegExp][] = [
    ["summary.acc >", 13, /a value/],
    ["summary.acc 0.8", 12, /an operator/],
    ["(config.lr < 1", 14, /"\)"/],
    ["config.lr < 1 and", 17, /a field name/],
    ["config.lr < 1 xor b > 2", 14, /"and", "or"/],
    ["name == 'abc", 8, /closing '/],
    ["a > 1 & b", 6, /a field, value/],
  ];
  for (const [src, pos, re] of cases) {
    const r = check(src);
    assert.equal(r.pos, pos, src);
    assert.match(r.error, re, src);
    assert.match(r.error, new RegExp(`^at ${pos + 1}:`), src);
    assert.throws(() => parse(src), FilterError);
  }
  assert.deepEqual(check(""), { error: "", pos: -1 });
  assert.deepEqual(check("  summary.x > 1e-3  "), { error: "", pos: -1 });
});

test("sort: stable, multi-key, missing last in both directions, natural strings", () => {
  const vals: Doc[] = [
    { a: 2, s: "run-10" },
    { a: null, s: "run-2" },
    { a: 1, s: "Run-3" },
    { a: 2, s: undefined },
    { a: NaN, s: "run-1" },
    { a: 1, s: "run-3" },
  ];
  const key = (f: string, desc = false) => ({ get: (i: number) => vals[i][f], desc });
  const idx = () => vals.map((_v, i) => i);
  assert.deepEqual(sortRows(idx(), [key("a")]), [2, 5, 0, 3, 1, 4]);
  assert.deepEqual(sortRows(idx(), [key("a", true)]), [0, 3, 2, 5, 1, 4]);
  assert.deepEqual(sortRows(idx(), [key("s")]), [4, 1, 2, 5, 0, 3]);
  assert.deepEqual(sortRows(idx(), [key("a", true), key("s", true)]), [0, 3, 2, 5, 1, 4]);
  assert.deepEqual(sortRows(idx(), [key("a"), key("s", true)]), [2, 5, 0, 3, 1, 4]);
  const mixed: any[] = ["b", 3, null, "a", 1];
  assert.deepEqual(sortRows([0, 1, 2, 3, 4], [{ get: (i) => mixed[i], desc: false }]), [4, 1, 3, 0, 2]);
});
