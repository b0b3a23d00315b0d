// httpd: server/util_expr_eval.c (ap_expr_eval, ap_expr_eval_word, ap_expr_eval_comp, the
// string functions, unary and binary operators).
//
// Evaluation reads the request through ExprRequest (see request.ts for the RequestRecord
// side), so this file stays free of the pipeline. A run-time failure (file() on a missing
// file) throws ExprEvalError, which callers log as Apache does and treat as "false".

import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import type { Cond, Expr, Word } from './ast.js';
import { regexOf } from './parse.js';
import { inSubnets } from '../util/ipsubnet.js';
import { osEscapePath } from '../util/escape-path.js';

/** What an expression reads of the request (ctx->r, ctx->c). */
export interface ExprRequest {
  /** A variable by its canonical name (EXPR_VARIABLES); '' when unset. */
  variable(name: string): string;
  /** headers_in. */
  header(name: string): string | undefined;
  /** headers_out, then err_headers_out. */
  respHeader(name: string): string | undefined;
  note(name: string): string | undefined;
  /** subprocess_env. */
  env(name: string): string | undefined;
  /** useragent_ip, for -R. */
  readonly remoteIp: string;
}

/** A run-time evaluation failure (ctx->err). */
export class ExprEvalError extends Error {}

/** The state of one evaluation (ap_expr_eval_ctx_t). */
export interface ExprEvalCtx {
  readonly r: ExprRequest;
  /** Header names read through req()/http()/HTTP_* (for Vary), when the caller wants them. */
  vary?: string[];
  /** $0..$9 of the last regex with groups that matched (undefined: none, or it failed). */
  backrefs?: readonly string[] | undefined;
  depth: number;
}

const MAX_FILE_SIZE = 10 * 1024 * 1024;
/** AP_EXPR_MAX_RECURSION. */
const MAX_RECURSION = 20;

const HEADER_VARS: Readonly<Record<string, string>> = {
  HTTP_USER_AGENT: 'User-Agent',
  HTTP_PROXY_CONNECTION: 'Proxy-Connection',
  HTTP_REFERER: 'Referer',
  HTTP_COOKIE: 'Cookie',
  HTTP_FORWARDED: 'Forwarded',
  HTTP_HOST: 'Host',
  HTTP_ACCEPT: 'Accept',
};

function addVary(ctx: ExprEvalCtx, name: string): void {
  // RFC 7231 7.1.4: never `Vary: Host`.
  if (ctx.vary !== undefined && name.toLowerCase() !== 'host') ctx.vary.push(name);
}

/** A JS string as the bytes httpd would see (one char per byte). */
function bytesOf(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\xff]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** apr_atoi64: leading blanks, a sign, digits; anything else ends the number. */
function atoi64(s: string): bigint {
  const m = /^[ \t\n\r\f\v]*([+-]?\d+)/.exec(s);
  if (m === null) return 0n;
  const v = BigInt(m[1] ?? '0');
  const max = 9223372036854775807n;
  return v > max ? max : v < -max - 1n ? -max - 1n : v;
}

const strcmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** ap_unescape_url_keep2f(s, 0): %2F stays encoded; a bad or NUL escape gives undefined. */
function unescapeKeep2f(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    const n = parseInt(hex, 16);
    if (n === 0) return undefined;
    out += n === 0x2f ? s.slice(i, i + 3) : String.fromCharCode(n);
    i += 2;
  }
  return out;
}

/**
 * apr_pescape_ldap(…, APR_ESCAPE_LDAP_ALL): `\xx` (lower-case hex) for control bytes,
 * bytes from 0x7f, and `"()*+,;<>\` (checked byte by byte against Apache 2.4.71).
 */
function ldapEscape(bytes: string): string {
  let out = '';
  for (const c of bytes) {
    const n = c.charCodeAt(0);
    if (n === 0) break; // a C string ends there
    out +=
      n < 0x20 || n >= 0x7f || '"()*+,;<>\\'.includes(c)
        ? '\\' + n.toString(16).padStart(2, '0')
        : c;
  }
  return out;
}

/** apr_fnmatch as a RegExp: `*` `?` `[...]` `[!...]` `\x`; `pathname`: no match across `/`. */
export function fnmatchRegExp(pattern: string, pathname: boolean, icase: boolean): RegExp {
  const any = pathname ? '[^/]' : '[\\s\\S]';
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') out += `${any}*`;
    else if (c === '?') out += any;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        const neg = body.startsWith('!') || body.startsWith('^');
        if (neg) body = body.slice(1);
        out += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      out += (pattern[++i] ?? '').replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, icase ? 'i' : '');
}

function statOf(path: string, link: boolean): Stats | undefined {
  try {
    return link ? lstatSync(path) : statSync(path);
  } catch {
    return undefined;
  }
}

function stringFunc(ctx: ExprEvalCtx, name: string, arg: string): string {
  const r = ctx.r;
  switch (name) {
    case 'req':
    case 'http':
      addVary(ctx, arg);
      return r.header(arg) ?? '';
    case 'req_novary':
      return r.header(arg) ?? '';
    case 'resp':
      return r.respHeader(arg) ?? '';
    case 'note':
      return r.note(arg) ?? '';
    case 'reqenv':
      return r.env(arg) ?? '';
    case 'env':
      return r.note(arg) ?? r.env(arg) ?? process.env[arg] ?? '';
    case 'osenv':
      return process.env[arg] ?? '';
    case 'tolower':
      return arg.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    case 'toupper':
      return arg.replace(/[a-z]+/g, (m) => m.toUpperCase());
    case 'escape':
      return osEscapePath(bytesOf(arg), true);
    case 'unescape':
      return unescapeKeep2f(arg) ?? '';
    case 'base64':
      return Buffer.from(bytesOf(arg), 'latin1').toString('base64');
    case 'unbase64': {
      const m = /^[A-Za-z0-9+/]*/.exec(arg)?.[0] ?? '';
      return Buffer.from(m, 'base64').toString('latin1');
    }
    case 'sha1':
    case 'md5':
      return createHash(name)
        .update(Buffer.from(bytesOf(arg), 'latin1'))
        .digest('hex');
    case 'ldap':
      return ldapEscape(bytesOf(arg));
    case 'file': {
      const st = statOf(arg, false);
      if (st === undefined || !st.isFile()) throw new ExprEvalError(`Cannot open file ${arg}`);
      if (st.size > MAX_FILE_SIZE) throw new ExprEvalError(`File ${arg} too large`);
      try {
        return readFileSync(arg, 'latin1');
      } catch {
        throw new ExprEvalError(`Cannot read from file ${arg}`);
      }
    }
    case 'filesize': {
      const st = statOf(arg, false);
      return st !== undefined && st.isFile() && st.size > 0 ? String(st.size) : '0';
    }
    default:
      throw new ExprEvalError('Internal evaluation error: Unknown word expression node');
  }
}

/** ap_expr_eval_word. */
export function evalWord(ctx: ExprEvalCtx, w: Word): string {
  if (++ctx.depth > MAX_RECURSION) throw new ExprEvalError('Recursion limit reached');
  try {
    switch (w.k) {
      case 'str':
        return w.v;
      case 'var': {
        const h = HEADER_VARS[w.name];
        if (h !== undefined) {
          addVary(ctx, h);
          return ctx.r.header(h) ?? '';
        }
        return ctx.r.variable(w.name);
      }
      case 'concat': {
        let out = '';
        for (const p of w.parts) out += evalWord(ctx, p);
        return out;
      }
      case 'func':
        return stringFunc(ctx, w.name, evalWord(ctx, w.arg));
      case 'backref':
        return ctx.backrefs?.[w.n] ?? '';
    }
  } finally {
    ctx.depth--;
  }
}

function unary(ctx: ExprEvalCtx, c: Extract<Cond, { k: 'unary' }>): boolean {
  if (c.op === 'R') return c.subnet !== undefined && inSubnets(ctx.r.remoteIp, [c.subnet]);
  const arg = evalWord(ctx, c.arg);
  switch (c.op) {
    case 'n':
      return arg !== '';
    case 'z':
      return arg === '';
    case 'T': {
      const a = arg.toLowerCase();
      return !(arg === '' || a === 'off' || a === 'no' || a === 'false' || arg === '0');
    }
    case 'd':
    case 'e':
    case 'f':
    case 's': {
      if (arg === '') return false;
      const st = statOf(arg, false);
      if (st === undefined) return false;
      if (c.op === 'd') return st.isDirectory();
      if (c.op === 'e') return true;
      if (c.op === 'f') return st.isFile();
      return st.isFile() && st.size > 0;
    }
    case 'L':
    case 'h':
      return arg !== '' && statOf(arg, true)?.isSymbolicLink() === true;
    case 'x': {
      const st = arg === '' ? undefined : statOf(arg, true);
      return st !== undefined && (st.mode & 0o111) !== 0;
    }
  }
}

/** ap_expr_eval for a boolean node. */
export function evalCond(ctx: ExprEvalCtx, c: Cond): boolean {
  if (++ctx.depth > MAX_RECURSION) throw new ExprEvalError('Recursion limit reached');
  try {
    switch (c.k) {
      case 'const':
        return c.v;
      case 'not':
        return !evalCond(ctx, c.e);
      case 'and':
        return evalCond(ctx, c.l) && evalCond(ctx, c.r);
      case 'or':
        return evalCond(ctx, c.l) || evalCond(ctx, c.r);
      case 'cmp': {
        const a = evalWord(ctx, c.l);
        const b = evalWord(ctx, c.r);
        const ai = c.op.startsWith('s') ? 0n : atoi64(a);
        const bi = c.op.startsWith('s') ? 0n : atoi64(b);
        const n = c.op.startsWith('s') ? strcmp(a, b) : ai < bi ? -1 : ai > bi ? 1 : 0;
        switch (c.op) {
          case 'eq':
          case 'seq':
            return n === 0;
          case 'ne':
          case 'sne':
            return n !== 0;
          case 'lt':
          case 'slt':
            return n < 0;
          case 'le':
          case 'sle':
            return n <= 0;
          case 'gt':
          case 'sgt':
            return n > 0;
          case 'ge':
          case 'sge':
            return n >= 0;
        }
        break;
      }
      case 'in': {
        const needle = evalWord(ctx, c.l);
        return c.list.some((w) => evalWord(ctx, w) === needle);
      }
      case 're': {
        const s = evalWord(ctx, c.l);
        const re = regexOf(c.re);
        let hit: boolean;
        if (c.re.nsub > 0) {
          const m = re.exec(s);
          hit = m !== null;
          ctx.backrefs = m === null ? undefined : Array.from(m, (x) => x ?? '');
        } else hit = re.test(s);
        return hit !== c.negate;
      }
      case 'unary':
        return unary(ctx, c);
      case 'binary': {
        const a = evalWord(ctx, c.l);
        if (c.op === 'ipmatch') return c.subnet !== undefined && inSubnets(a, [c.subnet]);
        const b = evalWord(ctx, c.r);
        return fnmatchRegExp(b, c.op === 'fnmatch', c.op === 'strcmatch').test(a);
      }
    }
    return false;
  } finally {
    ctx.depth--;
  }
}

/** Evaluate a boolean expression (ap_expr_exec); throws ExprEvalError. */
export function execBool(expr: Expr, r: ExprRequest, vary?: string[]): boolean {
  if (expr.kind !== 'bool') throw new ExprEvalError('Internal evaluation error: not a condition');
  return evalCond({ r, depth: 0, ...(vary !== undefined ? { vary } : {}) }, expr.cond);
}

/**
 * ap_expr_exec_re: the result and the groups of the last regex with groups that matched
 * (SetEnvIfExpr's features and RewriteCond expr substitute them).
 */
export function execBoolRe(
  expr: Expr,
  r: ExprRequest,
  vary?: string[],
): { result: boolean; backrefs: readonly string[] | undefined } {
  if (expr.kind !== 'bool') throw new ExprEvalError('Internal evaluation error: not a condition');
  const ctx: ExprEvalCtx = { r, depth: 0, ...(vary !== undefined ? { vary } : {}) };
  const result = evalCond(ctx, expr.cond);
  return { result, backrefs: ctx.backrefs };
}

/** Evaluate a string expression (ap_expr_str_exec); throws ExprEvalError. */
export function execString(expr: Expr, r: ExprRequest, vary?: string[]): string {
  if (expr.kind !== 'string') return execBool(expr, r, vary) ? 'true' : 'false';
  return evalWord({ r, depth: 0, ...(vary !== undefined ? { vary } : {}) }, expr.word);
}
