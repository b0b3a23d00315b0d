// httpd: modules/aaa/mod_access_compat.c (access_compat_cmds: order, allow, deny, Satisfy;
// create_access_compat_dir_config; no merger).
//
// Apache 2.2's host-based access control, kept in 2.4 for old configs. mod_access_compat
// has no merge function, so httpd takes the innermost section that names one of its
// directives whole: here that is one `policy` value with an 'override' merge.
// Inside <Limit>/<LimitExcept> a line applies to those methods only (cmd->limited): each
// Allow/Deny entry keeps its methods, and Order/Satisfy are per method (the last line that
// covers the request's method decides).

import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { limitAllows, type MethodLimit } from '../../config/method-limit.js';
import { ipSubnetCreate, SUBNET_ERROR_TEXT, type Subnet } from '../../util/ipsubnet.js';

/** One `Allow from` / `Deny from` word (allowdeny). */
export type AllowDeny =
  | { readonly type: 'all' }
  | { readonly type: 'env' | 'nenv'; readonly name: string }
  | { readonly type: 'ip'; readonly subnet: Subnet }
  | { readonly type: 'host'; readonly domain: string };

export type Order = 'deny,allow' | 'allow,deny' | 'mutual-failure';

/** A value set by a line, with the methods it was limited to (undefined: all). */
export interface Limited<T> {
  readonly value: T;
  readonly limit?: MethodLimit;
}

/** The access policy of one section (access_compat_dir_conf). */
export interface AccessPolicy {
  /** Order lines in config order; the last covering the method wins, else deny,allow. */
  readonly order: readonly Limited<Order>[];
  readonly allows: readonly Limited<AllowDeny>[];
  readonly denys: readonly Limited<AllowDeny>[];
  /** Satisfy lines in config order; the last covering the method wins, else unset. */
  readonly satisfy: readonly Limited<'all' | 'any'>[];
}

/** A line's value with the methods it is limited to. */
const lined = <T>(limit: MethodLimit | undefined, value: T): Limited<T> =>
  limit === undefined ? { value } : { value, limit };

/** The value of the last line covering `method` (HEAD counts as GET). */
export function forMethod<T>(lines: readonly Limited<T>[], method: string): T | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (l !== undefined && limitAllows(l.limit, method)) return l.value;
  }
  return undefined;
}

export interface AccessCompatDirConf {
  /**
   * The policy of the innermost section that names one of the module's directives;
   * undefined where none does (nothing is checked). Set whole, never merged field by field.
   */
  policy: AccessPolicy | undefined;
}

const DEFAULT_POLICY: AccessPolicy = {
  order: [],
  allows: [],
  denys: [],
  satisfy: [],
};

export const createAccessCompatDir = (): AccessCompatDirConf => ({ policy: undefined });
/** No merger in httpd: a section's own config replaces the outer one. */
export const accessCompatDirMerge: MergeSpec<AccessCompatDirConf> = { policy: 'override' };

/** The section's policy with `change` applied (created from the defaults on first use). */
const update = (c: AccessCompatDirConf, change: Partial<AccessPolicy>): void => {
  c.policy = { ...(c.policy ?? DEFAULT_POLICY), ...change };
};

/** Parse one `from` word (allow_cmd). Returns the entry or httpd's error text. */
export function parseFrom(where: string): AllowDeny | string {
  const lw = where.toLowerCase();
  if (lw.startsWith('env=!')) return { type: 'nenv', name: where.slice(5) };
  if (lw.startsWith('env=')) return { type: 'env', name: where.slice(4) };
  if (lw === 'all') return { type: 'all' };
  const slash = where.indexOf('/');
  if (slash >= 0) {
    const net = ipSubnetCreate(where.slice(0, slash), where.slice(slash + 1));
    if (net === 'EINVAL') return 'An IP address was expected';
    if (typeof net === 'string') return SUBNET_ERROR_TEXT[net];
    return { type: 'ip', subnet: net };
  }
  const net = ipSubnetCreate(where);
  if (net !== 'EINVAL')
    return typeof net === 'string' ? SUBNET_ERROR_TEXT[net] : { type: 'ip', subnet: net };
  if (where.includes('#')) return 'No comments are allowed here';
  return { type: 'host', domain: where };
}

/** mod_access_compat's directive table (names as its command_rec spells them). */
export function accessCompatDirectives(
  d: DirectiveBuilder<undefined, AccessCompatDirConf>,
): AnyDirective<undefined, AccessCompatDirConf>[] {
  const fromWords = (kind: 'allows' | 'denys') => {
    return (c: Parameters<Parameters<typeof d.iterate2>[3]>[0], from: string, where: string) => {
      if (from.toLowerCase() !== 'from') throw c.fail("allow and deny must be followed by 'from'");
      const e = parseFrom(where);
      if (typeof e === 'string') throw c.fail(e);
      const line = lined(c.limited, e);
      update(c.dir, { [kind]: [...(c.dir.policy ?? DEFAULT_POLICY)[kind], line] });
    };
  };
  return [
    d.take1('order', Ctx.OR_LIMIT, "'allow,deny', 'deny,allow', or 'mutual-failure'", (c, v) => {
      const o = v.toLowerCase();
      if (o !== 'allow,deny' && o !== 'deny,allow' && o !== 'mutual-failure')
        throw c.fail('unknown order');
      const line = lined<Order>(c.limited, o);
      update(c.dir, { order: [...(c.dir.policy ?? DEFAULT_POLICY).order, line] });
    }),
    d.iterate2(
      'allow',
      Ctx.OR_LIMIT,
      "'from' followed by hostnames or IP-address wildcards",
      fromWords('allows'),
    ),
    d.iterate2(
      'deny',
      Ctx.OR_LIMIT,
      "'from' followed by hostnames or IP-address wildcards",
      fromWords('denys'),
    ),
    d.take1(
      'Satisfy',
      Ctx.OR_AUTHCFG,
      "access policy if both allow and require used ('all' or 'any')",
      (c, v) => {
        const s = v.toLowerCase();
        if (s !== 'all' && s !== 'any') throw c.fail("Satisfy either 'any' or 'all'.");
        const line = lined<'all' | 'any'>(c.limited, s);
        update(c.dir, { satisfy: [...(c.dir.policy ?? DEFAULT_POLICY).satisfy, line] });
      },
    ),
  ];
}

/** mod_access_compat's config pieces, to spread into its ModuleDef. */
export const accessCompatConfig = {
  dir: { create: createAccessCompatDir, merge: accessCompatDirMerge },
  directives: accessCompatDirectives,
} as const;
