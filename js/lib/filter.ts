// The filter language (the run table, js/table/, and the logged-table view, js/tableview/):
// a tokenizer and recursive-descent parser, compiled to a predicate over row indices.
//
//   summary.val_acc > 0.8 and config.lr < 1e-3      tags has baseline      name ~ resnet
//   not (state == crashed or state == failed)       `summary.odd key` >= 2
//
// expr := or;  or := and ("or" and)*;  and := unary ("and" unary)*;
// unary := "not" unary | "(" expr ")" | field op value
// op := < <= > >= == != = ~ has.  Values: numbers (1e-3, -2), quoted strings, bare words,
// true/false. Fields are dotted paths (metric names may hold "/"), or `back-quoted`.
// A missing field never matches a comparison; `not` negates what the comparison said.
// Errors are FilterError with the position (0-based) and what was expected there.

export type Value = number | string | boolean | null | undefined | Value[];

export class FilterError extends Error {
  constructor(
    public pos: number,
    public expected: string,
    public found: string,
  ) {
    super(`at ${pos + 1}: expected ${expected}, found ${found}`);
  }
}

type TokKind = "word" | "num" | "str" | "op" | "(" | ")" | "field" | "end";
interface Token {
  kind: TokKind;
  text: string;
  value: string | number;
  pos: number;
}

const KEYWORDS = new Set(["and", "or", "not", "has"]);
const NUM = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD = /^[A-Za-z_$@#\-][\w$@#.\/:\-]*/;

function describe(t: Token): string {
  if (t.kind === "end") return "the end";
  return JSON.stringify(t.text);
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    if (c === "(" || c === ")") {
      out.push({ kind: c, text: c, value: c, pos: i });
      i++;
      continue;
    }
    const op = /^(<=|>=|==|!=|<|>|=|~)/.exec(rest);
    if (op) {
      out.push({ kind: "op", text: op[0], value: op[0] === "=" ? "==" : op[0], pos: i });
      i += op[0].length;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        s += src[j];
        j++;
      }
      if (j >= src.length) throw new FilterError(i, `a closing ${c}`, "the end");
      out.push({ kind: c === "`" ? "field" : "str", text: src.slice(i, j + 1), value: s, pos: i });
      i = j + 1;
      continue;
    }
    const num = NUM.exec(rest);
    if (num && !/[\w.\/]/.test(rest[num[0].length] ?? "")) {
      out.push({ kind: "num", text: num[0], value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const word = WORD.exec(rest) || /^\w[\w$@#.\/:\-]*/.exec(rest);
    if (word) {
      out.push({ kind: "word", text: word[0], value: word[0], pos: i });
      i += word[0].length;
      continue;
    }
    throw new FilterError(i, "a field, value, operator or parenthesis", JSON.stringify(c));
  }
  out.push({ kind: "end", text: "", value: "", pos: src.length });
  return out;
}

export type Node =
  | { kind: "and"; left: Node; right: Node }
  | { kind: "or"; left: Node; right: Node }
  | { kind: "not"; arg: Node }
  | { kind: "cmp"; field: string; op: string; value: Value; pos: number };

const isKw = (t: Token, kw: string) => t.kind === "word" && t.text.toLowerCase() === kw;

export function parse(src: string): Node | null {
  const toks = tokenize(src);
  let k = 0;
  const peek = () => toks[k];
  const next = () => toks[k++];
  if (peek().kind === "end") return null;

  function orExpr(): Node {
    let left = andExpr();
    while (isKw(peek(), "or")) {
      next();
      left = { kind: "or", left, right: andExpr() };
    }
    return left;
  }
  function andExpr(): Node {
    let left = unary();
    while (isKw(peek(), "and")) {
      next();
      left = { kind: "and", left, right: unary() };
    }
    return left;
  }
  function unary(): Node {
    const t = peek();
    if (isKw(t, "not")) {
      next();
      return { kind: "not", arg: unary() };
    }
    if (t.kind === "(") {
      next();
      const inner = orExpr();
      const close = next();
      if (close.kind !== ")") throw new FilterError(close.pos, '")" or "and" / "or"', describe(close));
      return inner;
    }
    if ((t.kind !== "word" && t.kind !== "field") || (t.kind === "word" && KEYWORDS.has(t.text.toLowerCase()))) {
      throw new FilterError(t.pos, "a field name (such as summary.acc, config.lr, name, tags)", describe(t));
    }
    next();
    const field = String(t.value);
    const o = next();
    let op: string;
    if (o.kind === "op") op = String(o.value);
    else if (isKw(o, "has")) op = "has";
    else throw new FilterError(o.pos, `an operator after ${JSON.stringify(field)} (< <= > >= == != ~ has)`, describe(o));
    const v = next();
    let value: Value;
    if (v.kind === "num" || v.kind === "str") value = v.value;
    else if (v.kind === "word" && !KEYWORDS.has(v.text.toLowerCase())) {
      const low = v.text.toLowerCase();
      value = low === "true" ? true : low === "false" ? false : low === "null" || low === "none" ? null : v.text;
    } else throw new FilterError(v.pos, `a value after ${JSON.stringify(o.text)}`, describe(v));
    if (op === "~" && typeof value !== "string") value = String(v.text);
    return { kind: "cmp", field, op, value, pos: t.pos };
  }

  const node = orExpr();
  const t = peek();
  if (t.kind !== "end") throw new FilterError(t.pos, '"and", "or" or the end', describe(t));
  return node;
}

function isMissing(v: Value): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

function regexFor(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "i");
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
  }
}

function compareOne(a: Value, op: string, b: Value): boolean {
  if (isMissing(a)) return false;
  if (Array.isArray(a)) return op === "!=" ? !a.some((x) => compareOne(x, "==", b)) : a.some((x) => compareOne(x, op, b));
  if (b === null) return op === "!=";
  if (typeof a === "boolean" || typeof b === "boolean") {
    if (op === "==") return a === b;
    if (op === "!=") return a !== b;
    return false;
  }
  if (typeof a === "number" && typeof b === "string") {
    const n = Number(b);
    if (b.trim() !== "" && !Number.isNaN(n)) b = n;
  }
  if (typeof a === "number" && typeof b === "number") return ordered(a, b, op);
  if (typeof a === "string" && typeof b === "string") return ordered(a, b, op);
  return op === "!="; // values of different kinds are never equal, nor ordered
}

function ordered<T extends number | string>(a: T, b: T, op: string): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
  return false;
}

/** Whether field `a` satisfies `op value` (exported for tests and one-off use). */
export function test(a: Value, op: string, b: Value): boolean {
  if (isMissing(a)) return false;
  if (op === "~") {
    const re = regexFor(String(b));
    if (Array.isArray(a)) return a.some((x) => !isMissing(x) && re.test(String(x)));
    return re.test(String(a));
  }
  if (op === "has") {
    if (Array.isArray(a)) return a.some((x) => x === b || (typeof x === "number" && x === Number(b)));
    if (typeof a === "string") return a.includes(String(b));
    return false;
  }
  return compareOne(a, op, b);
}

/** A field getter: row index -> value (undefined when the row or column has none). */
export type Getter = (row: number) => Value;

/** Compile `src` into a predicate over rows; `resolve` maps a field path to a getter
 * (or null for a field no run has). An empty expression keeps every row. */
export function compile(src: string, resolve: (field: string) => Getter | null): (row: number) => boolean {
  const ast = parse(src);
  if (!ast) return () => true;
  const build = (n: Node): ((row: number) => boolean) => {
    if (n.kind === "and" || n.kind === "or") {
      const l = build(n.left);
      const r = build(n.right);
      return n.kind === "and" ? (i) => l(i) && r(i) : (i) => l(i) || r(i);
    }
    if (n.kind === "not") {
      const a = build(n.arg);
      return (i) => !a(i);
    }
    const get = resolve(n.field);
    if (!get) return () => false;
    const { op, value } = n;
    if (op === "~") {
      const re = regexFor(String(value));
      return (i) => {
        const a = get(i);
        if (isMissing(a)) return false;
        if (Array.isArray(a)) return a.some((x) => !isMissing(x) && re.test(String(x)));
        return re.test(String(a));
      };
    }
    return (i) => test(get(i), op, value);
  };
  return build(ast);
}

/** Parse without throwing: the error message (with its position) or "" when valid. */
export function check(src: string): { error: string; pos: number } {
  try {
    parse(src);
    return { error: "", pos: -1 };
  } catch (e) {
    if (e instanceof FilterError) return { error: e.message, pos: e.pos };
    return { error: String(e), pos: 0 };
  }
}
