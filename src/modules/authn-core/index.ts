// httpd: modules/aaa/mod_authn_core.c (authn_core_module: authenticate_no_user at
// check_authn LAST; the optional functions authn_ap_auth_type and authn_ap_auth_name),
// server/protocol.c (ap_note_auth_failure).
//
// The request's AuthType and AuthName, which the auth modules read (httpd's ap_auth_type
// and ap_auth_name), and the last authentication hook: with an AuthType that no loaded
// module answered, a 500 (AH01796).

import type { Expr } from '../../expr/ast.js';
import { ExprEvalError, execString } from '../../expr/eval.js';
import { exprRequest } from '../../expr/request.js';
import { OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import type { ModuleDef } from '../module.js';
import { authnCoreConfig } from './config.js';
import type { AuthnCoreDirConf } from './config.js';

/** mod_authn_core. */
export const authnCoreModule: ModuleDef<undefined, AuthnCoreDirConf> = {
  name: 'authn_core',
  ...authnCoreConfig,
  hooks: {
    checkUserId: { run: (r) => authenticateNoUser(r), order: 'last' },
  },
};

/** ap_auth_type: the AuthType in force, undefined if none (or `AuthType None`). */
export function authType(r: RequestRecord): string | undefined {
  const t = r.dirConf(authnCoreModule).authType;
  if (t === undefined || typeof t === 'string') return t === '' ? undefined : t;
  const v = evalString(r, t, 'AH02834', 'AuthType');
  return v === undefined || v.toLowerCase() === 'none' ? undefined : v;
}

/** ap_expr_str_exec for AuthType/AuthName; undefined (and an error logged) on failure. */
function evalString(r: RequestRecord, e: Expr, id: string, what: string): string | undefined {
  const vary: string[] = [];
  try {
    return execString(e, exprRequest(r), vary);
  } catch (err) {
    if (!(err instanceof ExprEvalError)) throw err;
    r.logError(
      'error',
      'authn_core',
      id,
      `${what} expression could not be evaluated: ${err.message}`,
    );
    return undefined;
  } finally {
    if (vary.length > 0) {
      const prev = r.res.getHeader('Vary');
      const add = vary.join(', ');
      r.res.setHeader('Vary', prev === undefined ? add : `${String(prev)}, ${add}`);
    }
  }
}

/**
 * ap_auth_name: the realm in force with its unescaped double quotes escaped
 * (ap_escape_quotes), ready to quote in a challenge; undefined if none.
 */
export function authName(r: RequestRecord): string | undefined {
  const conf = r.dirConf(authnCoreModule).authName;
  const name =
    conf === undefined || typeof conf === 'string'
      ? conf
      : evalString(r, conf, 'AH02835', 'AuthName');
  return name === undefined ? undefined : escapeQuotes(name);
}

/** ap_escape_quotes: `"` becomes `\"`; a character already escaped passes through. */
export function escapeQuotes(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      out += ch + (s[i + 1] ?? '');
      i++;
      continue;
    }
    out += ch === '"' ? '\\"' : ch;
  }
  return out;
}

/** ap_note_auth_failure: ask the module of the request's AuthType for its challenge. */
export function noteAuthFailure(r: RequestRecord): void {
  const type = authType(r);
  if (type === undefined) {
    r.logError('error', 'core', 'AH00571', `need AuthType to note auth failure: ${r.uri}`);
    return;
  }
  for (const m of r.generation.runtime.modules) if (m.noteAuthFailure?.(r, type) === true) return;
}

/** authenticate_no_user: no AuthType, nothing to do; an AuthType nobody handled is a 500. */
function authenticateNoUser(r: RequestRecord): Outcome {
  const type = authType(r);
  if (type === undefined) return OK;
  r.logError(
    'error',
    'authn_core',
    'AH01796',
    `AuthType ${type} configured without corresponding module`,
  );
  return 500;
}
