// httpd: server/request.c (ap_process_request_internal, decl_die),
//        modules/http/http_request.c (ap_process_request, ap_die), server/config.c
//        (ap_invoke_handler). Phase table: docs/request-phases.md (STYLE.md §1).
//
// "This is the master logic for processing requests. Do NOT duplicate this logic
// elsewhere, or the security model will be broken." — request.c. processRequest is the
// only place the phases are sequenced; sub-requests and internal redirects re-enter it
// through subrequest.ts.

import { addOutputFilters, commitOutputFilters } from './output-filter.js';
import { DECLINED, DONE, OK, runAll, runFirst } from './hooks.js';
import type { Outcome } from './hooks.js';
import type { RequestRecord } from './record.js';
import { refusedScheme } from './record.js';
import { normalizePath, unescapePath } from './normalize.js';
import { sectionsForUri } from './walk.js';
import { ifWalk } from './if-walk.js';
import { forbiddenSymlink } from './symlinks.js';
import { primeCanonicalName } from './server-name.js';
import { coreDir } from '../core/view.js';
import { die } from '../http/die.js';
import { setFilterHeaders } from '../http/response-headers.js';

/** httpd's decl_die: a phase nobody handled is a configuration error (500). */
function declDie(status: Outcome, phase: string, r: RequestRecord): Outcome {
  if (status === DECLINED) {
    r.logError('crit', 'core', 'AH00025', `configuration error:  couldn't ${phase}: ${r.uri}`);
    return 500;
  }
  return status;
}

/** walk_location_and_if: merge matching <Location> sections over `base`. */
function walkLocation(r: RequestRecord, base: RequestRecord['perDir']): void {
  const rt = r.generation.runtime;
  r.perDir = rt.walk.merge(base, sectionsForUri(rt.sections(r.server), r.uri));
  ifWalk(r);
}

/**
 * True if an internal redirect's predecessor or a sub-request's main request ended with
 * the same per-dir config: httpd then reuses its user and skips access/auth.
 */
function samePerDir(r: RequestRecord): boolean {
  const other =
    r.prev !== undefined && r.prev.perDir === r.perDir
      ? r.prev
      : r.main !== undefined && r.main.perDir === r.perDir
        ? r.main
        : undefined;
  if (other === undefined) return false;
  r.user = other.user;
  r.authType = other.authType;
  return true;
}

/**
 * ap_process_request_internal + ap_invoke_handler + ap_die: steps 1–16 of STYLE.md §1.
 * `subrequest` stops after fixups (step 14), as ap_sub_req_lookup_uri does. Returns the
 * final outcome (OK/DONE, or the error status that was answered).
 */
export async function processRequest(r: RequestRecord, subrequest = false): Promise<Outcome> {
  const hooks = r.generation.runtime.hooks;
  const defaults = r.generation.runtime.dirDefaults(r.server);
  const finish = (status: Outcome): Outcome | Promise<Outcome> =>
    subrequest || status === OK || status === DONE ? status : die(r, status);
  // ap_parse_request_line: `*` is a request-target only for OPTIONS (RFC 9112 3.2.4).
  if (r.unparsedUri === '*' && r.method !== 'OPTIONS' && !subrequest && r.prev === undefined) {
    r.logError('debug', 'core', 'AH03450', "HTTP Request Line; Unable to parse URI: '*'");
    return finish(400);
  }
  // 0. post_read_request (ALL): main requests and internal redirects, never sub-requests
  // (ap_read_request, internal_internal_redirect).
  // Hooks answer synchronously as a rule (runFirst/runAll return a number then): `p` is
  // awaited only when it is a promise, so a request does not pay a microtask turn and a
  // promise for each of the ~10 phases.
  let p: Outcome | Promise<Outcome> =
    subrequest || r.main !== undefined ? OK : runAll(hooks.postReadRequest, r);
  let rv = typeof p === 'number' ? p : await p;
  if (rv !== OK) return finish(rv);
  // ap_post_read_request: `GET ftp://host/x` → 400, nothing in the error log.
  if (r.method !== 'CONNECT' && refusedScheme(r.unparsedUri)) return finish(400);
  // 1. normalise the raw path; invalid → 400 (AH10244)
  if (r.uri !== '*') {
    const norm = normalizePath(r.uri, coreDir(defaults).mergeSlashes);
    if (norm === undefined) {
      r.logError('error', 'core', 'AH10244', `invalid URI path (${r.unparsedUri})`);
      return finish(400);
    }
    r.uri = norm;
  }
  // A sub-request for a directory entry (lookupDirent) comes with its file name: it skips
  // the location walks before translation and translate_name itself (request.c file_req).
  const fileReq = r.main !== undefined && r.filename !== undefined;
  // 2. first location walk, over the server defaults
  if (!fileReq) walkLocation(r, defaults);
  // 3. pre_translate_name: no module registers it (not in PHASES).
  // 4. unescape; %2F → 404 unless AllowEncodedSlashes, bad escape → 400
  const slashes = coreDir(r.perDir).allowEncodedSlashes;
  const un = unescapePath(r.uri, slashes);
  if ('status' in un) {
    r.uri = un.path; // decoded in place, as httpd leaves it: %U logs `/x/b.txt`
    if (un.status === 404 && slashes === 'off') {
      r.logError(
        'info',
        'core',
        'AH00026',
        `found %2f (encoded '/') in URI path (${r.unparsedUri}), returning 404`,
      );
    }
    return finish(un.status);
  }
  r.uri =
    slashes === 'on'
      ? (normalizePath(un.path, coreDir(r.perDir).mergeSlashes) ?? un.path)
      : un.path;
  // 5. second location walk (the path is decoded now)
  // 6. translate_name (FIRST); all declined → 500 "couldn't translate"
  if (!fileReq) {
    walkLocation(r, defaults);
    p = runFirst(hooks.translateName, r);
    rv = typeof p === 'number' ? p : await p;
    if (rv !== OK) return finish(declDie(rv, 'translate', r));
  }
  // 7. map_to_storage (FIRST) from the server defaults: directory + file walk
  r.perDir = defaults;
  p = runFirst(hooks.mapToStorage, r);
  rv = typeof p === 'number' ? p : await p;
  if (rv !== OK && rv !== DECLINED) return finish(rv);
  // 7b. symbolic links on the way to the file need FollowSymLinks (resolve_symlink)
  const link = forbiddenSymlink(r, defaults);
  if (link !== undefined) {
    r.logError(
      'error',
      'core',
      'AH00037',
      `Symbolic link not allowed or link target not accessible: ${link}`,
    );
    return finish(403);
  }
  // 8. third location walk: <Location> overrides map_to_storage config
  walkLocation(r, r.perDir);
  // UseCanonicalName DNS: the name is a reverse lookup of the local address (apr_getnameinfo
  // in ap_get_server_name). Resolved once per generation and address, off the event loop;
  // every later request finds it cached.
  if (coreDir(r.perDir).useCanonicalName === 'dns') await primeCanonicalName(r);
  // 9. header_parser (ALL), main requests only
  if (r.main === undefined && !subrequest) {
    p = runAll(hooks.headerParser, r);
    rv = typeof p === 'number' ? p : await p;
    if (rv !== OK) return finish(rv);
  }
  // 10–12. access, then authn + authz unless access_ex granted (Satisfy All). Skipped
  // for an internal redirect whose per-dir config equals its predecessor's.
  if (!samePerDir(r)) {
    // Satisfy Any: a passed access check is enough; otherwise access_checker_ex and authn/
    // authz decide, and the access check's refusal is not the answer.
    const any = satisfies(r) === 'any';
    p = runAll(hooks.accessChecker, r);
    rv = typeof p === 'number' ? p : await p;
    if (rv !== OK && !any) return finish(declDie(rv, 'check access', r));
    if (!any || rv !== OK) {
      p = runFirst(hooks.accessCheckerEx, r);
      rv = typeof p === 'number' ? p : await p;
      if (rv === DECLINED) {
        p = runFirst(hooks.checkUserId, r);
        rv = typeof p === 'number' ? p : await p;
        if (rv !== OK) return finish(declDie(rv, 'check user.  No user file?', r));
        if (r.user === undefined) {
          r.logError(
            'error',
            'core',
            any ? 'AH00028' : 'AH00027',
            `No authentication done but request not allowed without authentication for ${r.uri}. Authentication not configured?`,
          );
          return finish(500);
        }
        p = runFirst(hooks.authChecker, r);
        rv = typeof p === 'number' ? p : await p;
        if (rv !== OK) return finish(declDie(rv, 'check authorization', r));
      } else if (rv !== OK) return finish(declDie(rv, 'check access', r));
    }
  }
  // 13. type_checker (FIRST); core's do_nothing (REALLY_LAST) answers OK
  p = runFirst(hooks.typeChecker, r);
  rv = typeof p === 'number' ? p : await p;
  if (rv !== OK) return finish(declDie(rv, 'find types', r));
  // 14. fixups (ALL)
  p = runAll(hooks.fixups, r);
  rv = typeof p === 'number' ? p : await p;
  if (rv !== OK || subrequest) return finish(rv);
  // 15. handler: by r.handler, else the content type, else default-handler (core)
  rv = await invokeHandler(r);
  // 16. ap_die for an error status
  return finish(rv);
}

/** ap_satisfies: the first loaded module's answer, else Satisfy All. */
function satisfies(r: RequestRecord): 'all' | 'any' {
  for (const m of r.generation.runtime.modules) {
    const s = m.satisfies?.(r);
    if (s !== undefined) return s;
  }
  return 'all';
}

/** ap_invoke_handler: the named handler first, core's default handler as REALLY_LAST. */
async function invokeHandler(r: RequestRecord): Promise<Outcome> {
  // LimitRequestBody with a known Content-Length: 413 before any handler reads (AH01587).
  const limit = coreDir(r.perDir).limitRequestBody;
  const cl = r.headersIn.headers['content-length'];
  if (limit > 0 && cl !== undefined && Number(cl) > limit) {
    r.logError(
      'error',
      'http',
      'AH01587',
      `Requested content-length of ${cl} is larger than the configured limit of ${limit}`,
    );
    return 413;
  }
  // err_headers_out go out with every response (ap_http_header_filter overlays them
  // first): e.g. the challenge of a 401 that a local ErrorDocument answers.
  // A value holding newlines is several fields of one name (e.g. mod_rewrite's cookies).
  for (const [n, v] of r.errHeadersOut)
    if (!r.res.headersSent) r.res.setHeader(n, v.includes('\n') ? v.split('\n') : v);
  // ap_http_header_filter's Content-Encoding / Content-Language from r (mod_mime), for
  // whatever handler answers.
  if (r.contentEncoding !== undefined || r.contentLanguages !== undefined) {
    const entity: [string, string][] = [];
    if (r.contentEncoding !== undefined) entity.push(['Content-Encoding', r.contentEncoding]);
    if (r.contentLanguages !== undefined && r.contentLanguages.length > 0)
      entity.push(['Content-Language', r.contentLanguages.join(',')]);
    setFilterHeaders(r.res, { entity });
  }
  // ap_set_keepalive: `nokeepalive` in the environment (SetEnv, BrowserMatch) closes.
  if (r.env.has('nokeepalive')) r.res.shouldKeepAlive = false;
  // ap_invoke_handler: ap_run_insert_filter (core's SetOutputFilter first), then the
  // filters go on the response. Nothing to do, nothing awaited, when no module adds one.
  const setOutput = coreDir(r.perDir).outputFilters;
  if (setOutput !== undefined) addOutputFilters(r, setOutput);
  const inserts = r.generation.runtime.hooks.insertFilter;
  if (inserts.length > 0) {
    const rv = runAll(inserts, r);
    if (typeof rv !== 'number') await rv;
  }
  commitOutputFilters(r);
  // While the handlers run, a request without a handler is named by its media type (or
  // default-handler), as ap_invoke_handler does; it is put back after (%{HANDLER} in an
  // expression evaluated meanwhile, e.g. by Header expr= or a FilterProvider, sees it).
  const own = r.handler;
  if (own === undefined) r.handler = r.contentType?.split(';')[0]?.trim() || 'default-handler';
  try {
    return await runHandlers(r, r.handler as string);
  } finally {
    r.handler = own;
  }
}

/** ap_run_handler: the handler registered for `name`, those that pick their own, core's. */
async function runHandlers(r: RequestRecord, name: string): Promise<Outcome> {
  const handlers = r.generation.runtime.handlers;
  // core's default_handler is REALLY_LAST: under its own name it still comes after the rest.
  const named = name === 'default-handler' ? undefined : handlers.get(name);
  if (named !== undefined) {
    const rv = await named(r);
    if (rv !== DECLINED) return rv;
  }
  // Handlers that pick their requests themselves (WSGIHandlerScript names, mod_actions'
  // Action/Script, which also serve requests with no handler but a content type).
  for (const m of r.generation.runtime.modules) {
    if (m.anyHandler === undefined) continue;
    const p = m.anyHandler(r);
    const rv = typeof p === 'number' ? p : await p;
    if (rv !== DECLINED) return rv;
  }
  const fallback = handlers.get('default-handler');
  if (fallback === undefined || fallback === named) {
    r.logError(
      'warn',
      'core',
      'AH00524',
      `handler "${name}" not found for: ${r.filename ?? r.uri}`,
    );
    return 500;
  }
  return fallback(r);
}
