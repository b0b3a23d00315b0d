// httpd: modules/metadata/mod_headers.c (do_headers_fixup, process_tags, process_regexp,
//        ap_headers_fixup at fixups LAST, ap_headers_early at post_read_request, the
//        FIXUP_HEADERS_OUT / FIXUP_HEADERS_ERR output filters).
//
// RequestHeader edits r->headers_in at fixups (or at post_read_request with `early`);
// Header edits the response head when it is written: `always` entries on every response,
// onsuccess ones only on a response the handler produced (httpd drops headers_out, and
// the output filter with it, for an error page). The response side hooks into the head
// through CountingResponse.addHeadEdit, for every request while the module is loaded.

import { loadavg } from 'node:os';
import { CountingResponse } from '../../http/server.js';
import { DECLINED } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { lastOfChain } from '../../request/tables.js';
import { pregsub } from '../../util/alias-match.js';
import type { ModuleDef } from '../module.js';
import { headersConfig } from './config.js';
import type { FormatTag, HeaderEntry, HeadersDirConf } from './config.js';
import { ExprEvalError, execBool, execString } from '../../expr/eval.js';
import { exprRequest, lastModifiedVar } from '../../expr/request.js';
import type { ExprRequest } from '../../expr/eval.js';

/** An apr_table: ordered name/value pairs, names case-insensitive. */
export type Table = [string, string][];

const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const tget = (t: Table, n: string): string | undefined => t.find(([k]) => eq(k, n))?.[1];
function tset(t: Table, n: string, v: string): void {
  const at = t.findIndex(([k]) => eq(k, n));
  if (at < 0) {
    t.push([n, v]);
    return;
  }
  t[at] = [n, v];
  for (let i = t.length - 1; i > at; i--) if (eq(t[i]?.[0] ?? '', n)) t.splice(i, 1);
}
function tunset(t: Table, n: string): void {
  for (let i = t.length - 1; i >= 0; i--) if (eq(t[i]?.[0] ?? '', n)) t.splice(i, 1);
}
function tmerge(t: Table, n: string, v: string): void {
  const at = t.findIndex(([k]) => eq(k, n));
  if (at < 0) t.push([n, v]);
  else t[at] = [t[at]?.[0] ?? n, `${t[at]?.[1] ?? ''}, ${v}`];
}

/** unwrap_header: CR and LF become spaces. */
const unwrap = (s: string): string => s.replace(/[\r\n]/g, ' ');

/** The env lookup of a format tag (%{VAR}e): the value, or "(null)". */
function envValue(r: RequestRecord, name: string): string {
  const v = r.env.get(name);
  return v === undefined ? '(null)' : unwrap(v);
}

/** process_tags. */
export function processTags(
  r: RequestRecord,
  format: readonly FormatTag[],
  now = Date.now(),
): string {
  let out = '';
  for (const t of format) {
    if (t.kind === 'text') {
      out += t.text;
      continue;
    }
    switch (t.tag) {
      case 'D':
        out += `D=${Math.max(0, now - r.requestTime) * 1000}`;
        break;
      case 't':
        out += `t=${r.requestTime * 1000}`;
        break;
      case 'e':
        out += envValue(r, t.arg);
        break;
      case 's':
        out += '(null)'; // no mod_ssl
        break;
      case 'l': {
        const [a = 0, b = 0, c = 0] = loadavg();
        out += `l=${a.toFixed(2)}/${b.toFixed(2)}/${c.toFixed(2)}`;
        break;
      }
      case 'i':
      case 'b':
        // ap_get_sload: the scoreboard's idle/busy workers; tswsgi has no such counts here.
        out += `${t.tag}=0`;
        break;
    }
  }
  return out;
}

/** process_regexp: replace the first match (edit) or every match (edit*) in `value`. */
export function processRegexp(
  r: RequestRecord,
  e: HeaderEntry,
  value: string,
  compiled: RegExp,
): string {
  const m = compiled.exec(value);
  if (m === null || m.index < 0) return value;
  const subs = pregsub(entryValue(r, e, undefined), m);
  const end = m.index + m[0].length;
  let remainder = value.slice(end);
  if (e.action === 'edit*') {
    // An empty match would loop for ever: step past one character.
    if (m[0].length === 0) {
      remainder =
        remainder === '' ? '' : remainder[0] + processRegexp(r, e, remainder.slice(1), compiled);
    } else remainder = processRegexp(r, e, remainder, compiled);
  }
  return value.slice(0, m.index) + subs + remainder;
}

const regexes = new WeakMap<HeaderEntry, RegExp>();
function regexOf(e: HeaderEntry, source: string): RegExp {
  let re = regexes.get(e);
  if (re === undefined) {
    re = new RegExp(source);
    regexes.set(e, re);
  }
  return re;
}

/** Where ap_expr_exec's Vary goes: the response table being edited. */
interface VaryTarget {
  readonly table: Table;
  /** An error response: a new Vary precedes Content-Length. */
  readonly beforeLength: boolean;
}

/**
 * ap_expr_exec's Vary: the request headers an expression read go into Vary, in the
 * response table being edited (`vary`), or on the response for RequestHeader lines.
 */
function addVary(r: RequestRecord, vary: VaryTarget | undefined, names: readonly string[]): void {
  if (names.length === 0) return;
  if (vary !== undefined) {
    const t = vary.table;
    const len = t.findIndex(([k]) => eq(k, 'Content-Length'));
    // An error page gets its Content-Length after the header edits (content_length
    // filter): a new Vary goes before it, as in httpd's headers_out.
    if (vary.beforeLength && len >= 0 && tget(t, 'Vary') === undefined)
      t.splice(len, 0, ['Vary', names.join(', ')]);
    else tmerge(t, 'Vary', names.join(', '));
    return;
  }
  const prev = r.res.getHeader('Vary');
  const add = names.join(', ');
  r.res.setHeader('Vary', prev === undefined ? add : `${String(prev)}, ${add}`);
}

/**
 * The request as an expression sees it while the head is written: CONTENT_TYPE and
 * LAST_MODIFIED are what the response carries (r->content_type, r->mtime).
 */
function exprView(r: RequestRecord, vary: VaryTarget | undefined): ExprRequest {
  const base = exprRequest(r);
  if (vary === undefined) return base;
  const head = vary.table;
  return {
    ...base,
    variable: (name) =>
      name === 'CONTENT_TYPE'
        ? (tget(head, 'Content-Type') ?? base.variable(name))
        : name === 'LAST_MODIFIED'
          ? lastModifiedVar(tget(head, 'Last-Modified'))
          : base.variable(name),
  };
}

/** process_tags, or the entry's `expr=` string expression (AH02557 on failure: ""). */
function entryValue(r: RequestRecord, e: HeaderEntry, vary: VaryTarget | undefined): string {
  if (e.expr === undefined) return processTags(r, e.format ?? []);
  const names: string[] = [];
  try {
    return execString(e.expr, exprView(r, vary), names);
  } catch (err) {
    if (!(err instanceof ExprEvalError)) throw err;
    r.logError('error', 'headers', 'AH02557', `Can't evaluate value expression: ${err.message}`);
    return '';
  } finally {
    addVary(r, vary, names);
  }
}

/** Which entries a pass runs: early ones at post_read_request, the others later. */
function applies(
  r: RequestRecord,
  e: HeaderEntry,
  early: boolean,
  vary: VaryTarget | undefined,
): boolean {
  if (e.condition?.kind === 'early') return early;
  if (early) return false;
  if (e.condition?.kind === 'expr') {
    const names: string[] = [];
    try {
      return execBool(e.condition.expr, exprView(r, vary), names);
    } catch (err) {
      if (!(err instanceof ExprEvalError)) throw err;
      r.logError(
        'error',
        'headers',
        'AH01501',
        `Failed to evaluate expression (${err.message}) - ignoring`,
      );
      return true;
    } finally {
      addVary(r, vary, names);
    }
  }
  if (e.condition?.kind === 'env') {
    const has = r.env.has(e.condition.name);
    return e.condition.negate ? !has : has;
  }
  return true;
}

/** do_headers_fixup over one table. `headersIn` feeds `echo`. */
export function doHeadersFixup(
  r: RequestRecord,
  t: Table,
  entries: readonly HeaderEntry[],
  early: boolean,
  headersIn: Table,
  vary?: VaryTarget,
): void {
  for (const e of entries) {
    if (!applies(r, e, early, vary)) continue;
    const value = (): string => entryValue(r, e, vary);
    switch (e.action) {
      case 'add':
        t.push([e.header, value()]);
        break;
      case 'append':
        tmerge(t, e.header, value());
        break;
      case 'merge': {
        const v = value();
        const cur = tget(t, e.header);
        if (cur === undefined) t.push([e.header, v]);
        else if (!tokens(cur).includes(v)) tmerge(t, e.header, v);
        break;
      }
      case 'set':
        tset(t, e.header, value());
        break;
      case 'setifempty':
        if (tget(t, e.header) === undefined) tset(t, e.header, value());
        break;
      case 'unset':
        tunset(t, e.header);
        break;
      case 'echo': {
        const re = regexOf(e, e.header);
        for (const [k, v] of headersIn) if (re.test(k)) t.push([k, v]);
        break;
      }
      case 'edit':
      case 'edit*': {
        const re = regexOf(e, e.regex ?? '');
        const edited: Table = [];
        for (const [k, v] of t) if (eq(k, e.header)) edited.push([k, processRegexp(r, e, v, re)]);
        if (edited.length === 0) break;
        tunset(t, e.header);
        t.push(...edited);
        break;
      }
      case 'note': {
        const cur = tget(t, e.header);
        if (cur !== undefined) r.notes.set(value(), cur);
        break;
      }
    }
  }
}

/** The comma-separated tokens of a field value, quoted strings kept whole (ap_get_token). */
function tokens(v: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < v.length) {
    while (i < v.length && /\s/.test(v[i] ?? '')) i++;
    const start = i;
    while (i < v.length && v[i] !== ',') {
      if (v[i++] === '"') while (i < v.length) if (v[i++] === '"') break;
    }
    out.push(v.slice(start, i));
    if (i < v.length) i++;
  }
  return out;
}

/** The request's header list as a table, and a way to write one back. */
function requestTable(r: RequestRecord): Table {
  const raw = r.headersIn.rawHeaders;
  const t: Table = [];
  for (let i = 0; i + 1 < raw.length; i += 2) t.push([raw[i] ?? '', raw[i + 1] ?? '']);
  return t;
}
function writeRequestTable(r: RequestRecord, t: Table): void {
  const req = r.headersIn;
  req.rawHeaders.splice(0, req.rawHeaders.length, ...t.flat());
  const headers: Record<string, string> = {};
  for (const [k, v] of t) {
    const l = k.toLowerCase();
    const prev = headers[l];
    headers[l] = prev === undefined ? v : `${prev}${l === 'cookie' ? '; ' : ', '}${v}`;
  }
  req.headers = headers;
}

/** RequestHeader at fixups (or early). */
function fixupIn(r: RequestRecord, early: boolean): Outcome {
  const conf = r.dirConf(headersModule);
  if (conf.fixupIn.length > 0) {
    const t = requestTable(r);
    doHeadersFixup(r, t, conf.fixupIn, early, t);
    writeRequestTable(r, t);
  }
  return DECLINED;
}

/**
 * What the response head goes through: `Header always` lines on err_headers_out (the
 * fields the server keeps for error pages, WWW-Authenticate), onsuccess lines on the
 * handler's headers_out unless this is an error page; err_headers_out goes first, as
 * ap_http_header_filter overlays it.
 */
export function editHead(r0: RequestRecord, head: Table, errorResponse: boolean): Table {
  const r = lastOfChain(r0);
  const conf = r.dirConf(headersModule);
  if (conf.fixupErr.length === 0 && conf.fixupOut.length === 0) return head;
  const errNames = new Set([...r.errHeadersOut.keys()].map((k) => k.toLowerCase()));
  const err: Table = [];
  const out: Table = [];
  for (const [k, v] of head) (errNames.has(k.toLowerCase()) ? err : out).push([k, v]);
  const headersIn = requestTable(r);
  const vary: VaryTarget = { table: out, beforeLength: errorResponse };
  doHeadersFixup(r, err, conf.fixupErr, false, headersIn, vary);
  if (!errorResponse) doHeadersFixup(r, out, conf.fixupOut, false, headersIn, vary);
  return [...err, ...out];
}

/** FIXUP_HEADERS_OUT's place among the head edits (AP_FTYPE_CONTENT_SET). */
export const HEADERS_RANK = 20;

/** mod_headers. */
export const headersModule: ModuleDef<undefined, HeadersDirConf> = {
  name: 'headers',
  ...headersConfig,
  hooks: {
    postReadRequest: {
      run: (r) => {
        if (r.main === undefined && r.prev === undefined) {
          // Every response of this request (error pages too) passes the head editor.
          if (r.res instanceof CountingResponse)
            r.res.addHeadEdit(HEADERS_RANK, (head, err) => editHead(r, head, err));
        }
        // `early` RequestHeader entries, from the server's config (no walk has run yet).
        return fixupIn(r, true);
      },
      order: 'first',
    },
    fixups: { run: (r) => fixupIn(r, false), order: 'last' },
  },
};
