// httpd: modules/aaa/mod_authz_core.c (authz_cmds, add_authz_provider, all_parse_config,
//        create/merge_authz_core_dir_config).
//
// `Require [not] provider args…` lines. The providers are checked by name at config time
// (httpd: "Unknown Authz provider"); their arguments are kept for the request-time code.
// <RequireAll>/<RequireAny>/<RequireNone> are not implemented.

import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { Origin } from '../../config/ir.js';
import type { MergeSpec } from '../../config/merge.js';
import type { MethodLimit } from '../../config/method-limit.js';

export interface RequireEntry {
  /** The provider's name as written (`ip`, `valid-user`), registered by a loaded module. */
  readonly provider: string;
  /** The argument words after the provider name. */
  readonly args: readonly string[];
  /** What the provider's parse() kept (e.g. `Require ip`'s subnets). */
  readonly parsed?: unknown;
  readonly negate: boolean;
  readonly origin: Origin;
  /** Written inside <Limit>/<LimitExcept>: the methods it applies to (section->limited). */
  readonly limit?: MethodLimit;
}

export interface AuthzCoreDirConf {
  /** Require lines of this context (implicitly RequireAny), undefined if none. */
  requires: readonly RequireEntry[] | undefined;
  /** AuthMerging: how this context combines with the enclosing one. */
  merging: 'off' | 'and' | 'or' | undefined;
  /** AuthzSendForbiddenOnFailure: 403 instead of 401 when an authenticated user is refused. */
  forbiddenOnFail: boolean | undefined;
}

/** With AuthMerging Off (the default) the inner Require lines replace the outer ones. */
function mergeRequires(
  base: readonly RequireEntry[] | undefined,
  over: readonly RequireEntry[] | undefined,
): readonly RequireEntry[] | undefined {
  return over ?? base;
}

export const authzCoreDirMerge: MergeSpec<AuthzCoreDirConf> = {
  requires: mergeRequires,
  merging: 'override',
  forbiddenOnFail: 'override',
};
export const createAuthzCoreDir = (): AuthzCoreDirConf => ({
  requires: undefined,
  merging: undefined,
  forbiddenOnFail: undefined,
});

/** mod_authz_core's directive table. */
export function authzCoreDirectives(
  d: DirectiveBuilder<undefined, AuthzCoreDirConf>,
): AnyDirective<undefined, AuthzCoreDirConf>[] {
  return [
    d.takeArgv(
      'Require',
      Ctx.OR_AUTHCFG,
      'specifies authorization directives which one must pass (or not) for a request to suceeed',
      (c, words) => {
        let rest = [...words];
        let negate = false;
        if (rest[0]?.toLowerCase() === 'not') {
          negate = true;
          rest = rest.slice(1);
        }
        // httpd looks the name up as written: provider names are case-sensitive.
        const name = rest[0] ?? '';
        const provider = c.authzProvider?.(name);
        if (provider === undefined) throw c.fail(`Unknown Authz provider: ${name}`);
        const args = rest.slice(1);
        const p = provider.parse?.(args);
        if (p !== undefined && 'error' in p) throw c.fail(p.error);
        // Outside <RequireAll>/<RequireNone> (not implemented) every Require sits in the
        // implicit <RequireAny>, where httpd rejects negation.
        if (negate)
          throw c.fail('negative Require directive has no effect in <RequireAny> directive');
        const entry: RequireEntry = {
          provider: name,
          args,
          ...(p === undefined ? {} : { parsed: p.parsed }),
          negate,
          origin: { file: c.node.file, line: c.node.line },
          ...(c.limited === undefined ? {} : { limit: c.limited }),
        };
        c.dir.requires = [...(c.dir.requires ?? []), entry];
      },
    ),
    d.take1(
      'AuthMerging',
      Ctx.OR_AUTHCFG,
      "controls how a <Directory>, <Location>, or similar directive's authorization directives are combined with those of its predecessor",
      (c, v) => {
        const t = v.toLowerCase();
        if (t !== 'off' && t !== 'and' && t !== 'or')
          throw c.fail("Argument for AuthMerging must be 'Off', 'And', or 'Or'");
        c.dir.merging = t;
      },
    ),
    d.flag(
      'AuthzSendForbiddenOnFailure',
      Ctx.OR_AUTHCFG,
      "Controls if an authorization failure should result in a '403 FORBIDDEN' response instead of the HTTP-conforming '401 UNAUTHORIZED'",
      (c, on) => {
        c.dir.forbiddenOnFail = on;
      },
    ),
  ];
}

/** mod_authz_core's config pieces, to spread into its ModuleDef. */
export const authzCoreConfig = {
  dir: { create: createAuthzCoreDir, merge: authzCoreDirMerge },
  directives: authzCoreDirectives,
} as const;
