// httpd: modules/aaa/mod_authn_core.c (authn_cmds, set_authtype, set_authname,
//        create/merge_authn_core_dir_config).
//
// `AuthType` and `AuthName`. Both are ap_expr strings in httpd: a value with `%{…}` is
// parsed as a string expression (src/expr) and evaluated per request; others stay text.

import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import type { Expr } from '../../expr/ast.js';
import { tryParseExpr } from '../../expr/parse.js';

export interface AuthnCoreDirConf {
  /**
   * AuthType as written, or its string expression; '' = `AuthType None` (set, but no
   * type). Undefined = not set here.
   */
  authType: string | Expr | undefined;
  /** AuthName (the realm) or its string expression, undefined if not set. */
  authName: string | Expr | undefined;
}

export const authnCoreDirMerge: MergeSpec<AuthnCoreDirConf> = {
  authType: 'override',
  authName: 'override',
};

const createAuthnCoreDir = (): AuthnCoreDirConf => ({ authType: undefined, authName: undefined });

/** ap_expr_parse_cmd in string mode; a value without `%{` is kept as plain text. */
function literal(value: string, directive: string): string | Expr | { error: string } {
  if (!value.includes('%{')) return value;
  const p = tryParseExpr(value, 'string');
  if ('error' in p)
    return { error: `Cannot parse expression '${value}' in ${directive}: ${p.error}` };
  return p.expr;
}

/** mod_authn_core's directive table. */
export function authnCoreDirectives(
  d: DirectiveBuilder<undefined, AuthnCoreDirConf>,
): AnyDirective<undefined, AuthnCoreDirConf>[] {
  return [
    d.take1('AuthType', Ctx.OR_AUTHCFG, 'an HTTP authorization type (e.g., "Basic")', (c, v) => {
      const t = literal(v, 'AuthType');
      if (typeof t !== 'string' && 'error' in t) throw c.fail(t.error);
      c.dir.authType = typeof t === 'string' && t.toLowerCase() === 'none' ? '' : t;
    }),
    d.take1(
      'AuthName',
      Ctx.OR_AUTHCFG,
      'the authentication realm (e.g. "Members Only")',
      (c, v) => {
        const t = literal(v, 'AuthName');
        if (typeof t !== 'string' && 'error' in t) throw c.fail(t.error);
        c.dir.authName = t;
      },
    ),
  ];
}

/** mod_authn_core's config pieces, to spread into its ModuleDef. */
export const authnCoreConfig = {
  dir: { create: createAuthnCoreDir, merge: authnCoreDirMerge },
  directives: authnCoreDirectives,
} as const;
