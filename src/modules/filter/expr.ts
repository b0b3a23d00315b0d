// httpd: server/util_expr_parse.y, util_expr_eval.c — the few ap_expr forms FilterProvider
// conditions use in practice. tswsgi has no ap_expr engine: anything else is refused at
// configuration time ("Error parsing FilterProvider expression: …").
//
// Accepted: `<operand> <op> <operand>` with op one of == = != < <= > >= (string compare),
// =~ !~ (regex: /re/ or m#re# with an optional i flag); an operand is %{VAR} (CONTENT_TYPE,
// HANDLER, REQUEST_URI, REQUEST_METHOD, QUERY_STRING, REQUEST_FILENAME, REQUEST_SCHEME,
// HTTP_<HEADER> of the request), req('X') / http('X'), resp('X'), reqenv('X') / env('X'),
// note('X'), or a quoted string; and `true` / `false`.

/** Where an operand's value comes from. */
export type Operand =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'req' | 'resp' | 'env' | 'note'; readonly name: string };

export type ProviderExpr =
  | { readonly kind: 'const'; readonly value: boolean }
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

/** Parse a FilterProvider condition, or say why tswsgi cannot. */
export function parseProviderExpr(text: string): { expr: ProviderExpr } | { error: string } {
  const s = text.trim();
  if (/^true$/i.test(s)) return { expr: { kind: 'const', value: true } };
  if (/^false$/i.test(s)) return { expr: { kind: 'const', value: false } };
  const refuse = (why: string) => ({
    error: ` ${why} (tswsgi implements only single comparisons of %{VAR}, req(), resp(), env(), note() or strings)`,
  });
  const l = operand(s);
  if (typeof l === 'string') return refuse(l);
  const om = /^(==|=~|!~|!=|<=|>=|=|<|>)\s*/.exec(l.rest);
  if (om === null) return refuse(`unsupported operator at '${l.rest}'`);
  const op = om[1] ?? '';
  const rest = l.rest.slice(om[0].length);
  if (op === '=~' || op === '!~') {
    const rm = /^(?:\/(.*)\/|m(.)(.*)\2)([i]?)$/s.exec(rest.trim());
    if (rm === null) return refuse(`unsupported regular expression '${rest}'`);
    const source = rm[1] ?? rm[3] ?? '';
    try {
      new RegExp(source);
    } catch (e) {
      return { error: ` ${e instanceof Error ? e.message : String(e)}` };
    }
    return { expr: { kind: 'match', negate: op === '!~', left: l.op, source, flags: rm[4] ?? '' } };
  }
  const r = operand(rest);
  if (typeof r === 'string') return refuse(r);
  if (r.rest.trim() !== '') return refuse(`unexpected '${r.rest.trim()}'`);
  return { expr: { kind: 'cmp', op: op === '=' ? '==' : op, left: l.op, right: r.op } };
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
