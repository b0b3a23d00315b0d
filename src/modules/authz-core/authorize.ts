// httpd: modules/aaa/mod_authz_core.c (authorize_userless = access_checker_ex,
// authorize_user = auth_checker, apply_authz_sections with RequireAny semantics),
// modules/aaa/mod_authz_host.c (ip, local), mod_authz_user.c (user, valid-user).
//
// The Require lines of a context are an implicit <RequireAny>: one granted line grants;
// otherwise a line that needs a user asks for authentication; otherwise access is denied
// (AH01630). A negated line that does not match is neutral, as AUTHZ_NEUTRAL.

import { limitAllows } from '../../config/method-limit.js';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import type { ModuleDef } from '../module.js';
import type { AuthzCoreDirConf, RequireEntry } from './config.js';

type Result = 'granted' | 'denied' | 'neutral' | 'needUser';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** `Require ip` argument: full address, partial (`10.1`), or CIDR (`10.0.0.0/8`, IPv4 only). */
export function ipMatches(pattern: string, addr: string): boolean {
  const a = addr.replace(/^::ffff:/, '');
  const [net, bits] = pattern.split('/');
  if (net === undefined) return false;
  if (bits === undefined)
    return a === net || (!net.includes(':') && a.startsWith(net.endsWith('.') ? net : net + '.'));
  const toInt = (s: string): number | undefined => {
    const p = s.split('.').map(Number);
    if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return undefined;
    return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
  };
  const n = toInt(net);
  const x = toInt(a);
  const b = Number(bits);
  if (n === undefined || x === undefined || !(b >= 0 && b <= 32)) return false;
  const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
  return (n & mask) === (x & mask);
}

/** One Require line. */
function check(r: RequestRecord, e: RequireEntry): Result {
  let hit: boolean;
  switch (e.provider) {
    case 'all':
      hit = e.args[0]?.toLowerCase() === 'granted';
      break;
    case 'env':
      hit = e.args.some((v) => r.env.has(v));
      break;
    case 'method':
      hit = e.args.some((m) => m.toUpperCase() === r.method);
      break;
    case 'ip':
      hit = e.args.some((p) => ipMatches(p, r.connection.remoteAddr));
      break;
    case 'local':
      hit =
        LOOPBACK.test(r.connection.remoteAddr) ||
        r.connection.remoteAddr === r.connection.localAddr;
      break;
    case 'user':
    case 'valid-user':
    case 'group':
    case 'file-owner':
    case 'file-group':
      if (r.user === undefined) return 'needUser';
      hit = e.provider === 'valid-user' || (e.provider === 'user' && e.args.includes(r.user));
      break;
    case 'host':
    case 'forward-dns':
    case 'expr':
      hit = false; // not evaluated by tswsgi: never grants
      break;
  }
  if (e.negate) return hit ? 'denied' : 'neutral';
  return hit ? 'granted' : 'denied';
}

/**
 * RequireAny over the lines. Lines limited to other methods (<Limit>) are neutral; when no
 * line applies to the request's method the context grants (apply_authz_sections: a section
 * limited to other methods under the top-level AND).
 */
export function evaluate(r: RequestRecord, entries: readonly RequireEntry[]): Result {
  const applicable = entries.filter((e) => limitAllows(e.limit, r.method));
  if (applicable.length === 0) return 'granted';
  const results = applicable.map((e) => check(r, e));
  if (results.includes('granted')) return 'granted';
  if (results.includes('needUser')) return 'needUser';
  return 'denied';
}

function denied(r: RequestRecord): Outcome {
  const what = r.filename === undefined ? `uri ${r.uri}` : r.filename;
  r.logError('error', 'authz_core', 'AH01630', `client denied by server configuration: ${what}`);
  return 403;
}

/** authorize_userless (access_checker_ex, FIRST). */
export function makeAuthorizeUserless(
  mod: ModuleDef<undefined, AuthzCoreDirConf>,
): (r: RequestRecord) => Outcome {
  return (r) => {
    const req = r.dirConf(mod).requires;
    if (req === undefined || req.length === 0) return OK; // no authz configured: granted
    const res = evaluate(r, req);
    if (res === 'granted') return OK;
    if (res === 'needUser') return DECLINED;
    return denied(r);
  };
}

/** authorize_user (auth_checker, FIRST): after authentication set r.user. */
export function makeAuthorizeUser(
  mod: ModuleDef<undefined, AuthzCoreDirConf>,
): (r: RequestRecord) => Outcome {
  return (r) => {
    const req = r.dirConf(mod).requires;
    if (req === undefined || req.length === 0) return OK;
    if (evaluate(r, req) === 'granted') return OK;
    r.logError(
      'error',
      'authz_core',
      'AH01631',
      `user ${r.user ?? ''}: authorization failure for "${r.uri}": `,
    );
    return 401;
  };
}
