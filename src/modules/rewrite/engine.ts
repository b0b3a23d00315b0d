// httpd: modules/mappers/mod_rewrite.c (rewrite_ctx, apply_rewrite_cond, apply_rewrite_rule,
// apply_rewrite_list, force_type_handler, do_expand_env, add_cookie, do_rewritelog).
//
// The engine shared by the server-context hook (translate) and the per-directory hook
// (fixups): it rewrites r.filename/r.args and reports what happened; hooks.ts decides
// what that means for the request.

import { lstatSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import type { RequestRecord } from '../../request/record.js';
import { lookupUri } from '../../request/subrequest.js';
import { serverNameOf } from '../../request/server-name.js';
import { coreServer } from '../../core/view.js';
import type { LogLevel } from '../../logging/error-log.js';
import { CF, RF } from './flags.js';
import type { CondEntry, MapEntry, RuleEntry } from './config.js';
import { condRegex, ruleRegex } from './compiled.js';
import { expand } from './template.js';
import type { ExpandCtx, Template } from './template.js';
import { lookupVariable } from './vars.js';
import type { VarCtx } from './vars.js';
import { lookupMap } from './maps.js';
import { escapeBackref } from './escape.js';
import { absoluteUri, fullyQualify, reduceUri, splitoutQueryArgs } from './uri.js';

/** Notes mod_rewrite leaves for its later hooks (REWRITE_FORCED_*_NOTEVAR). */
export const NOTE_MIMETYPE = 'rewrite-forced-mimetype';
export const NOTE_HANDLER = 'rewrite-forced-handler';

/** do_rewritelog: the trace line at LogLevel rewrite:traceN, httpd's layout. */
export function rewriteLog(
  r: RequestRecord,
  level: number,
  perdir: string | undefined,
  text: string,
): void {
  const lvl = `trace${String(Math.min(8, Math.max(1, level)))}` as LogLevel;
  if (!r.generation.log.enabled(lvl, 'rewrite')) return;
  let redir = 0;
  for (let q = r.prev; q !== undefined; q = q.prev) redir++;
  const user = r.user === undefined ? '-' : r.user === '' ? '""' : r.user;
  const line =
    `${r.connection.remoteAddr} - ${user} [${serverNameOf(r)}/sid#${sidOf(r)}][rid#${ridOf(r)}/` +
    `${r.main !== undefined ? 'subreq' : 'initial'}${redir > 0 ? `/redir#${String(redir)}` : ''}] ` +
    `${perdir !== undefined ? `[perdir ${perdir}] ` : ''}${text}`;
  r.logError(lvl, 'rewrite', '', line);
}

// httpd prints the server_rec and request_rec addresses; stable small numbers stand in.
const ids = new WeakMap<object, string>();
let nextId = 1;
function idOf(o: object): string {
  let v = ids.get(o);
  if (v === undefined) {
    v = (0x55d0_0000_0000 + nextId++ * 0x40).toString(16);
    ids.set(o, v);
  }
  return v;
}
const sidOf = (r: RequestRecord): string => idOf(r.server);
const ridOf = (r: RequestRecord): string => idOf(r);

/** The rewrite_ctx of one apply_rewrite_list run. */
export class RewriteCtx implements ExpandCtx, VarCtx {
  r: RequestRecord;
  readonly perdir: string | undefined;
  readonly maps: Readonly<Record<string, MapEntry>>;
  /** The URL the current rule matched against (ctx->uri). */
  uri = '';
  ruleMatch: RegExpExecArray | undefined = undefined;
  condMatch: RegExpExecArray | undefined = undefined;
  escapeRef: ((s: string) => string) | undefined = undefined;
  varyThis: string | undefined = undefined;
  vary: string | undefined = undefined;
  readonly lookahead = new Map<string, string>();
  /** The RewriteBase of the per-dir context (la_u). */
  readonly baseUrl: string | undefined;
  constructor(
    r: RequestRecord,
    perdir: string | undefined,
    maps: Readonly<Record<string, MapEntry>>,
    baseUrl?: string,
  ) {
    this.r = r;
    this.perdir = perdir;
    this.maps = maps;
    this.baseUrl = baseUrl;
  }
  variable(name: string): string {
    const v = lookupVariable(name, this);
    if (name.toUpperCase() === 'TIME') rewriteLog(this.r, 1, this.perdir, `RESULT='${v}'`);
    return v;
  }
  map(name: string, key: string): string | undefined {
    const v = lookupMap(this.r, this.maps, name, key);
    rewriteLog(
      this.r,
      5,
      undefined,
      v === undefined
        ? `map lookup FAILED: map=${name} key=${key}`
        : `map lookup OK: map=${name} key=${key} -> val=${v}`,
    );
    return v;
  }
  /** A condition that read headers adds them to the rule's Vary list. */
  foldVary(): void {
    if (this.varyThis === undefined) return;
    this.vary = this.vary === undefined ? this.varyThis : `${this.vary}, ${this.varyThis}`;
    this.varyThis = undefined;
  }
  log(level: number, text: string): void {
    rewriteLog(this.r, level, this.perdir, text);
  }
}

/** The look-ahead variables a template names, resolved by sub-requests (lookup_variable LA-U/LA-F). */
async function prefetch(t: Template, ctx: RewriteCtx): Promise<void> {
  if (!t.lookahead) return;
  for (const tok of t.tokens) {
    if (tok.k === 'map') {
      await prefetch(tok.key, ctx);
      if (tok.dflt !== undefined) await prefetch(tok.dflt, ctx);
      continue;
    }
    if (tok.k !== 'var' || !/^LA-[UF]:/i.test(tok.name) || tok.name.length <= 5) continue;
    const r = ctx.r;
    if (!subreqOk(r)) continue;
    const laf = tok.name.slice(0, 4).toUpperCase() === 'LA-F';
    let path = ctx.uri;
    let rr: RequestRecord | undefined;
    if (!laf) {
      // LA-U: in a directory context a relative URL is under RewriteBase (la_u).
      if (ctx.perdir !== undefined && !path.startsWith('/'))
        path = (ctx.baseUrl ?? ctx.perdir) + path;
      rr = (await lookupUri(r, path)).rr;
    } else if (ctx.perdir !== undefined && path.startsWith('/')) {
      // httpd: "we can't do a file-based sub-request without the file path: behave like LA-U".
      rr = (await lookupUri(r, path)).rr;
    } else {
      if (ctx.perdir !== undefined) path = ctx.perdir + path;
      rr = await lookupFile(r, path);
    }
    if (rr === undefined) continue;
    const sub = new RewriteCtx(rr, ctx.perdir, ctx.maps);
    const v = lookupVariable(tok.name.slice(5), sub);
    ctx.lookahead.set(tok.name, v);
    ctx.log(5, `lookahead: path=${path} var=${tok.name.slice(5)} -> val=${v}`);
  }
}

/**
 * ap_sub_req_lookup_file, as far as tswsgi can: a file under the DocumentRoot is looked up
 * by its URL (the walks and access checks run); another path gets no sub-request.
 */
async function lookupFile(r: RequestRecord, path: string): Promise<RequestRecord | undefined> {
  const root = coreServer(r.server.server).documentRoot.replace(/\/$/, '');
  if (!path.startsWith(root + '/')) return undefined;
  return (await lookupUri(r, path.slice(root.length))).rr;
}

/** subreq_ok: no look-ahead from a sub-request for the URL its main request asked for. */
function subreqOk(r: RequestRecord): boolean {
  return r.main === undefined || r.main.uri !== r.uri;
}

/** Expand a template after resolving its look-aheads. */
export async function expandAsync(
  t: Template,
  ctx: RewriteCtx,
  track?: 'first' | 'last',
): Promise<ReturnType<typeof expand>> {
  if (t.lookahead) await prefetch(t, ctx);
  return expand(t, ctx, track);
}

const tryStat = (p: string, link = false): Stats | undefined => {
  try {
    return link ? lstatSync(p, { throwIfNoEntry: false }) : statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
};

/** compare_lexicography: longer is bigger; same length compares bytes. */
function compareLex(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) return x.length > y.length ? 1 : -1;
  return Buffer.compare(x, y);
}

/** strcasecmp sign. */
function compareNoCase(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** atoi: leading blanks, a sign, digits; anything else is 0. */
const atoi = (s: string): number => {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number.parseInt(m[1] ?? '0', 10);
};

/** apply_rewrite_cond. */
async function applyCond(p: CondEntry, ctx: RewriteCtx): Promise<boolean> {
  const r = ctx.r;
  const input = (await expandAsync(p.input, ctx)).text;
  let rc = false;
  const nocase = (p.flags & CF.NOCASE) !== 0;
  switch (p.ptype) {
    case 'fileExists':
      rc = tryStat(input)?.isFile() === true;
      break;
    case 'fileSize': {
      const st = tryStat(input);
      rc = st?.isFile() === true && st.size > 0;
      break;
    }
    case 'fileLink':
      rc = tryStat(input, true)?.isSymbolicLink() === true;
      break;
    case 'fileDir':
      rc = tryStat(input)?.isDirectory() === true;
      break;
    case 'fileXbit':
      rc = ((tryStat(input)?.mode ?? 0) & 0o111) !== 0;
      break;
    case 'luUrl':
      if (input !== '' && subreqOk(r)) {
        const { rr } = await lookupUri(r, input);
        rc = rr.status < 400;
        ctx.log(5, `RewriteCond URI (-U check: path=${input} -> status=${String(rr.status)}`);
      }
      break;
    case 'luFile':
      if (input !== '' && subreqOk(r)) {
        // A file outside the DocumentRoot gets no sub-request here (see lookupFile): it
        // passes if it is a file that exists.
        const rr = await lookupFile(r, input);
        const file = rr === undefined ? input : rr.filename;
        rc =
          (rr === undefined || rr.status < 300) &&
          file !== undefined &&
          tryStat(file) !== undefined;
        ctx.log(
          5,
          `RewriteCond file (-F check: path=${input} -> file=${file ?? ''} status=${String(rr?.status ?? 200)}`,
        );
      }
      break;
    case 'strGe':
    case 'strGt': {
      const c = nocase ? compareNoCase(input, p.operand) : compareLex(input, p.operand);
      rc = c >= (p.ptype === 'strGe' ? 0 : 1);
      break;
    }
    case 'strLe':
    case 'strLt': {
      const c = nocase ? compareNoCase(input, p.operand) : compareLex(input, p.operand);
      rc = c <= (p.ptype === 'strLe' ? 0 : -1);
      break;
    }
    case 'strEq':
      rc = nocase ? input.toLowerCase() === p.operand.toLowerCase() : input === p.operand;
      break;
    case 'intGe':
      rc = atoi(input) >= atoi(p.operand);
      break;
    case 'intGt':
      rc = atoi(input) > atoi(p.operand);
      break;
    case 'intLe':
      rc = atoi(input) <= atoi(p.operand);
      break;
    case 'intLt':
      rc = atoi(input) < atoi(p.operand);
      break;
    case 'intEq':
      rc = atoi(input) === atoi(p.operand);
      break;
    case 'regex': {
      const m = condRegex(p).exec(input);
      rc = m !== null;
      if (m !== null && (p.flags & CF.NOTMATCH) === 0) ctx.condMatch = m;
      break;
    }
  }
  if ((p.flags & CF.NOTMATCH) !== 0) rc = !rc;
  ctx.log(
    4,
    `RewriteCond: input='${input}' pattern='${p.patternText}'${nocase ? ' [NC]' : ''} => ${rc ? 'matched' : 'not-matched'}`,
  );
  return rc;
}

/** force_type_handler: remember [T=] / [H=] for the type/fixup hook. */
async function forceTypeHandler(p: RuleEntry, ctx: RewriteCtx): Promise<void> {
  const r = ctx.r;
  if (p.forcedMimetype !== undefined) {
    const t = (await expandAsync(p.forcedMimetype, ctx)).text.toLowerCase();
    if (t !== '') {
      ctx.log(2, `remember ${r.filename ?? ''} to have MIME-type '${t}'`);
      r.notes.set(NOTE_MIMETYPE, t);
    }
  }
  if (p.forcedHandler !== undefined) {
    const h = (await expandAsync(p.forcedHandler, ctx)).text.toLowerCase();
    if (h !== '') {
      ctx.log(2, `remember ${r.filename ?? ''} to have Content-handler '${h}'`);
      r.notes.set(NOTE_HANDLER, h);
    }
  }
}

/** The first request of r's internal-redirect chain (httpd's shared r->pool). */
export function chainHead(r: RequestRecord): RequestRecord {
  let h = r;
  while (h.prev !== undefined) h = h.prev;
  return h;
}

/** do_expand_env: [E=var:val] and [E=!var]. */
async function expandEnv(p: RuleEntry, ctx: RewriteCtx): Promise<void> {
  for (const t of p.env) {
    const name = (await expandAsync(t, ctx)).text;
    if (name.startsWith('!')) {
      ctx.r.env.delete(name.slice(1));
      rewriteLog(ctx.r, 5, undefined, `unsetting env variable '${name.slice(1)}'`);
    } else {
      const colon = name.indexOf(':');
      const k = colon < 0 ? name : name.slice(0, colon);
      const v = colon < 0 ? '' : name.slice(colon + 1);
      ctx.r.env.set(k, v);
      rewriteLog(ctx.r, 5, undefined, `setting env variable '${k}' to '${v}'`);
    }
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const isTrue = (s: string | undefined, word: string): boolean =>
  s !== undefined &&
  (s.toLowerCase() === 'true' || s === '1' || s.toLowerCase() === word.toLowerCase());

/** add_cookie: [CO=name:value:domain[:lifetime[:path[:secure[:httponly[:samesite]]]]]]. */
export function addCookie(r: RequestRecord, s0: string): void {
  let s = s0;
  let sep = ':';
  if (s.startsWith(';')) {
    sep = ';';
    s = s.slice(1);
  }
  // apr_strtok: empty fields are skipped.
  const parts = s.split(sep).filter((x) => x !== '');
  const [name, value, domain, expires, path, secure, httponly, samesite] = parts;
  if (name === undefined || value === undefined || domain === undefined) return;
  let main = r;
  while (main.main !== undefined) main = main.main;
  const head = chainHead(main);
  const note = `rewrite-cookie:${name}`;
  if (head.notes.has(note)) {
    rewriteLog(main, 5, undefined, `skipping already set cookie '${name}'`);
    return;
  }
  let cookie = `${name}=${value}; path=${path ?? '/'}; domain=${domain}`;
  if (expires !== undefined) {
    const min = atoi(expires);
    if (min !== 0) {
      const d = new Date(r.requestTime + min * 60_000);
      const p2 = (n: number): string => String(n).padStart(2, '0');
      cookie += `; expires=${DAYS[d.getUTCDay()] ?? ''}, ${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()] ?? ''}-${String(d.getUTCFullYear()).padStart(4, '0')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} GMT`;
    }
  }
  if (isTrue(secure, 'secure')) cookie += '; secure';
  if (isTrue(httponly, 'HttpOnly')) cookie += '; HttpOnly';
  if (samesite !== undefined && samesite !== '0' && samesite.toLowerCase() !== 'false')
    cookie += `; SameSite=${samesite}`;
  const prev = main.errHeadersOut.get('Set-Cookie');
  // err_headers_out is a table (one value per name here): several cookies travel joined by
  // a newline and are split back into separate fields when sent (see hooks.ts).
  main.errHeadersOut.set('Set-Cookie', prev === undefined ? cookie : `${prev}\n${cookie}`);
  head.notes.set(note, 'set');
  rewriteLog(main, 5, undefined, `setting cookie '${cookie}'`);
}

/** rule_return_type. */
export type RuleResult = 'nomatch' | 'match' | 'nosub' | 'statusSet';

/** apply_rewrite_rule. */
/**
 * The first half of apply_rewrite_rule, synchronous: match the pattern. Most rules stop
 * here, so a request that matches none costs no promise at all.
 */
function matchRule(p: RuleEntry, ctx: RewriteCtx): boolean {
  const r = ctx.r;
  let uri = r.filename ?? '';
  if (ctx.perdir !== undefined) {
    if (r.pathInfo !== '') {
      ctx.log(3, `add path info postfix: ${uri} -> ${uri}${r.pathInfo}`);
      uri += r.pathInfo;
    }
    if (uri.length >= ctx.perdir.length && uri.startsWith(ctx.perdir)) {
      ctx.log(3, `strip per-dir prefix: ${uri} -> ${uri.slice(ctx.perdir.length)}`);
      uri = uri.slice(ctx.perdir.length);
    }
  }
  ctx.uri = uri;
  ctx.log(3, `applying pattern '${p.pattern}' to uri '${uri}'`);
  const m = ruleRegex(p).exec(uri);
  const notmatch = (p.flags & RF.NOTMATCH) !== 0;
  if ((m !== null) === notmatch) return false;
  ctx.varyThis = undefined;
  ctx.condMatch = undefined;
  ctx.ruleMatch = notmatch ? undefined : (m ?? undefined);
  ctx.escapeRef = undefined;
  return true;
}

/** The rest of apply_rewrite_rule, after the pattern matched: conditions, substitution. */
async function applyRule(p: RuleEntry, ctx: RewriteCtx): Promise<RuleResult> {
  const r = ctx.r;
  const uri = ctx.uri;
  for (let i = 0; i < p.conds.length; i++) {
    let c = p.conds[i];
    if (c === undefined) break;
    const rc = await applyCond(c, ctx);
    if ((c.flags & CF.NOVARY) !== 0) ctx.varyThis = undefined;
    if ((c.flags & CF.ORNEXT) !== 0) {
      if (!rc) {
        ctx.varyThis = undefined;
        continue;
      }
      while (i < p.conds.length && c !== undefined && (c.flags & CF.ORNEXT) !== 0) c = p.conds[++i];
    } else if (!rc) return 'nomatch';
    ctx.foldVary();
  }
  let newuri = '';
  if ((p.flags & RF.NOSUB) === 0) {
    if ((p.flags & RF.ESCAPEBACKREF) !== 0) {
      const o = {
        escapes: p.escapes,
        noescapes: p.noescapes,
        noPlus: (p.flags & RF.ESCAPENOPLUS) !== 0,
        ctls: (p.flags & RF.ESCAPECTLS) !== 0,
      };
      ctx.escapeRef = (s) => {
        const e = escapeBackref(s, o);
        ctx.log(5, `escaping backreference '${s}' to '${e}'`);
        return e;
      };
    }
    const track =
      (p.flags & RF.UNSAFE_ALLOW3F) !== 0
        ? undefined
        : (p.flags & RF.QSLAST) !== 0
          ? 'last'
          : 'first';
    const ex = await expandAsync(p.output, ctx, track);
    ctx.escapeRef = undefined;
    newuri = ex.text;
    ctx.log(2, `rewrite '${uri}' -> '${newuri}'`);
    if (ex.unsafeQmark > 0) {
      r.logError(
        'error',
        'rewrite',
        'AH10508',
        'Unsafe URL with %3f URL rewritten without UnsafeAllow3F',
      );
      r.status = 403;
      return 'statusSet';
    }
  }
  await expandEnv(p, ctx);
  for (const t of p.cookies) addCookie(r, (await expandAsync(t, ctx)).text);
  if ((p.flags & RF.NOSUB) !== 0) {
    await forceTypeHandler(p, ctx);
    if ((p.flags & RF.STATUS) !== 0) {
      ctx.log(2, `forcing responsecode ${String(p.status)} for ${r.filename ?? ''}`);
      r.status = p.status;
    }
    return 'nosub';
  }
  let prefixAdded = false;
  if (!newuri.startsWith('/') && absoluteUri(newuri).len === 0) {
    if (ctx.perdir !== undefined) {
      ctx.log(3, `add per-dir prefix: ${newuri} -> ${ctx.perdir}${newuri}`);
      newuri = ctx.perdir + newuri;
      prefixAdded = true;
    } else if ((p.flags & RF.FORCEREDIRECT) === 0) {
      ctx.log(3, `add root prefix: ${newuri} -> /${newuri}`);
      newuri = '/' + newuri;
      prefixAdded = true;
    }
  }
  r.filename = newuri;
  if (ctx.perdir !== undefined && (p.flags & RF.DISCARDPATHINFO) !== 0) r.pathInfo = '';
  splitoutQueryArgs(r, p.flags, (l, t) => rewriteLog(r, l, undefined, t));
  if ((p.flags & RF.FORCEREDIRECT) !== 0) {
    fullyQualify(r);
    ctx.log(2, `explicitly forcing redirect with ${r.filename ?? ''}`);
    r.status = p.status;
    return 'match';
  }
  if (reduceUri(r, (l, t) => rewriteLog(r, l, undefined, t)))
    r.notes.set('mod_rewrite_uri_reduced', 'true');
  if (absoluteUri(r.filename ?? '').len > 0) {
    ctx.log(2, `implicitly forcing redirect (rc=${String(p.status)} with ${r.filename ?? ''}`);
    r.status = p.status;
    return 'match';
  }
  if ((p.flags & RF.UNC) === 0 && !prefixAdded) {
    // Merge leading slashes, unless the substitution itself starts with two.
    if (!(p.outputText.startsWith('/') && p.outputText[1] === '/')) {
      let f = r.filename ?? '';
      while (f.startsWith('//')) f = f.slice(1);
      r.filename = f;
    }
  }
  await forceTypeHandler(p, ctx);
  return 'match';
}

/** apply_rewrite_list's answer (ACTION_*): nothing changed, changed, [NE], or a status. */
export type ListResult = 'none' | 'normal' | 'noescape' | 'status' | 'statusSet';

/** apply_rewrite_list: run the rules in order; `lastsub` is the last rule that substituted. */
export async function applyList(
  r: RequestRecord,
  rules: readonly RuleEntry[],
  perdir: string | undefined,
  maps: Readonly<Record<string, MapEntry>>,
  baseUrl?: string,
): Promise<{ result: ListResult; lastsub: RuleEntry | undefined }> {
  const ctx = new RewriteCtx(r, perdir, maps, baseUrl);
  let changed: ListResult = 'none';
  let lastsub: RuleEntry | undefined;
  let round = 1;
  const limitLine = coreServer(r.server.server).limitRequestLine;
  loop: for (;;) {
    for (let i = 0; i < rules.length; i++) {
      let p = rules[i];
      if (p === undefined) break;
      if (
        r.main !== undefined &&
        ((p.flags & RF.IGNOREONSUBREQ) !== 0 || (p.flags & RF.FORCEREDIRECT) !== 0)
      )
        continue;
      ctx.vary = undefined;
      const rc = matchRule(p, ctx) ? await applyRule(p, ctx) : 'nomatch';
      if (rc === 'nomatch') {
        while (i < rules.length && p !== undefined && (p.flags & RF.CHAIN) !== 0) p = rules[++i];
        continue;
      }
      if ((p.flags & RF.NOSUB) === 0) {
        ctx.log(2, `setting lastsub to rule with output ${p.outputText}`);
        lastsub = p;
      }
      if ((r.filename ?? '').length > 2 * limitLine) {
        r.logError(
          'error',
          'rewrite',
          '',
          `RewriteRule '${p.pattern}' and URI '${r.uri}' exceeded maximum length (${String(2 * limitLine)})`,
        );
        r.status = 500;
        return { result: 'status', lastsub };
      }
      if (ctx.vary !== undefined) mergeVary(r, ctx.vary);
      if (rc === 'statusSet') return { result: 'statusSet', lastsub };
      if ((p.flags & RF.STATUS) !== 0) return { result: 'status', lastsub };
      if (rc !== 'nosub') changed = (p.flags & RF.NOESCAPE) !== 0 ? 'noescape' : 'normal';
      if ((p.flags & RF.PASSTHROUGH) !== 0) {
        ctx.log(
          2,
          `forcing '${r.filename ?? ''}' to get passed through to next API URI-to-filename handler`,
        );
        r.filename = `passthrough:${r.filename ?? ''}`;
        changed = 'normal';
        break loop;
      }
      if ((p.flags & RF.END) !== 0) {
        ctx.log(8, 'Rule has END flag, no further rewriting for this request');
        chainHead(r).notes.set(REALLY_LAST, '1');
        break loop;
      }
      if ((p.flags & RF.LASTRULE) !== 0) break loop;
      if ((p.flags & RF.NEWROUND) !== 0) {
        if (++round >= p.maxRounds) {
          r.logError(
            'error',
            'rewrite',
            'AH02596',
            `RewriteRule '${p.pattern}' and URI '${r.uri}' exceeded maximum number of rounds (${String(p.maxRounds)}) via the [N] flag`,
          );
          r.status = 500;
          return { result: 'status', lastsub };
        }
        continue loop;
      }
      if (p.skip > 0) i += p.skip;
    }
    break;
  }
  return { result: changed, lastsub };
}

/** The END flag's mark (httpd: userdata on the pool the redirect chain shares). */
export const REALLY_LAST = 'rewrite_really_last';

/** apr_table_merge(headers_out, "Vary", …). */
function mergeVary(r: RequestRecord, vary: string): void {
  const prev = r.res.getHeader('Vary');
  r.res.setHeader('Vary', prev === undefined ? vary : `${String(prev)}, ${vary}`);
}
