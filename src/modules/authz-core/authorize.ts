// httpd: modules/aaa/mod_authz_core.c (authorize_user_core: authorize_userless =
// access_checker_ex, authorize_user = auth_checker; apply_authz_sections; the all, env,
// method and expr providers).
//
// The Require lines of a context are an implicit <RequireAny>: one granted line grants; a
// line that needs a user (AUTHZ_DENIED_NO_USER) asks for authentication; otherwise access
// is denied (AH01630), or, once a user is known, refused with 401 and a new challenge
// (AH01631). Each line is checked by the provider a loaded module registered for its name.

import type { Expr } from '../../expr/ast.js';
import { usesVar } from '../../expr/ast.js';
import { tryParseExpr } from '../../expr/parse.js';
import { ExprEvalError, execBool } from '../../expr/eval.js';
import { exprRequest } from '../../expr/request.js';
import { limitAllows } from '../../config/method-limit.js';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { authType, noteAuthFailure } from '../authn-core/index.js';
import type { AuthzProvider, AuthzStatus, ModuleDef } from '../module.js';
import { anySection } from './config.js';
import type { AuthzCoreDirConf, AuthzNode } from './config.js';

/** The providers mod_authz_core registers itself. */
export const CORE_AUTHZ_PROVIDERS: Readonly<Record<string, AuthzProvider>> = {
  all: {
    parse: (words) => {
      const a = words.join(' ').toLowerCase();
      return a === 'granted' || a === 'denied'
        ? { parsed: a === 'granted' }
        : { error: "Argument for 'Require all' must be 'granted' or 'denied'" };
    },
    check: (_r, _words, parsed) => (parsed === true ? 'granted' : 'denied'),
  },
  env: { check: (r, words) => (words.some((v) => r.env.has(v)) ? 'granted' : 'denied') },
  method: {
    check: (r, words) => (words.some((m) => m.toUpperCase() === r.method) ? 'granted' : 'denied'),
  },
  expr: {
    // expr_parse_config: the raw line, surrounding double quotes dropped.
    parse: (_words, line) => {
      const text =
        line.length >= 2 && line.startsWith('"') && line.endsWith('"') ? line.slice(1, -1) : line;
      const p = tryParseExpr(text);
      if ('error' in p) return { error: `Cannot parse expression in require line: ${p.error}` };
      return { parsed: { expr: p.expr, wantUser: usesVar(p.expr, 'REMOTE_USER') } };
    },
    check: (r, _words, parsed) => {
      const info = parsed as { expr: Expr; wantUser: boolean };
      const vary: string[] = [];
      let ok: boolean;
      try {
        ok = execBool(info.expr, exprRequest(r), vary);
      } catch (e) {
        if (!(e instanceof ExprEvalError)) throw e;
        r.logError(
          'error',
          'authz_core',
          'AH02320',
          `Error evaluating expression in 'Require expr': ${e.message}`,
        );
        return 'generalError';
      } finally {
        if (vary.length > 0) {
          const prev = r.res.getHeader('Vary');
          const add = vary.join(', ');
          r.res.setHeader('Vary', prev === undefined ? add : `${String(prev)}, ${add}`);
        }
      }
      return ok ? 'granted' : info.wantUser ? 'deniedNoUser' : 'denied';
    },
  },
};

/** The provider registered under `name` by a loaded module. */
function providerFor(r: RequestRecord, name: string): AuthzProvider | undefined {
  for (const m of r.generation.runtime.modules) {
    const table = m.authzProviders;
    if (table !== undefined && Object.hasOwn(table, name)) return table[name];
  }
  return undefined;
}

/** Does a node apply to this method (section->limited, the union of its lines' limits)? */
function applies(node: AuthzNode, method: string): boolean {
  return node.kind === 'section'
    ? node.children.some((ch) => applies(ch, method))
    : limitAllows(node.limit, method);
}

/** apply_authz_sections. */
async function apply(
  r: RequestRecord,
  node: AuthzNode,
  parentOp: 'and' | 'or',
): Promise<AuthzStatus> {
  if (!applies(node, r.method)) return parentOp === 'and' ? 'granted' : 'neutral';
  let result: AuthzStatus;
  if (node.kind !== 'section') {
    const p = providerFor(r, node.provider);
    if (p === undefined) return 'generalError'; // the config was built with it: cannot happen
    result = await p.check(r, node.args, node.parsed);
  } else {
    result = 'neutral';
    for (const child of node.children) {
      const c = await apply(r, child, node.op);
      if (c === 'generalError') return c;
      if (c === 'neutral') continue;
      if (node.op === 'and') {
        if (c === 'denied') {
          result = c;
          break;
        }
        if ((c === 'deniedNoUser' && result !== 'denied') || result === 'neutral') result = c;
      } else {
        if (c === 'granted') {
          result = c;
          break;
        }
        if ((c === 'deniedNoUser' && result === 'denied') || result === 'neutral') result = c;
      }
    }
  }
  if (node.negate) {
    if (result === 'granted') result = 'denied';
    else if (result === 'denied' || result === 'deniedNoUser') result = 'neutral';
  }
  return result;
}

/** The context's implicit <RequireAny> under the top-level AND. */
export function evaluate(r: RequestRecord, nodes: readonly AuthzNode[]): Promise<AuthzStatus> {
  return apply(r, anySection(nodes), 'and');
}

/** authorize_user_core. */
async function authorizeUserCore(
  mod: ModuleDef<undefined, AuthzCoreDirConf>,
  r: RequestRecord,
  afterAuthn: boolean,
): Promise<Outcome> {
  const conf = r.dirConf(mod);
  const req = conf.authz?.nodes;
  if (req === undefined || req.length === 0) {
    if (authType(r) !== undefined) {
      r.logError(
        'error',
        'authz_core',
        'AH01627',
        'AuthType configured with no corresponding authorization directives',
      );
      return 500;
    }
    return OK; // granted (no directives)
  }
  const res = await evaluate(r, req);
  if (res === 'granted') return OK;
  if (res === 'deniedNoUser') {
    if (!afterAuthn) return DECLINED; // a user is needed: authenticate first
    r.logError(
      'error',
      'authz_core',
      'AH01629',
      `authorization failure (no authenticated user): ${r.uri}`,
    );
    if (r.user !== undefined) noteAuthFailure(r);
    return 401;
  }
  if (res === 'generalError') return 500; // the provider logged why
  if (!afterAuthn || authType(r) === undefined) {
    const what = r.filename === undefined ? `uri ${r.uri}` : r.filename;
    r.logError('error', 'authz_core', 'AH01630', `client denied by server configuration: ${what}`);
    return 403;
  }
  r.logError(
    'error',
    'authz_core',
    'AH01631',
    `user ${r.user ?? '(null)'}: authorization failure for "${r.uri}": `,
  );
  if (conf.forbiddenOnFail === true) return 403;
  if (r.user !== undefined) noteAuthFailure(r);
  return 401;
}

/** authorize_userless (access_checker_ex, FIRST). */
export function makeAuthorizeUserless(
  mod: ModuleDef<undefined, AuthzCoreDirConf>,
): (r: RequestRecord) => Promise<Outcome> {
  return (r) => authorizeUserCore(mod, r, false);
}

/** authorize_user (auth_checker, FIRST): after authentication set r.user. */
export function makeAuthorizeUser(
  mod: ModuleDef<undefined, AuthzCoreDirConf>,
): (r: RequestRecord) => Promise<Outcome> {
  return (r) => authorizeUserCore(mod, r, true);
}
