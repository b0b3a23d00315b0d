// httpd: modules/aaa/mod_auth_basic.c (authenticate_basic_user at check_authn MIDDLE,
// get_basic_auth, note_basic_auth_failure / hook_note_basic_auth_failure).
//
// With `AuthType Basic`: read `Authorization: Basic …`, set r.user to the name sent (even
// before it is checked, as httpd does, so the access log shows it), and ask the
// AuthBasicProvider providers in turn until one knows the user. A refusal is 401 with
// `WWW-Authenticate: Basic realm="…"` and AH01617 (wrong password) or AH01618 (no such
// user). Names and passwords are bytes: they are kept as latin1 strings, byte for byte.

import { createHash } from 'node:crypto';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { authName, authType } from '../authn-core/index.js';
import { ExprEvalError, execString } from '../../expr/eval.js';
import { exprRequest } from '../../expr/request.js';
import { setHeaderIn, unsetHeaderIn } from '../../request/tables.js';
import type { AuthnProvider, AuthnStatus, ModuleDef } from '../module.js';
import { authBasicConfig } from './config.js';
import type { AuthBasicDirConf } from './config.js';

/** mod_auth_basic. */
export const authBasicModule: ModuleDef<undefined, AuthBasicDirConf> = {
  name: 'auth_basic',
  ...authBasicConfig,
  hooks: {
    checkUserId: { run: (r) => authenticateBasicUser(r), order: 'middle' },
    fixups: { run: (r) => authenticateBasicFake(r), order: 'last' },
  },
  noteAuthFailure: (r, type) => {
    if (type.toLowerCase() !== 'basic') return false;
    noteBasicAuthFailure(r);
    return true;
  },
};

/**
 * authenticate_basic_fake (fixups LAST): AuthBasicFake's expressions make the Authorization
 * header a proxied backend or application sees, `Basic base64(user:pass)`. An empty user or
 * password removes the header instead (AH02458/AH02459); one that fails to evaluate is 500.
 */
export function authenticateBasicFake(r: RequestRecord): Outcome {
  const fake = r.dirConf(authBasicModule).fake;
  if (fake === undefined || fake === null) return DECLINED;
  const ctx = exprRequest(r);
  // The user, then the password: each evaluated, refused (500) or found empty in turn.
  const ids = {
    user: ['user', 'AH02455', 'username', 'AH02458'],
    pass: ['password', 'AH02456', 'password', 'AH02459'],
  } as const;
  const part = (which: 'user' | 'pass'): string | Outcome => {
    const [what, failId, emptyWhat, emptyId] = ids[which];
    let v: string;
    try {
      v = execString(fake[which], ctx);
    } catch (e) {
      if (!(e instanceof ExprEvalError)) throw e;
      r.logError(
        'error',
        'auth_basic',
        failId,
        `AuthBasicFake: could not evaluate ${what} expression for URI '${r.uri}': ${e.message}`,
      );
      return 500;
    }
    if (v !== '') return v;
    r.logError(
      'info',
      'auth_basic',
      emptyId,
      `AuthBasicFake: empty ${emptyWhat} expression for URI '${r.uri}', ignoring`,
    );
    unsetHeaderIn(r, 'Authorization');
    return DECLINED;
  };
  const user = part('user');
  if (typeof user !== 'string') return user;
  const pass = part('pass');
  if (typeof pass !== 'string') return pass;
  const line = `Basic ${Buffer.from(`${user}:${pass}`, 'latin1').toString('base64')}`;
  setHeaderIn(r, 'Authorization', line);
  r.logError('info', 'auth_basic', 'AH02457', `AuthBasicFake: "Authorization: ${line}"`);
  return OK;
}

/** The provider used when AuthBasicProvider is not set (AUTHN_DEFAULT_PROVIDER). */
const DEFAULT_PROVIDER = 'file';

function noteBasicAuthFailure(r: RequestRecord): void {
  r.errHeadersOut.set('WWW-Authenticate', `Basic realm="${authName(r) ?? ''}"`);
}

/** apr_base64_decode: the leading run of base64 characters, decoded; a NUL ends the text. */
export function decodeBasic(text: string): string {
  const valid = /^[A-Za-z0-9+/]*/.exec(text)?.[0] ?? '';
  const bytes = Buffer.from(valid, 'base64');
  const nul = bytes.indexOf(0);
  return (nul < 0 ? bytes : bytes.subarray(0, nul)).toString('latin1');
}

/** get_basic_auth: the user and password sent, or the 401 to answer. */
function getBasicAuth(r: RequestRecord): { user: string; password: string } | undefined {
  const line = r.headersIn.headers.authorization;
  if (line === undefined) {
    noteBasicAuthFailure(r);
    return undefined;
  }
  const sp = line.indexOf(' ');
  const scheme = sp < 0 ? line : line.slice(0, sp);
  if (scheme.toLowerCase() !== 'basic') {
    r.logError(
      'error',
      'auth_basic',
      'AH01614',
      `client used wrong authentication scheme: ${r.uri}`,
    );
    noteBasicAuthFailure(r);
    return undefined;
  }
  const decoded = decodeBasic(sp < 0 ? '' : line.slice(sp + 1).replace(/^[ \t]+/, ''));
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  r.user = user; // set even though the user is not authenticated yet
  return { user, password };
}

/** The authn provider a loaded module registered under `name`. */
function providerFor(r: RequestRecord, name: string): AuthnProvider | undefined {
  for (const m of r.generation.runtime.modules) {
    const table = m.authnProviders;
    if (table !== undefined && Object.hasOwn(table, name)) return table[name];
  }
  return undefined;
}

/** One provider's answer, through the realm hash when AuthBasicUseDigestAlgorithm MD5. */
async function ask(
  r: RequestRecord,
  p: AuthnProvider,
  user: string,
  password: string,
  digestMd5: boolean,
): Promise<AuthnStatus> {
  if (!digestMd5) return p.checkPassword(r, user, password);
  if (p.getRealmHash === undefined) {
    r.logError(
      'error',
      'auth_basic',
      'AH02493',
      'Authn provider does not support AuthBasicUseDigestAlgorithm',
    );
    return 'generalError';
  }
  const realm = authName(r) ?? '';
  const got = await p.getRealmHash(r, user, realm);
  if ('status' in got) return got.status;
  const digest = createHash('md5')
    .update(Buffer.from(`${user}:${realm}:${password}`, 'latin1'))
    .digest('hex');
  return digest === got.hash ? 'granted' : 'denied';
}

/** authenticate_basic_user. */
export async function authenticateBasicUser(r: RequestRecord): Promise<Outcome> {
  const type = authType(r);
  if (type === undefined || type.toLowerCase() !== 'basic') return DECLINED;
  if (authName(r) === undefined) {
    r.logError('error', 'auth_basic', 'AH01615', `need AuthName: ${r.uri}`);
    return 500;
  }
  r.authType = type;
  const sent = getBasicAuth(r);
  if (sent === undefined) return 401;
  const conf = r.dirConf(authBasicModule);
  const names = conf.providers ?? [DEFAULT_PROVIDER];
  let result: AuthnStatus = 'userNotFound';
  for (const name of names) {
    const p = providerFor(r, name);
    if (p === undefined) {
      // Only the implicit default can be missing: named ones were checked at startup.
      r.logError('error', 'auth_basic', 'AH01616', 'No Authn provider configured');
      result = 'generalError';
      break;
    }
    r.notes.set('authn_provider_name', name);
    result = await ask(r, p, sent.user, sent.password, conf.digestMd5 === true);
    r.notes.delete('authn_provider_name');
    if (result !== 'userNotFound') break;
  }
  if (result === 'granted') return OK;
  if (conf.authoritative === false && result !== 'denied') return DECLINED;
  if (result === 'generalError') return 500; // the provider logged why
  if (result === 'denied') {
    r.logError(
      'error',
      'auth_basic',
      'AH01617',
      `user ${sent.user}: authentication failure for "${r.uri}": Password Mismatch`,
    );
  } else {
    r.logError('error', 'auth_basic', 'AH01618', `user ${sent.user} not found: ${r.uri}`);
  }
  noteBasicAuthFailure(r);
  return 401;
}
