// httpd: modules/mappers/mod_rewrite.c (rewrite_ctx, do_rewritelog, lookup_variable's
// LA-U/LA-F look-ahead, subreq_ok).
//
// What one run of the rules carries (the rewrite_ctx), the trace log, and the sub-requests
// behind %{LA-U:…}/%{LA-F:…}, resolved before the synchronous expansion.

import type { RequestRecord } from '../../request/record.js';
import { lookupUri } from '../../request/subrequest.js';
import { serverNameOf } from '../../request/server-name.js';
import { coreServer } from '../../core/view.js';
import type { LogLevel } from '../../logging/error-log.js';
import type { MapEntry } from './config.js';
import { expand } from './template.js';
import type { ExpandCtx, Template } from './template.js';
import { lookupVariable } from './vars.js';
import type { VarCtx } from './vars.js';
import { lookupMap } from './maps.js';

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
    `${r.useragentIp} - ${user} [${serverNameOf(r)}/sid#${sidOf(r)}][rid#${ridOf(r)}/` +
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
export async function lookupFile(
  r: RequestRecord,
  path: string,
): Promise<RequestRecord | undefined> {
  const root = coreServer(r.server.server).documentRoot.replace(/\/$/, '');
  if (!path.startsWith(root + '/')) return undefined;
  return (await lookupUri(r, path.slice(root.length))).rr;
}

/** subreq_ok: no look-ahead from a sub-request for the URL its main request asked for. */
export function subreqOk(r: RequestRecord): boolean {
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

/** The first request of r's internal-redirect chain (httpd's shared r->pool). */
export function chainHead(r: RequestRecord): RequestRecord {
  let h = r;
  while (h.prev !== undefined) h = h.prev;
  return h;
}
