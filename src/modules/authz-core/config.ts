// httpd: modules/aaa/mod_authz_core.c (authz_cmds, add_authz_provider, add_authz_section,
//        authz_merge_sections, create/merge_authz_core_dir_config,
//        authz_core_check_section).
//
// `Require [not] provider args…` lines and <RequireAll>/<RequireAny>/<RequireNone>
// sections form a tree under an implicit <RequireAny> per context. Providers are looked up
// by name at config time among the loaded modules (httpd: "Unknown Authz provider"); their
// arguments, and what their parse() kept, go with the line. AuthMerging And/Or combines a
// context's tree with the enclosing one's, as merge_authz_core_dir_config does.

import { getwordConf } from '../../util/getword.js';
import { Ctx, type AnyDirective, type Cmd, type DirectiveBuilder } from '../../config/directive.js';
import type { Origin } from '../../config/ir.js';
import type { MergeSpec } from '../../config/merge.js';
import type { MethodLimit } from '../../config/method-limit.js';

export interface RequireEntry {
  readonly kind?: 'line';
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

/** <RequireAll> (and), <RequireAny> (or), <RequireNone> (negated or), or an AuthMerging join. */
export interface RequireSection {
  readonly kind: 'section';
  readonly op: 'and' | 'or';
  readonly negate: boolean;
  /** Made by AuthMerging, not written (logged as "AuthMerging And"). */
  readonly merged?: true;
  readonly children: readonly AuthzNode[];
}

export type AuthzNode = RequireEntry | RequireSection;

/** A context's authorization: the implicit <RequireAny>'s children and its AuthMerging. */
export interface AuthzConf {
  /** undefined: no Require here (only AuthMerging). */
  readonly nodes: readonly AuthzNode[] | undefined;
  readonly merging: 'off' | 'and' | 'or' | undefined;
}

export interface AuthzCoreDirConf {
  authz: AuthzConf | undefined;
  /** AuthzSendForbiddenOnFailure: 403 instead of 401 when an authenticated user is refused. */
  forbiddenOnFail: boolean | undefined;
}

/** The implicit <RequireAny> around a list (create_default_section). */
export const anySection = (children: readonly AuthzNode[]): RequireSection => ({
  kind: 'section',
  op: 'or',
  negate: false,
  children,
});

/** merge_authz_core_dir_config. */
export function mergeAuthz(
  base: AuthzConf | undefined,
  over: AuthzConf | undefined,
): AuthzConf | undefined {
  if (over === undefined) return base;
  const op = over.merging;
  if (op === undefined && over.nodes === undefined && base?.nodes !== undefined) return base;
  if (op === 'off' || op === undefined || (base?.nodes === undefined && over.nodes === undefined))
    return over;
  let nodes: readonly AuthzNode[] | undefined;
  if (base?.nodes === undefined) nodes = over.nodes;
  else if (over.nodes === undefined) nodes = base.nodes;
  else
    nodes = [
      {
        kind: 'section',
        op,
        negate: false,
        merged: true,
        children: [anySection(base.nodes), anySection(over.nodes)],
      },
    ];
  return { nodes, merging: op };
}

export const authzCoreDirMerge: MergeSpec<AuthzCoreDirConf> = {
  authz: mergeAuthz,
  forbiddenOnFail: 'override',
};
export const createAuthzCoreDir = (): AuthzCoreDirConf => ({
  authz: undefined,
  forbiddenOnFail: undefined,
});

/** The section a Require line or nested section is added to while building. */
interface OpenSection {
  readonly op: 'and' | 'or';
  readonly negate: boolean;
  readonly name: string;
  readonly children: AuthzNode[];
}

/** format_authz_command for a section. */
const sectionName = (op: 'and' | 'or', negate: boolean): string =>
  `<Require${op === 'and' ? (negate ? 'NotAll' : 'All') : negate ? 'None' : 'Any'}>`;

type C = Cmd<undefined, AuthzCoreDirConf>;

/** Add a node to the innermost open section, or to the context's implicit <RequireAny>. */
function addNode(c: C, node: AuthzNode, negate: boolean, what: string): void {
  const open = c.enclosing as OpenSection | undefined;
  const op = open?.op ?? 'or';
  if (negate && op === 'or')
    throw c.fail(
      `${what} has no effect in ${open === undefined ? '<RequireAny>' : sectionName(op, open.negate)} directive`,
    );
  if (open !== undefined) {
    open.children.push(node);
    return;
  }
  const cur = c.dir.authz;
  c.dir.authz = { nodes: [...(cur?.nodes ?? []), node], merging: cur?.merging };
}

/** authz_core_check_section: a section needs one line that is not negated. */
function onlyNegative(children: readonly AuthzNode[]): boolean {
  return children.every((ch) => ch.negate);
}

function addSection(c: C, walk: (enclosing: unknown) => void, name: string): void {
  const raw = c.node.rawArgs;
  const end = raw.lastIndexOf('>');
  if (end < 0) throw c.fail(`<${name}> directive missing closing '>'`);
  if (raw.slice(0, end).trim() !== '')
    throw c.fail(`<${name}> directive doesn't take additional arguments`);
  const l = name.toLowerCase();
  const op = l === 'requireall' || l === 'requirenotall' ? 'and' : 'or';
  const negate = l === 'requirenone' || l === 'requirenotall';
  const open: OpenSection = { op, negate, name, children: [] };
  walk(open);
  if (open.children.length === 0)
    throw c.fail(`${sectionName(op, negate)} directive contains no authorization directives`);
  if (onlyNegative(open.children))
    throw c.fail(
      `AH01624: ${sectionName(op, negate)} directive contains only negative authorization directives`,
    );
  const parentOp = (c.enclosing as OpenSection | undefined)?.op ?? 'or';
  const section: RequireSection = { kind: 'section', op, negate, children: open.children };
  // "be associative": an un-negated section of the enclosing op joins it flat.
  if (!negate && op === parentOp) {
    for (const ch of open.children) addNode(c, ch, false, '');
    return;
  }
  addNode(c, section, negate, `${sectionName(op, negate)} directive`);
}

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
        // require_line: the raw text after `[not] provider` (ap_getword_conf twice).
        let line = getwordConf(c.node.rawArgs)[1];
        if (negate) line = getwordConf(line)[1];
        const p = provider.parse?.(args, line.trim());
        if (p !== undefined && 'error' in p) throw c.fail(p.error);
        const entry: RequireEntry = {
          provider: name,
          args,
          ...(p === undefined ? {} : { parsed: p.parsed }),
          negate,
          origin: { file: c.node.file, line: c.node.line },
          ...(c.limited === undefined ? {} : { limit: c.limited }),
        };
        addNode(c, entry, negate, 'negative Require directive');
      },
    ),
    ...['RequireAll', 'RequireAny', 'RequireNone', 'RequireNotAll'].map((name) =>
      d.section(
        name,
        Ctx.OR_AUTHCFG,
        'container for grouping authorization directives',
        (c, walk) => addSection(c, walk, name),
      ),
    ),
    d.take1(
      'AuthMerging',
      Ctx.OR_AUTHCFG,
      "controls how a <Directory>, <Location>, or similar directive's authorization directives are combined with those of its predecessor",
      (c, v) => {
        const t = v.toLowerCase();
        if (t !== 'off' && t !== 'and' && t !== 'or')
          throw c.fail('AuthMerging must be one of: Off | And | Or');
        c.dir.authz = { nodes: c.dir.authz?.nodes, merging: t };
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
