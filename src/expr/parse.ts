// httpd: server/util_expr_parse.y (the grammar), server/util_expr_eval.c (ap_expr_parse,
// ap_expr_make, ap_expr_var_make, ap_expr_*_func_make, ap_expr_*_op_make, core_expr_lookup,
// expr_lookup_not_found).
//
// A recursive-descent reading of the bison grammar with its precedences (|| below && below
// !, all right-associative; `.` right-associative). Names are looked up while the tree is
// built, in the order bison reduces, so the first error is Apache's: "Variable 'X' does not
// exist", "Function 'f' does not exist", "Unary operator '-Q' does not exist", bison's
// "syntax error, unexpected T_…[, expecting …]" and the scanner's messages.
//
// Deliberately not supported (refused here with a message saying so): the sub-request
// operators -F, -U, -A.

import { pcreToJs } from '../util/pcre.js';
import type { BinaryOp, CmpOp, Cond, Expr, RegexNode, StringFunc, UnaryOp, Word } from './ast.js';
import { scan } from './lexer.js';
import type { Token, TokType } from './lexer.js';
import { ipSubnetWord } from '../util/ipsubnet.js';
import type { Subnet } from '../util/ipsubnet.js';

/** A parse failure; `message` is ap_expr_parse's error text. */
export class ExprParseError extends Error {}

/** The variables core_expr_lookup knows (misc, request header, request, connection). */
export const EXPR_VARIABLES: readonly string[] = [
  'TIME_YEAR',
  'TIME_MON',
  'TIME_DAY',
  'TIME_HOUR',
  'TIME_MIN',
  'TIME_SEC',
  'TIME_WDAY',
  'TIME',
  'SERVER_SOFTWARE',
  'API_VERSION',
  'HTTP_USER_AGENT',
  'HTTP_PROXY_CONNECTION',
  'HTTP_REFERER',
  'HTTP_COOKIE',
  'HTTP_FORWARDED',
  'HTTP_HOST',
  'HTTP_ACCEPT',
  'REQUEST_METHOD',
  'REQUEST_SCHEME',
  'REQUEST_URI',
  'REQUEST_FILENAME',
  'REMOTE_HOST',
  'REMOTE_IDENT',
  'REMOTE_USER',
  'SERVER_ADMIN',
  'SERVER_NAME',
  'SERVER_PORT',
  'SERVER_PROTOCOL',
  'SCRIPT_FILENAME',
  'PATH_INFO',
  'QUERY_STRING',
  'IS_SUBREQ',
  'DOCUMENT_ROOT',
  'AUTH_TYPE',
  'THE_REQUEST',
  'CONTENT_TYPE',
  'HANDLER',
  'REQUEST_LOG_ID',
  'SCRIPT_USER',
  'SCRIPT_GROUP',
  'DOCUMENT_URI',
  'LAST_MODIFIED',
  'CONTEXT_PREFIX',
  'CONTEXT_DOCUMENT_ROOT',
  'REQUEST_STATUS',
  'REMOTE_ADDR',
  'REMOTE_PORT',
  'HTTPS',
  'IPV6',
  'CONN_LOG_ID',
  'CONN_REMOTE_ADDR',
  'HTTP2',
];
const VAR_BY_UPPER = new Map(EXPR_VARIABLES.map((v) => [v, v]));

const STRING_FUNCS: ReadonlySet<string> = new Set<StringFunc>([
  'osenv',
  'env',
  'resp',
  'req',
  'http',
  'note',
  'reqenv',
  'req_novary',
  'tolower',
  'toupper',
  'escape',
  'unescape',
  'file',
  'filesize',
  'base64',
  'unbase64',
  'sha1',
  'md5',
  'ldap',
]);
const UNARY_OPS: ReadonlySet<string> = new Set<UnaryOp>([
  'n',
  'z',
  'R',
  'T',
  'd',
  'e',
  'f',
  's',
  'L',
  'h',
  'x',
]);
const BINARY_OPS: ReadonlySet<string> = new Set<BinaryOp>([
  'ipmatch',
  'fnmatch',
  'strmatch',
  'strcmatch',
]);

const CMP: Partial<Record<TokType, CmpOp>> = {
  T_OP_EQ: 'eq',
  T_OP_NE: 'ne',
  T_OP_LT: 'lt',
  T_OP_LE: 'le',
  T_OP_GT: 'gt',
  T_OP_GE: 'ge',
  T_OP_STR_EQ: 'seq',
  T_OP_STR_NE: 'sne',
  T_OP_STR_LT: 'slt',
  T_OP_STR_LE: 'sle',
  T_OP_STR_GT: 'sgt',
  T_OP_STR_GE: 'sge',
};

const WORD_START: ReadonlySet<TokType> = new Set<TokType>([
  'T_DIGIT',
  'T_VAR_BEGIN',
  'T_REGEX_BACKREF',
  'T_ID',
  'T_STR_BEGIN',
]);

/** Compile a regex node's RegExp (the node keeps it, non-enumerable). */
export function regexOf(node: RegexNode): RegExp {
  const held = (node as { readonly compiled?: RegExp }).compiled;
  if (held !== undefined) return held;
  const { source, flags } = pcreToJs(node.source, node.icase);
  const re = new RegExp(source, flags);
  Object.defineProperty(node, 'compiled', { value: re, enumerable: false });
  return re;
}

class Parser {
  readonly #toks: Token[];
  #pos = 0;
  constructor(toks: Token[]) {
    this.#toks = toks;
  }
  get tok(): Token {
    return this.#toks[this.#pos] ?? { t: '$end', v: '' };
  }
  /** The current token's type (a call, so TypeScript does not narrow it across next()). */
  at(): TokType {
    return this.tok.t;
  }
  next(): Token {
    const t = this.tok;
    this.#pos++;
    return t;
  }
  /** yyerror's "syntax error, unexpected X[, expecting A or B]" (+ a scan error). */
  syntax(expecting: readonly string[] = []): ExprParseError {
    const t = this.tok;
    const exp = expecting.length > 0 ? `, expecting ${expecting.join(' or ')}` : '';
    const msg = `syntax error, unexpected ${t.t}${exp}`;
    return new ExprParseError(t.t === 'T_ERROR' ? `${msg}: ${t.v}` : msg);
  }
  /** A T_ERROR where the grammar takes one (`expr: T_ERROR`): the scanner's message. */
  abortIfError(): void {
    if (this.at() === 'T_ERROR') throw new ExprParseError(this.tok.v);
  }

  or(inParens: boolean): Cond {
    const l = this.and(inParens);
    if (this.at() !== 'T_OP_OR') return l;
    this.next();
    return { k: 'or', l, r: this.or(inParens) };
  }
  and(inParens: boolean): Cond {
    const l = this.not(inParens);
    if (this.at() !== 'T_OP_AND') return l;
    this.next();
    return { k: 'and', l, r: this.and(inParens) };
  }
  not(inParens: boolean): Cond {
    if (this.at() !== 'T_OP_NOT') return this.primary();
    this.next();
    return { k: 'not', e: this.not(inParens) };
  }
  primary(): Cond {
    this.abortIfError();
    const t = this.tok;
    switch (t.t) {
      case 'T_TRUE':
      case 'T_FALSE':
        this.next();
        return { k: 'const', v: t.t === 'T_TRUE' };
      case "'('": {
        this.next();
        const e = this.or(true);
        if (this.at() !== "')'") throw this.syntax(['T_OP_OR', 'T_OP_AND', "')'"]);
        this.next();
        return e;
      }
      case 'T_OP_UNARY': {
        this.next();
        const arg = this.word();
        return unaryOp(t.v, arg);
      }
      default:
        break;
    }
    if (!WORD_START.has(t.t)) throw this.syntax();
    const l = this.word();
    const op = this.tok;
    const cmp = CMP[op.t];
    if (cmp !== undefined) {
      this.next();
      return { k: 'cmp', op: cmp, l, r: this.word() };
    }
    switch (op.t) {
      case 'T_OP_IN':
        this.next();
        return { k: 'in', l, list: this.wordlist() };
      case 'T_OP_REG':
      case 'T_OP_NRE': {
        this.next();
        const rt = this.tok;
        if (rt.t !== 'T_REGEX' && rt.t !== 'T_REGEX_I') throw this.syntax(['T_REGEX', 'T_REGEX_I']);
        this.next();
        const re: RegexNode = { source: rt.v, icase: rt.t === 'T_REGEX_I', nsub: 0 };
        let nsub: number;
        try {
          nsub = (new RegExp(pcreToJs(rt.v, false).source + '|').exec('')?.length ?? 1) - 1;
        } catch {
          throw new ExprParseError('Failed to compile regular expression');
        }
        const node = { ...re, nsub };
        regexOf(node);
        return { k: 're', negate: op.t === 'T_OP_NRE', l, re: node };
      }
      case 'T_OP_BINARY': {
        this.next();
        const r = this.word();
        return binaryOp(op.v, l, r);
      }
      default:
        throw this.syntax();
    }
  }
  wordlist(): Word[] {
    const t = this.tok;
    if (t.t === 'T_ID') {
      this.next();
      if (this.at() !== "'('") throw this.syntax(["'('"]);
      this.next();
      this.word();
      if (this.at() !== "')'") throw this.syntax(['T_OP_CONCAT', "')'"]);
      this.next();
      throw new ExprParseError(`List-returning function '${t.v}' does not exist`);
    }
    if (t.t !== "'{'") throw this.syntax(['T_ID', "'{'"]);
    this.next();
    const out = [this.word()];
    while (this.at() === "','") {
      this.next();
      out.push(this.word());
    }
    if (this.at() !== "'}'") throw this.syntax(["'}'", "','"]);
    this.next();
    return out;
  }
  /** word: a primary word, then `. word` (right-associative). */
  word(): Word {
    const first = this.wordPrimary();
    if (this.at() !== 'T_OP_CONCAT') return first;
    this.next();
    return concat([first, this.word()]);
  }
  wordPrimary(): Word {
    const t = this.tok;
    switch (t.t) {
      case 'T_DIGIT':
        this.next();
        return { k: 'str', v: t.v, digit: true };
      case 'T_VAR_BEGIN':
        return this.var();
      case 'T_REGEX_BACKREF':
        this.next();
        return { k: 'backref', n: t.n ?? 0 };
      case 'T_ID': {
        this.next();
        if (this.at() !== "'('") throw this.syntax(["'('"]);
        this.next();
        const arg = this.word();
        if (this.at() !== "')'") throw this.syntax(['T_OP_CONCAT', "')'"]);
        this.next();
        return stringFunc(t.v, arg);
      }
      case 'T_STR_BEGIN': {
        this.next();
        if (this.at() === 'T_STR_END') {
          this.next();
          return { k: 'str', v: '' };
        }
        const s = this.string();
        if (this.at() !== 'T_STR_END') throw this.syntax();
        this.next();
        return s;
      }
      default:
        throw this.syntax();
    }
  }
  /** string: strpart+ (a T_ERROR first is the scanner's message alone). */
  string(): Word {
    this.abortIfError();
    const parts: Word[] = [this.strpart()];
    while (['T_STRING', 'T_VAR_BEGIN', 'T_REGEX_BACKREF'].includes(this.at()))
      parts.push(this.strpart());
    return concat(parts);
  }
  strpart(): Word {
    const t = this.tok;
    if (t.t === 'T_STRING') {
      this.next();
      return { k: 'str', v: t.v };
    }
    if (t.t === 'T_VAR_BEGIN') return this.var();
    if (t.t === 'T_REGEX_BACKREF') {
      this.next();
      return { k: 'backref', n: t.n ?? 0 };
    }
    throw this.syntax();
  }
  var(): Word {
    this.next(); // T_VAR_BEGIN
    const id = this.tok;
    if (id.t !== 'T_ID') throw this.syntax(['T_ID']);
    this.next();
    if (this.at() === 'T_VAR_END') {
      this.next();
      // mod_ssl's ssl_expr_lookup answers the SSL_* names (empty without TLS).
      const upper = id.v.toUpperCase();
      const name = VAR_BY_UPPER.get(upper) ?? (upper.startsWith('SSL_') ? upper : undefined);
      if (name === undefined) throw new ExprParseError(`Variable '${id.v}' does not exist`);
      return { k: 'var', name };
    }
    if (this.at() !== "':'") throw this.syntax(['T_VAR_END', "':'"]);
    this.next();
    const arg = this.string();
    if (this.at() !== 'T_VAR_END') throw this.syntax();
    this.next();
    return stringFunc(id.v, arg);
  }
}

/** Flatten concatenations; drop empty literal pieces that add nothing. */
function concat(parts: readonly Word[]): Word {
  const flat: Word[] = [];
  for (const p of parts) {
    if (p.k === 'concat') flat.push(...p.parts);
    else flat.push(p);
  }
  return flat.length === 1 ? (flat[0] as Word) : { k: 'concat', parts: flat };
}

function stringFunc(name: string, arg: Word): Word {
  const lower = name.toLowerCase();
  if (!STRING_FUNCS.has(lower)) throw new ExprParseError(`Function '${name}' does not exist`);
  return { k: 'func', name: lower as StringFunc, arg };
}

/** A constant argument (op_String, not a digit or a compound word), for -R / -ipmatch. */
function constantOf(w: Word): string | undefined {
  return w.k === 'str' && w.digit !== true ? w.v : undefined;
}

/** subnet_parse_arg. */
function subnetArg(name: string, w: Word): Subnet {
  const arg = constantOf(w);
  if (arg === undefined)
    throw new ExprParseError(`-${name} requires subnet/netmask as constant argument`);
  const net = ipSubnetWord(arg);
  if (typeof net === 'string') throw new ExprParseError('parsing of subnet/netmask failed');
  return net;
}

function unaryOp(name: string, arg: Word): Cond {
  if (name === 'F' || name === 'U' || name === 'A')
    throw new ExprParseError(
      `Unary operator '-${name}' is not supported by tswsgi (sub-request tests in expressions)`,
    );
  if (!UNARY_OPS.has(name)) throw new ExprParseError(`Unary operator '-${name}' does not exist`);
  const op = name as UnaryOp;
  if (op === 'R') return { k: 'unary', op, arg, subnet: subnetArg(name, arg) };
  return { k: 'unary', op, arg };
}

function binaryOp(name: string, l: Word, r: Word): Cond {
  const lower = name.toLowerCase();
  if (!BINARY_OPS.has(lower)) throw new ExprParseError(`Binary operator '-${name}' does not exist`);
  const op = lower as BinaryOp;
  if (op === 'ipmatch') return { k: 'binary', op, l, r, subnet: subnetArg('ipmatch', r) };
  return { k: 'binary', op, l, r };
}

/** ap_expr_parse: a boolean expression (the default) or a string one (AP_EXPR_FLAG_STRING_RESULT). */
export function parseExpr(text: string, kind: 'bool' | 'string' = 'bool'): Expr {
  const p = new Parser(scan(text, kind === 'string'));
  if (kind === 'string') {
    const word = p.string();
    if (p.tok.t !== '$end') throw p.syntax(['$end']);
    return { kind, text, word };
  }
  const cond = p.or(false);
  if (p.tok.t !== '$end') throw p.syntax(['$end']);
  return { kind, text, cond };
}

/** parseExpr, or the error message. */
export function tryParseExpr(
  text: string,
  kind: 'bool' | 'string' = 'bool',
): { expr: Expr } | { error: string } {
  try {
    return { expr: parseExpr(text, kind) };
  } catch (e) {
    if (e instanceof ExprParseError) return { error: e.message };
    throw e;
  }
}
