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
import type { AuthzCoreDirConf, AuthzNode, RequireSection } from './config.js';

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

/**
 * apply_authz_sections. Synchronous while the providers are (all, env, method, user,
 * ip, …): a promise is made only once a provider returns one (host, group files), so the
 * usual `Require all granted` costs no promise or microtask turn per request.
 */
function apply(
  r: RequestRecord,
  node: AuthzNode,
  parentOp: 'and' | 'or',
): AuthzStatus | Promise<AuthzStatus> {
  if (!applies(node, r.method)) return parentOp === 'and' ? 'granted' : 'neutral';
  if (node.kind === 'section') return applySection(r, node, 0, 'neutral');
  const p = providerFor(r, node.provider);
  if (p === undefined) return 'generalError'; // the config was built with it: cannot happen
  const v = p.check(r, node.args, node.parsed);
  return typeof v === 'string' ? negated(node, v) : v.then((x) => negated(node, x));
}

/** A section's children from `from` on, `result` being what the earlier ones gave. */
function applySection(
  r: RequestRecord,
  node: RequireSection,
  from: number,
  result: AuthzStatus,
): AuthzStatus | Promise<AuthzStatus> {
  for (let i = from; i < node.children.length; i++) {
    const c = apply(r, node.children[i] as AuthzNode, node.op);
    if (typeof c !== 'string') {
      return c.then((cv) =>
        cv === 'generalError'
          ? cv
          : stops(node, cv)
            ? negated(node, cv)
            : applySection(r, node, i + 1, folded(node, result, cv)),
      );
    }
    if (c === 'generalError') return c;
    if (stops(node, c)) return negated(node, c);
    result = folded(node, result, c);
  }
  return negated(node, result);
}

/** A child's answer that decides its section: denied under AND, granted under OR. */
function stops(node: RequireSection, c: AuthzStatus): boolean {
  return node.op === 'and' ? c === 'denied' : c === 'granted';
}

/** The section's result so far after a child answered `c` (which did not decide it). */
function folded(node: RequireSection, result: AuthzStatus, c: AuthzStatus): AuthzStatus {
  if (c === 'neutral') return result;
  if (node.op === 'and')
    return (c === 'deniedNoUser' && result !== 'denied') || result === 'neutral' ? c : result;
  return (c === 'deniedNoUser' && result === 'denied') || result === 'neutral' ? c : result;
}

/** <RequireNone> / `Require not`: granted becomes denied, a denial becomes neutral. */
function negated(node: AuthzNode, result: AuthzStatus): AuthzStatus {
  if (!node.negate) return result;
  if (result === 'granted') return 'denied';
  if (result === 'denied' || result === 'deniedNoUser') return 'neutral';
  return result;
}

/** The implicit <RequireAny> of each Require list, made once per list. */
const implicitAny = new WeakMap<readonly AuthzNode[], RequireSection>();

/** The context's implicit <RequireAny> under the top-level AND. */
export function evaluate(
  r: RequestRecord,
  nodes: readonly AuthzNode[],
): AuthzStatus | Promise<AuthzStatus> {
  let any = implicitAny.get(nodes);
  if (any === undefined) {
    any = anySection(nodes);
    implicitAny.set(nodes, any);
  }
  return apply(r, any, 'and');
}

/** authorize_user_core. */
function authorizeUserCore(
  mod: ModuleDef<undefined, AuthzCoreDirConf>,
  r: RequestRecord,
  afterAuthn: boolean,
): Outcome | Promise<Outcome> {
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
  const res = evaluate(r, req);
  return typeof res === 'string'
    ? decide(r, conf, res, afterAuthn)
    : res.then((v) => decide(r, conf, v, afterAuthn));
}

/** authorize_user_core's answer for the evaluated Require lines. */
function decide(
  r: RequestRecord,
  conf: AuthzCoreDirConf,
  res: AuthzStatus,
  afterAuthn: boolean,
): Outcome {
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
): (r: RequestRecord) => Outcome | Promise<Outcome> {
  return (r) => authorizeUserCore(mod, r, false);
}

/** authorize_user (auth_checker, FIRST): after authentication set r.user. */
export function makeAuthorizeUser(
  mod: ModuleDef<undefined, AuthzCoreDirConf>,
): (r: RequestRecord) => Outcome | Promise<Outcome> {
  return (r) => authorizeUserCore(mod, r, true);
}
