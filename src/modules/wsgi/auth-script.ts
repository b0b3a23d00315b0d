// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_check_password, wsgi_get_realm_hash (the
// `wsgi` authn provider), wsgi_check_authorization + wsgi_groups_for_user (the
// `wsgi-group` authz provider), wsgi_hook_access_checker + wsgi_allow_access, and
// Auth_environ.
//
// WSGIAuthUserScript, WSGIAuthGroupScript and WSGIAccessScript. mod_wsgi runs these
// scripts in the Apache child; tswsgi asks a worker of the embedded group, with a REQUEST
// whose environ carries `tswsgi.auth` (the hook to call, docs/protocol.md). The worker
// builds Auth_environ from it, calls the hook and answers `{"result": …}` as JSON, or
// `{"error": true}` after logging why (python/tswsgi_worker/auth.py).

import { stat } from 'node:fs/promises';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { logIdOf, noteConnectionLogged } from '../../request/record.js';
import { knownRemoteHost } from '../../request/remote-host.js';
import { buildEnvironInPlace, wsgiCgiVars } from '../../wsgi/environ.js';
import type { AuthnStatus, AuthzStatus } from '../module.js';
import { expandApplicationGroup, findPathInfoStart } from './app-group.js';
import type { WsgiAuthScript, WsgiDirConf } from './config.js';
import { DIR_DEFAULTS } from './config.js';
import type { WsgiState } from './handler.js';
import { expandRequestOf } from './handler.js';

/** Environ key naming the hook a worker must call (python: auth.py AUTH_KEY). */
export const AUTH_KEY = 'tswsgi.auth';

/** The hooks, as the script defines them. */
export type AuthHook = 'check_password' | 'get_realm_hash' | 'groups_for_user' | 'allow_access';

/** What this module's auth entry points need besides the request. */
export interface AuthContext {
  readonly dir: WsgiDirConf;
  readonly state: WsgiState | undefined;
}

/**
 * wsgi_server_group for an auth script's application-group: unset and %{GLOBAL} are the
 * main interpreter (''), %{SERVER} and %{HOST} expand; anything else is literal.
 */
function authGroup(r: RequestRecord, name: string | undefined): string {
  if (name === undefined) return '';
  if (name !== '%{GLOBAL}' && name !== '%{SERVER}' && name !== '%{HOST}') return name;
  return expandApplicationGroup(expandRequestOf(r), name);
}

/** mod_wsgi logs these without a client (ap_log_error on wsgi_server). */
function serverError(r: RequestRecord, id: string, message: string): void {
  r.generation.log.log('error', 'wsgi', id, `mod_wsgi (pid=${String(process.pid)}): ${message}`);
}

/**
 * Ask an embedded-group worker to run `hook` of the script with these arguments. Returns
 * the hook's result, or undefined when it failed (the worker logged why).
 */
export async function callAuthHook(
  r: RequestRecord,
  ctx: AuthContext,
  ref: WsgiAuthScript,
  hook: AuthHook,
  args: Readonly<Record<string, string>>,
): Promise<{ readonly result: unknown } | undefined> {
  const state = ctx.state;
  const spec = state?.groups.get('');
  if (state === undefined || spec === undefined || state.call === undefined) {
    r.logError(
      'error',
      'wsgi',
      'MW00114',
      `WSGI auth script '${ref.script}' cannot run: no embedded process group`,
    );
    return undefined;
  }
  const group = authGroup(r, ref.applicationGroup);
  const reloading = ctx.dir.scriptReloading ?? DIR_DEFAULTS.scriptReloading;
  const environ = buildEnvironInPlace(wsgiCgiVars(r), {
    processGroup: '',
    applicationGroup: group,
    callableObject: '',
    requestHandler: r.handler ?? '',
    handlerScript: '',
    scriptReloading: reloading,
    passAuthorization: false,
    authorization: undefined,
    mapHeadToGet: false,
    method: r.method,
    listenerHost: r.connection.localAddr,
    listenerPort: r.connection.localPort,
    requestTimeMs: r.requestTime,
    enableSendfile: false,
    ignoreActivity: false,
    requestId: logIdOf(r),
    connectionId: undefined,
    https: 'encrypted' in r.headersIn.socket,
  });
  // Auth_environ: SCRIPT_NAME is the URI up to the path info, PATH_INFO the rest.
  const start = r.pathInfo === '' ? r.uri.length : findPathInfoStart(r.uri, r.pathInfo);
  environ.set('SCRIPT_NAME', r.uri.slice(0, start));
  environ.set('PATH_INFO', r.pathInfo);
  environ.set(AUTH_KEY, hook);
  environ.set('tswsgi.auth.script', ref.script);
  for (const [k, v] of Object.entries(args)) environ.set(`tswsgi.auth.${k}`, v);
  const mtimeMs = (await stat(ref.script).catch(() => undefined))?.mtimeMs ?? 0;
  // What the script writes to wsgi.errors is logged for this connection, as in the child.
  const answer = await state.call(state.getPool(spec, group), environ, ref.script, mtimeMs, () =>
    noteConnectionLogged(r.connection),
  );
  if (!answer.ok || answer.status !== 200) {
    r.logError(
      'error',
      'wsgi',
      'MW00114',
      `WSGI auth script '${ref.script}' could not answer: ${answer.ok ? `status ${String(answer.status)}` : answer.error}`,
    );
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || !('result' in doc)) return undefined;
  return { result: doc.result };
}

/** wsgi_check_password: True, False, None, or a user name to use instead of the one sent. */
export async function wsgiCheckPassword(
  r: RequestRecord,
  ctx: AuthContext,
  user: string,
  password: string,
): Promise<AuthnStatus> {
  const ref = ctx.dir.authUserScript;
  if (ref === undefined) {
    serverError(r, 'MW00115', 'Location of WSGI user authentication script not provided.');
    return 'generalError';
  }
  const got = await callAuthHook(r, ctx, ref, 'check_password', { user, password });
  if (got === undefined) return 'generalError';
  const v = got.result;
  if (v === null) return 'userNotFound';
  if (v === true) return 'granted';
  if (v === false) return 'denied';
  if (typeof v === 'string') {
    r.user = v; // the script renamed the user
    return 'granted';
  }
  return 'generalError';
}

/** wsgi_get_realm_hash: None, or the hex MD5 of `user:realm:password`. */
export async function wsgiGetRealmHash(
  r: RequestRecord,
  ctx: AuthContext,
  user: string,
  realm: string,
): Promise<{ hash: string } | { status: AuthnStatus }> {
  const ref = ctx.dir.authUserScript;
  if (ref === undefined) {
    serverError(r, 'MW00115', 'Location of WSGI user authentication script not provided.');
    return { status: 'generalError' };
  }
  const got = await callAuthHook(r, ctx, ref, 'get_realm_hash', { user, realm });
  if (got === undefined) return { status: 'generalError' };
  if (got.result === null) return { status: 'userNotFound' };
  return typeof got.result === 'string' ? { hash: got.result } : { status: 'generalError' };
}

/** wsgi_check_authorization: `Require wsgi-group a b …` against groups_for_user. */
export async function wsgiCheckGroup(
  r: RequestRecord,
  ctx: AuthContext,
  required: readonly string[],
): Promise<AuthzStatus> {
  if (r.user === undefined) return 'deniedNoUser';
  const ref = ctx.dir.authGroupScript;
  if (ref === undefined) {
    serverError(r, 'MW00115', 'Location of WSGI group authorization script not provided.');
    return 'denied';
  }
  const got = await callAuthHook(r, ctx, ref, 'groups_for_user', { user: r.user });
  if (got === undefined || !Array.isArray(got.result)) return 'denied';
  const groups = new Set(got.result.filter((g): g is string => typeof g === 'string'));
  if (groups.size > 0 && required.some((g) => groups.has(g))) return 'granted';
  const why = groups.size === 0 ? 'any groups' : 'designated groups';
  r.logError(
    'error',
    'wsgi',
    'MW00116',
    `mod_wsgi (pid=${String(process.pid)}): Authorization of user '${r.user}' to access '${r.uri}' failed. User is not a member of ${why}.`,
  );
  return 'denied';
}

/**
 * wsgi_hook_access_checker: allow_access(environ, host) — True grants, None declines,
 * anything else (False, an error) is 403.
 */
export async function wsgiAccessChecker(r: RequestRecord, ctx: AuthContext): Promise<Outcome> {
  const ref = ctx.dir.accessScript;
  if (ref === undefined) return DECLINED;
  // HostnameLookups Off: ap_get_remote_host gives the name only if a host-based check
  // looked it up on this connection, else the address.
  const host = knownRemoteHost(r) ?? r.useragentIp.replace(/^::ffff:(?=\d+\.)/, '');
  const got = await callAuthHook(r, ctx, ref, 'allow_access', { host });
  if (got?.result === null) return DECLINED;
  if (got?.result === true) return OK;
  r.logError(
    'error',
    'wsgi',
    'MW00117',
    `mod_wsgi (pid=${String(process.pid)}): Client denied by server configuration: '${r.filename ?? '(null)'}'.`,
  );
  return 403;
}
