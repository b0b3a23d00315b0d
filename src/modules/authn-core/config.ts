// httpd: modules/aaa/mod_authn_core.c (authn_cmds, set_authtype, set_authname,
//        create/merge_authn_core_dir_config).
//
// `AuthType` and `AuthName`. Both are ap_expr strings in httpd; tswsgi takes them as
// literal text and refuses one that uses an expression (`%{…}`), which it cannot evaluate.

import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';

export interface AuthnCoreDirConf {
  /** AuthType as written; '' = `AuthType None` (set, but no type). Undefined = not set here. */
  authType: string | undefined;
  /** AuthName (the realm), undefined if not set. */
  authName: string | undefined;
}

export const authnCoreDirMerge: MergeSpec<AuthnCoreDirConf> = {
  authType: 'override',
  authName: 'override',
};

const createAuthnCoreDir = (): AuthnCoreDirConf => ({ authType: undefined, authName: undefined });

/** ap_expr_parse_cmd in string mode, for the literal strings tswsgi supports. */
function literal(value: string, directive: string): string | { error: string } {
  if (value.includes('%{')) {
    return {
      error: `Cannot parse expression '${value}' in ${directive}: tswsgi does not evaluate ap_expr variables (%{...}) here`,
    };
  }
  return value;
}

/** mod_authn_core's directive table. */
export function authnCoreDirectives(
  d: DirectiveBuilder<undefined, AuthnCoreDirConf>,
): AnyDirective<undefined, AuthnCoreDirConf>[] {
  return [
    d.take1('AuthType', Ctx.OR_AUTHCFG, 'an HTTP authorization type (e.g., "Basic")', (c, v) => {
      const t = literal(v, 'AuthType');
      if (typeof t !== 'string') throw c.fail(t.error);
      c.dir.authType = t.toLowerCase() === 'none' ? '' : t;
    }),
    d.take1(
      'AuthName',
      Ctx.OR_AUTHCFG,
      'the authentication realm (e.g. "Members Only")',
      (c, v) => {
        const t = literal(v, 'AuthName');
        if (typeof t !== 'string') throw c.fail(t.error);
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
