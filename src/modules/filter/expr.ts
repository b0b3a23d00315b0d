// httpd: server/util_expr_parse.y, util_expr_eval.c — the few ap_expr forms FilterProvider
// conditions use in practice. tswsgi has no ap_expr engine: anything else is refused at
// configuration time ("Error parsing FilterProvider expression: …").
//
// Accepted: `<operand> <op> <operand>` with op one of == = != < <= > >= (string compare),
// =~ !~ (regex: /re/ or m#re# with an optional i flag), `-n` / `-z <operand>`, `true`,
// `false`, joined by && || ! and parentheses. An operand is %{VAR} (CONTENT_TYPE, HANDLER,
// REQUEST_URI, REQUEST_METHOD, QUERY_STRING, REQUEST_FILENAME, REQUEST_SCHEME, HTTP_<HEADER>
// of the request), req('X') / http('X'), resp('X'), reqenv('X') / env('X'), note('X'), or a
// quoted string. Not implemented: `in {…}`, string concatenation, other functions/variables.

/** Where an operand's value comes from. */
export type Operand =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'req' | 'resp' | 'env' | 'note'; readonly name: string };

export type ProviderExpr =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'and' | 'or'; readonly left: ProviderExpr; readonly right: ProviderExpr }
  | { readonly kind: 'not'; readonly expr: ProviderExpr }
  | { readonly kind: 'empty'; readonly negate: boolean; readonly operand: Operand }
  | { readonly kind: 'cmp'; readonly op: string; readonly left: Operand; readonly right: Operand }
  | {
      readonly kind: 'match';
      readonly negate: boolean;
      readonly left: Operand;
      readonly source: string;
      readonly flags: string;
    };

const VARS = new Set([
  'CONTENT_TYPE',
  'HANDLER',
  'REQUEST_URI',
  'REQUEST_METHOD',
  'QUERY_STRING',
  'REQUEST_FILENAME',
  'REQUEST_SCHEME',
]);

function operand(s: string): { op: Operand; rest: string } | string {
  let m = /^%\{([A-Za-z0-9_:]+)\}\s*/.exec(s);
  if (m !== null) {
    const name = (m[1] ?? '').toUpperCase();
    if (!VARS.has(name) && !name.startsWith('HTTP_'))
      return `unsupported variable %{${m[1] ?? ''}}`;
    return { op: { kind: 'var', name }, rest: s.slice(m[0].length) };
  }
  m = /^(req|http|resp|reqenv|env|note)\s*\(\s*(['"])(.*?)\2\s*\)\s*/i.exec(s);
  if (m !== null) {
    const fn = (m[1] ?? '').toLowerCase();
    const kind =
      fn === 'http' ? 'req' : fn === 'reqenv' ? 'env' : (fn as 'req' | 'resp' | 'env' | 'note');
    return { op: { kind, name: m[3] ?? '' }, rest: s.slice(m[0].length) };
  }
  m = /^(['"])(.*?)\1\s*/.exec(s);
  if (m !== null) return { op: { kind: 'string', value: m[2] ?? '' }, rest: s.slice(m[0].length) };
  return `unsupported operand at '${s}'`;
}

const SUPPORTED =
  'tswsgi implements comparisons of %{VAR}, req(), resp(), env(), note() or strings, -n/-z, joined by && || ! and parentheses';

/** A recursive-descent reader over the condition text (ap_expr's grammar, a subset). */
class Reader {
  #s: string;
  constructor(s: string) {
    this.#s = s.trim();
  }
  get rest(): string {
    return this.#s;
  }
  /** Consume `token` (and blanks after it) if the text starts with it. */
  eat(token: string | RegExp): string | undefined {
    const found =
      typeof token === 'string'
        ? this.#s.startsWith(token)
          ? token
          : undefined
        : token.exec(this.#s)?.[0];
    if (found === undefined) return undefined;
    this.#s = this.#s.slice(found.length).trimStart();
    return found;
  }
  operand(): Operand {
    const o = operand(this.#s);
    if (typeof o === 'string') throw new ExprError(o);
    this.#s = o.rest;
    return o.op;
  }
  /** /re/flags or m<d>re<d>flags. */
  regex(): { source: string; flags: string } {
    const m = /^(?:\/((?:\\.|[^/\\])*)\/|m([^\w\s])(.*?)\2)([i]?)(?![\w])\s*/s.exec(this.#s);
    if (m === null) throw new ExprError(`unsupported regular expression '${this.#s}'`);
    const source = m[1] ?? m[3] ?? '';
    try {
      new RegExp(source);
    } catch (e) {
      throw new ExprError(e instanceof Error ? e.message : String(e), true);
    }
    this.#s = this.#s.slice(m[0].length);
    return { source, flags: m[4] ?? '' };
  }
}

class ExprError extends Error {
  readonly plain: boolean;
  constructor(message: string, plain = false) {
    super(message);
    this.plain = plain;
  }
}

function parseOr(x: Reader): ProviderExpr {
  let left = parseAnd(x);
  while (x.eat('||') !== undefined) left = { kind: 'or', left, right: parseAnd(x) };
  return left;
}

function parseAnd(x: Reader): ProviderExpr {
  let left = parseUnary(x);
  while (x.eat('&&') !== undefined) left = { kind: 'and', left, right: parseUnary(x) };
  return left;
}

function parseUnary(x: Reader): ProviderExpr {
  if (x.eat(/^!(?![=~])/) !== undefined) return { kind: 'not', expr: parseUnary(x) };
  if (x.eat('(') !== undefined) {
    const inner = parseOr(x);
    if (x.eat(')') === undefined) throw new ExprError(`missing ')' at '${x.rest}'`);
    return inner;
  }
  if (x.eat(/^true\b/i) !== undefined) return { kind: 'const', value: true };
  if (x.eat(/^false\b/i) !== undefined) return { kind: 'const', value: false };
  const unary = x.eat(/^-[nz](?=\s)/);
  if (unary !== undefined) return { kind: 'empty', negate: unary === '-n', operand: x.operand() };
  const left = x.operand();
  const op = x.eat(/^(==|=~|!~|!=|<=|>=|=|<|>)/);
  if (op === undefined) throw new ExprError(`unsupported operator at '${x.rest}'`);
  if (op === '=~' || op === '!~') {
    const { source, flags } = x.regex();
    return { kind: 'match', negate: op === '!~', left, source, flags };
  }
  return { kind: 'cmp', op: op === '=' ? '==' : op, left, right: x.operand() };
}

/** Parse a FilterProvider condition, or say why tswsgi cannot. */
export function parseProviderExpr(text: string): { expr: ProviderExpr } | { error: string } {
  const x = new Reader(text);
  try {
    const expr = parseOr(x);
    if (x.rest !== '') throw new ExprError(`unexpected '${x.rest}'`);
    return { expr };
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    return { error: e.plain ? ` ${e.message}` : ` ${e.message} (${SUPPORTED})` };
  }
}

/** What an expression reads of the request and its response. */
export interface ExprContext {
  variable(name: string): string;
  req(name: string): string;
  resp(name: string): string;
  env(name: string): string;
  note(name: string): string;
}

function value(o: Operand, ctx: ExprContext): string {
  switch (o.kind) {
    case 'string':
      return o.value;
    case 'var':
      return ctx.variable(o.name);
    case 'req':
      return ctx.req(o.name);
    case 'resp':
      return ctx.resp(o.name);
    case 'env':
      return ctx.env(o.name);
    case 'note':
      return ctx.note(o.name);
  }
}

/** ap_expr_exec for the forms above. */
export function evalProviderExpr(e: ProviderExpr, ctx: ExprContext): boolean {
  switch (e.kind) {
    case 'const':
      return e.value;
    case 'and':
      return evalProviderExpr(e.left, ctx) && evalProviderExpr(e.right, ctx);
    case 'or':
      return evalProviderExpr(e.left, ctx) || evalProviderExpr(e.right, ctx);
    case 'not':
      return !evalProviderExpr(e.expr, ctx);
    case 'empty':
      return (value(e.operand, ctx) === '') !== e.negate;
    case 'match':
      return new RegExp(e.source, e.flags).test(value(e.left, ctx)) !== e.negate;
    case 'cmp': {
      const a = value(e.left, ctx);
      const b = value(e.right, ctx);
      switch (e.op) {
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        default:
          return a >= b;
      }
    }
  }
}
