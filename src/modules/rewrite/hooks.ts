// httpd: modules/mappers/mod_rewrite.c (hook_uri2file, hook_fixup, hook_mimetype,
// handler_redirect, prefix_stat).
//
// Server-context rules run at translate_name (FIRST): a local result becomes r.filename
// (or, with [PT], the new r.uri for the translate hooks after this one), an absolute URL an
// external redirect. Per-directory rules run at fixups (FIRST), after the directory walk:
// their result is a new URL, reached through an internal redirect that the
// `redirect-handler` content handler performs.

import { statSync } from 'node:fs';
import { DECLINED, DONE, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { internalRedirect } from '../../request/subrequest.js';
import { serverNameOf, serverPortOf } from '../../request/server-name.js';
import { coreDir, coreServer } from '../../core/view.js';
import { die } from '../../http/die.js';
import type { ModuleDef } from '../module.js';
import type { RewriteDirConf, RewriteServerConf, RuleEntry } from './config.js';
import { OPT, RF } from './flags.js';
import {
  NOTE_HANDLER,
  NOTE_MIMETYPE,
  REALLY_LAST,
  applyList,
  chainHead,
  rewriteLog,
} from './engine.js';
import type { ListResult } from './engine.js';
import { escapeAbsoluteUri, escapeUri } from './escape.js';
import { absoluteUri, substPrefixPath } from './uri.js';

type RewriteModule = ModuleDef<RewriteServerConf, RewriteDirConf>;

/** The handler name of per-dir internal redirects (REWRITE_REDIRECT_HANDLER_NAME). */
export const REDIRECT_HANDLER = 'redirect-handler';

/** ap_scan_vchar_obstext found something: a control character or a blank. */
function hasCtlOrSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
  }
  return false;
}

const isRedirectStatus = (s: number): boolean => s >= 300 && s <= 399;

/** The redirect answer shared by both hooks: Location with the query string, the status. */
function externalRedirect(
  r: RequestRecord,
  result: ListResult,
  oargs: string,
  schemeLen: number,
  perdir: string | undefined,
): Outcome {
  let fn = r.filename ?? '';
  if (result !== 'noescape') {
    rewriteLog(r, 1, perdir, `escaping ${fn} for redirect`);
    fn = escapeAbsoluteUri(fn, schemeLen);
  }
  if (r.args !== '') {
    const noescape = result === 'noescape' || r.args === oargs;
    const escaped = noescape ? r.args : escapeUri(r.args);
    fn += `?${escaped}`;
    rewriteLog(
      r,
      1,
      perdir,
      `${noescape ? 'copying' : 'escaping'} ${r.args} to query string for redirect ${noescape ? '' : escaped}`,
    );
  }
  let n = 302;
  if (isRedirectStatus(r.status)) {
    n = r.status;
    r.status = 200;
  }
  r.filename = fn;
  r.res.setHeader('Location', fn);
  rewriteLog(r, 1, perdir, `redirect to ${fn} [REDIRECT/${String(n)}]`);
  return n;
}

/** The status answers and the query-string check both hooks share; undefined: go on. */
function statusAnswer(r: RequestRecord, result: ListResult, id: string): Outcome | undefined {
  const fn = r.filename ?? '';
  const willEscape = absoluteUri(fn).len > 0 && result !== 'noescape';
  if (r.args !== '' && !willEscape && hasCtlOrSpace(r.args)) {
    r.logError(
      'error',
      'rewrite',
      id,
      'Rewritten query string contains control characters or spaces',
    );
    return 403;
  }
  if (result === 'status') {
    const n = r.status;
    r.status = 200;
    return n;
  }
  if (result === 'statusSet') return r.status;
  return undefined;
}

/** prefix_stat: does the first segment of `path` exist, and may the rule name it? */
function prefixStat(r: RequestRecord, path: string, lastsub: RuleEntry | undefined): boolean {
  const rel = path.replace(/^\/+/, '');
  const seg = rel.split('/')[0] ?? '';
  if (seg === '..') return false; // APR_FILEPATH_NOTABOVEROOT
  const statpath = '/' + seg;
  let ok: boolean;
  try {
    ok = statSync(statpath, { throwIfNoEntry: false }) !== undefined;
  } catch {
    ok = false;
  }
  if (!ok) return false;
  if (lastsub === undefined) {
    rewriteLog(r, 3, undefined, `prefix_stat no lastsub subst prefix ${statpath}`);
    return true;
  }
  rewriteLog(
    r,
    3,
    undefined,
    `prefix_stat compare statpath ${statpath} and lastsub output ${lastsub.outputText} STATOK ${String(lastsub.flags & RF.UNSAFE_PREFIX_STAT)} `,
  );
  if ((lastsub.flags & RF.UNSAFE_PREFIX_STAT) !== 0) return true;
  const docroot = coreServer(r.server.server).documentRoot;
  const ctxroot = r.notes.get('context-document-root') ?? docroot;
  const starts = (h: string, n: string): boolean => {
    const rc = h.startsWith(n);
    rewriteLog(r, 5, undefined, `prefix_stat startsWith(${h}, ${n}) ${rc ? '1' : '0'}`);
    return rc;
  };
  return (
    starts(lastsub.outputText, statpath) ||
    starts(path, docroot) ||
    (docroot !== ctxroot && starts(path, ctxroot))
  );
}

/** hook_uri2file: server-context rules (translate_name, FIRST). */
export function makeUri2File(mod: RewriteModule): (r: RequestRecord) => Outcome | Promise<Outcome> {
  return (r) => {
    // The engine off (the default): nothing else is looked at.
    if (!r.dirConf(mod).c.state) return DECLINED;
    return uri2file(r, mod);
  };
}

async function uri2file(r: RequestRecord, mod: RewriteModule): Promise<Outcome> {
  const conf = r.serverConf(mod).c;
  const dconf = r.dirConf(mod).c;
  if (chainHead(r).notes.has(REALLY_LAST)) {
    rewriteLog(r, 8, undefined, 'Declining, no further rewriting due to END flag');
    return DECLINED;
  }
  if ((dconf.options & OPT.ANYURI) === 0 && (r.unparsedUri === '*' || !r.uri.startsWith('/'))) {
    rewriteLog(
      r,
      8,
      undefined,
      `Declining, request-URI '${r.uri}' is not a URL-path. Consult the manual entry for the RewriteOptions directive for options and caveats about matching other strings.`,
    );
    return DECLINED;
  }
  const oargs = r.args;
  // SCRIPT_URL / SCRIPT_URI: the URL as first asked for (kept across redirects).
  if (r.main === undefined) r.env.set('SCRIPT_URL', r.env.get('REDIRECT_SCRIPT_URL') ?? r.uri);
  else {
    const v = r.main.env.get('SCRIPT_URL');
    if (v !== undefined) r.env.set('SCRIPT_URL', v);
  }
  const port = serverPortOf(r);
  r.env.set(
    'SCRIPT_URI',
    `http://${serverNameOf(r)}${port === 80 ? '' : `:${String(port)}`}${r.env.get('SCRIPT_URL') ?? ''}`,
  );
  let result: ListResult;
  let lastsub: RuleEntry | undefined;
  const ofilename = r.filename;
  const saved = r.notes.get('mod_rewrite_rewritten');
  if (saved === undefined) {
    if (r.filename === undefined) {
      r.filename = r.uri;
      rewriteLog(r, 2, undefined, `init rewrite engine with requested uri ${r.filename}`);
    } else
      rewriteLog(
        r,
        2,
        undefined,
        `init rewrite engine with passed filename ${r.filename}. Original uri = ${r.uri}`,
      );
    ({ result, lastsub } = await applyList(r, conf.rules, undefined, conf.maps));
    r.notes.set('mod_rewrite_rewritten', result);
  } else {
    rewriteLog(
      r,
      2,
      undefined,
      `uri already rewritten. Status ${saved}, Uri ${r.uri}, r->filename ${r.filename ?? ''}`,
    );
    result = saved as ListResult;
  }
  if (result === 'none') {
    rewriteLog(r, 1, undefined, `pass through ${r.filename ?? ''}`);
    // httpd leaves r->filename = r->uri here and ap_core_translate overwrites it; tswsgi's
    // core translate keeps a filename already set, so give back what was there.
    r.filename = ofilename;
    return DECLINED;
  }
  const early = statusAnswer(r, result, 'AH10410');
  if (early !== undefined) return early;
  const fn = r.filename ?? '';
  if (fn.length > 6 && fn.startsWith('proxy:')) return proxyRequest(r, result);
  const abs = absoluteUri(fn).len;
  if (abs > 0) return externalRedirect(r, result, oargs, abs, undefined);
  if (fn.startsWith('passthrough:')) {
    // [PT]: the result is a URL for the translate hooks after this one (mod_alias,
    // mod_wsgi's WSGIScriptAlias, the DocumentRoot).
    r.uri = fn.slice(12);
    r.filename = undefined;
    return DECLINED;
  }
  rewriteLog(r, 2, undefined, `local path result: ${fn}`);
  if (!fn.startsWith('/')) return 400;
  const reduced =
    (conf.options & OPT.LEGACY_PREFIX_DOCROOT) === 0 && r.notes.has('mod_rewrite_uri_reduced');
  const unsafeStat = (conf.options & OPT.UNSAFE_PREFIX_STAT) !== 0;
  if (!prefixStat(r, fn, unsafeStat ? undefined : lastsub) || reduced) {
    const root = coreServer(r.server.server).documentRoot.replace(/\/$/, '');
    r.filename = root + fn;
    rewriteLog(r, 2, undefined, `prefixed with document_root to ${r.filename}`);
  }
  rewriteLog(r, 1, undefined, `go-ahead with ${r.filename ?? ''} [OK]`);
  return OK;
}

/**
 * hook_uri2file's `proxy:` branch ([P]): hand the request to mod_proxy's `proxy-server`
 * handler. The `proxyreq` note stands for r->proxyreq (mod_proxy reads it).
 */
function proxyRequest(r: RequestRecord, result: ListResult): Outcome {
  if (!r.generation.runtime.modules.some((m) => m.name === 'proxy')) {
    r.logError(
      'error',
      'rewrite',
      'AH00669',
      `attempt to make remote request from mod_rewrite without proxy enabled: ${r.filename ?? ''}`,
    );
    return 403;
  }
  if (result === 'noescape') r.notes.set('proxy-nocanon', '1');
  if (r.pathInfo !== '') r.filename = `${r.filename ?? ''}${r.pathInfo}`;
  if (r.args !== '' && r.notes.has('proxy-nocanon')) r.filename = `${r.filename ?? ''}?${r.args}`;
  r.notes.set('proxyreq', 'reverse');
  r.handler = 'proxy-server';
  rewriteLog(r, 1, undefined, `go-ahead with proxy request ${r.filename ?? ''} [OK]`);
  return OK;
}

/** hook_fixup: per-directory rules (fixups, FIRST). */
export function makeFixup(mod: RewriteModule): (r: RequestRecord) => Outcome | Promise<Outcome> {
  return (r) => {
    const dconf = r.dirConf(mod).c;
    if (!dconf.state || dconf.directory === undefined) return mimetypeFixup(r);
    return fixup(r, mod).then((rv) => (rv === OK || rv === DECLINED ? mimetypeFixup(r) : rv));
  };
}

async function fixup(r: RequestRecord, mod: RewriteModule): Promise<Outcome> {
  const dconf = r.dirConf(mod).c;
  const dir = dconf.directory ?? '';
  // The .htaccess of /foo is read for the URL /foo (no slash): leave it to mod_dir.
  if ((dconf.options & OPT.NOSLASH) === 0) {
    const l = dir.length - 1;
    const f = r.filename;
    if (f !== undefined && f.length === l && dir[l] === '/' && dir.startsWith(f)) return DECLINED;
  }
  if (chainHead(r).notes.has(REALLY_LAST)) {
    rewriteLog(r, 8, dir, 'Declining, no further rewriting due to END flag');
    return DECLINED;
  }
  const opts = coreDir(r.perDir).options;
  if (!opts.has('FollowSymLinks') && !opts.has('SymLinksIfOwnerMatch')) {
    r.logError(
      'error',
      'rewrite',
      'AH00670',
      `Options FollowSymLinks and SymLinksIfOwnerMatch are both off, so the RewriteRule directive is also forbidden due to its similar ability to circumvent directory restrictions : ${r.filename ?? ''}`,
    );
    return 403;
  }
  const ofilename = r.filename;
  const oargs = r.args;
  if (r.filename === undefined) {
    r.filename = r.uri;
    rewriteLog(r, 2, dir, `init rewrite engine with requested uri ${r.filename}`);
  }
  const { result } = await applyList(r, dconf.rules, dir, r.serverConf(mod).c.maps, dconf.baseUrl);
  if (result === 'none') {
    rewriteLog(r, 1, dir, `pass through ${r.filename}`);
    r.filename = ofilename;
    return DECLINED;
  }
  const early = statusAnswer(r, result, 'AH10411');
  if (early !== undefined) return early;
  let fn = r.filename;
  const abs = absoluteUri(fn).len;
  if (abs > 0) {
    if (dconf.baseUrl !== undefined) {
      // Replace the directory part after the host with the RewriteBase.
      const slash = fn.indexOf('/', abs);
      if (slash >= 0 && slash + 1 < fn.length) {
        rewriteLog(r, 2, dir, `trying to replace prefix ${dir} with ${dconf.baseUrl}`);
        const cp = fn.slice(slash + 1);
        const cp2 = substPrefixPath(
          cp,
          dir.startsWith('/') ? dir.slice(1) : dir,
          dconf.baseUrl.slice(1),
        );
        if (cp2 !== cp) r.filename = fn.slice(0, slash + 1) + cp2;
      }
    }
    return externalRedirect(r, result, oargs, abs, dir);
  }
  if (fn.startsWith('passthrough:')) fn = r.filename = fn.slice(12);
  if (!fn.startsWith('/')) return 400;
  if (ofilename !== undefined && fn === ofilename) {
    rewriteLog(r, 1, dir, `initial URL equal rewritten URL: ${fn} [IGNORING REWRITE]`);
    return OK;
  }
  const before = fn;
  if (dconf.baseUrl !== undefined) {
    rewriteLog(r, 2, dir, `trying to replace prefix ${dir} with ${dconf.baseUrl}`);
    fn = substPrefixPath(fn, dir, dconf.baseUrl);
  } else {
    const root = coreServer(r.server.server).documentRoot;
    const l = root.endsWith('/') ? root.length - 1 : root.length;
    if (fn.startsWith(root.slice(0, l)) && fn[l] === '/') {
      rewriteLog(r, 2, dir, `strip document_root prefix: ${fn} -> ${fn.slice(l)}`);
      fn = fn.slice(l);
    }
  }
  if (fn === before && (dconf.options & OPT.IGNORE_CONTEXT_INFO) === 0) {
    const ctxroot = r.notes.get('context-document-root');
    const prefix = r.notes.get('context-prefix');
    if (ctxroot !== undefined && prefix !== undefined) {
      rewriteLog(
        r,
        2,
        dir,
        `trying to replace context docroot ${ctxroot} with context prefix ${prefix}`,
      );
      fn = substPrefixPath(fn, ctxroot, prefix);
    }
  }
  r.notes.set('redirect-keeps-vary', '');
  rewriteLog(r, 1, dir, `internal redirect with ${fn} [INTERNAL REDIRECT]`);
  r.filename = `redirect:${fn}`;
  r.handler = REDIRECT_HANDLER;
  return OK;
}

/** hook_mimetype (fixups, LAST): [T=] and [H=] remembered by the rules. */
export function mimetypeFixup(r: RequestRecord): Outcome {
  if (r.notes.size === 0) return DECLINED;
  const t = r.notes.get(NOTE_MIMETYPE);
  if (t !== undefined && t !== '') {
    rewriteLog(r, 1, undefined, `force filename ${r.filename ?? ''} to have MIME-type '${t}'`);
    r.contentType = t;
  }
  const h = r.notes.get(NOTE_HANDLER);
  if (h !== undefined && h !== '') {
    rewriteLog(
      r,
      1,
      undefined,
      `force filename ${r.filename ?? ''} to have the Content-handler '${h}'`,
    );
    r.handler = h;
  }
  return DECLINED;
}

/** handler_redirect: run the internal redirect a per-dir rule asked for. */
export async function handlerRedirect(r: RequestRecord): Promise<Outcome> {
  const fn = r.filename ?? '';
  if (!fn.startsWith('redirect:')) return DECLINED;
  const rv = await internalRedirect(r, fn.slice(9) + (r.args !== '' ? `?${r.args}` : ''));
  // Refused before it ran (LimitInternalRecursion): nothing has answered yet.
  if (rv !== OK && rv !== DONE && !r.res.headersSent) await die(r, rv);
  return DONE;
}
