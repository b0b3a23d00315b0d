// httpd: modules/aaa/mod_auth_basic.c (auth_basic_cmds, add_authn_provider,
//        set_use_digest_algorithm, add_basic_fake, create/merge_auth_basic_dir_config).

import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import type { Expr } from '../../expr/ast.js';
import { tryParseExpr } from '../../expr/parse.js';

export interface AuthBasicDirConf {
  /** AuthBasicProvider names in order; undefined = the default, `file`. */
  providers: readonly string[] | undefined;
  /** AuthBasicAuthoritative (default On). */
  authoritative: boolean | undefined;
  /** AuthBasicUseDigestAlgorithm MD5: check `MD5(user:realm:password)` against htdigest hashes. */
  digestMd5: boolean | undefined;
  /** AuthBasicFake's user and password expressions; null = `off`; undefined = not set here. */
  fake: { readonly user: Expr; readonly pass: Expr } | null | undefined;
}

export const authBasicDirMerge: MergeSpec<AuthBasicDirConf> = {
  providers: 'override',
  authoritative: 'override',
  digestMd5: 'override',
  fake: 'override',
};

const createAuthBasicDir = (): AuthBasicDirConf => ({
  providers: undefined,
  authoritative: undefined,
  digestMd5: undefined,
  fake: undefined,
});

/** mod_auth_basic's directive table. */
export function authBasicDirectives(
  d: DirectiveBuilder<undefined, AuthBasicDirConf>,
): AnyDirective<undefined, AuthBasicDirConf>[] {
  return [
    d.iterate(
      'AuthBasicProvider',
      Ctx.OR_AUTHCFG,
      'specify the auth providers for a directory or location',
      (c, name) => {
        const p = c.authnProvider?.(name);
        if (p === undefined) throw c.fail(`Unknown Authn provider: ${name}`);
        c.dir.providers = [...(c.dir.providers ?? []), name];
      },
    ),
    d.flag(
      'AuthBasicAuthoritative',
      Ctx.OR_AUTHCFG,
      "Set to 'Off' to allow access control to be passed along to lower modules if the UserID is not known to this module",
      (c, on) => {
        c.dir.authoritative = on;
      },
    ),
    d.take12(
      'AuthBasicFake',
      Ctx.OR_AUTHCFG,
      "Fake basic authentication using the given expressions for username and password, 'off' to disable. Password defaults to 'password' if missing.",
      (c, user, pass) => {
        if (user.toLowerCase() === 'off') {
          c.dir.fake = null;
          return;
        }
        // Without a password expression, the fixed string "password" (as mod_ssl's).
        const u = tryParseExpr(user, 'string');
        if ('error' in u)
          throw c.fail(`Could not parse fake username expression '${user}': ${u.error}`);
        const p = tryParseExpr(pass ?? 'password', 'string');
        if ('error' in p)
          throw c.fail(
            `Could not parse fake password expression associated to user '${user}': ${p.error}`,
          );
        c.dir.fake = { user: u.expr, pass: p.expr };
      },
    ),
    d.take1(
      'AuthBasicUseDigestAlgorithm',
      Ctx.OR_AUTHCFG,
      "Set to 'MD5' to use the auth provider's authentication check for digest auth, using a hash of 'user:realm:pass'",
      (c, alg) => {
        const a = alg.toLowerCase();
        if (a !== 'off' && a !== 'md5')
          throw c.fail(`Invalid algorithm in AuthBasicUseDigestAlgorithm: ${alg}`);
        c.dir.digestMd5 = a === 'md5';
      },
    ),
  ];
}

/** mod_auth_basic's config pieces, to spread into its ModuleDef. */
export const authBasicConfig = {
  dir: { create: createAuthBasicDir, merge: authBasicDirMerge },
  directives: authBasicDirectives,
} as const;
