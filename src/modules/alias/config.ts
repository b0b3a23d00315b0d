// httpd: modules/mappers/mod_alias.c (alias_cmds, add_alias_internal, create/merge_alias_config,
//        create/merge_alias_dir_config).
//
// Alias / AliasMatch / ScriptAlias / ScriptAliasMatch. Server-level entries keep config
// order; merging puts the vhost's entries first (apr_array_append(overrides, base)), so the
// innermost definition wins. Inside <Location>, the one-argument form sets the per-dir
// target (httpd 2.4.13+).

import {
  ACCESS_CONF,
  RSRC_CONF,
  type AnyDirective,
  type Cmd,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { Origin } from '../../config/ir.js';
import type { MergeSpec } from '../../config/merge.js';
import { redirectDirectives } from './redirect.js';

export interface AliasEntry {
  /** The URL-path (or regex source for the Match forms). */
  readonly fake: string;
  /** The file-system target (may hold $1… for the Match forms). */
  readonly real: string;
  readonly regex: boolean;
  /** ScriptAlias: the target is handled by `cgi-script`. */
  readonly script: boolean;
  readonly origin: Origin;
}

/** One Redirect / RedirectMatch (an alias_entry with redir_status). */
export interface RedirectEntry {
  /** The URL-path (or regex source for RedirectMatch). */
  readonly fake: string;
  /** The target URL (may hold $1… for RedirectMatch); undefined for a non-3xx status. */
  readonly real: string | undefined;
  readonly regex: boolean;
  readonly status: number;
  readonly origin: Origin;
}

export interface AliasServerConf {
  aliases: readonly AliasEntry[];
  redirects: readonly RedirectEntry[];
}

export interface AliasDirConf {
  /** `Alias /target` inside <Location>: the path for this location. */
  alias: string | undefined;
  /** True when it came from ScriptAlias. */
  aliasIsScript: boolean | undefined;
  /** Redirects in <Directory>/<Location>/.htaccess (fixup_redir). */
  redirects: readonly RedirectEntry[] | undefined;
  /** `Redirect [status] URL` inside <Location>: the whole location redirects. */
  redirect: { readonly status: number; readonly url: string | undefined } | undefined;
}

export const aliasServerMerge: MergeSpec<AliasServerConf> = {
  aliases: 'prepend',
  redirects: 'prepend',
};
export const aliasDirMerge: MergeSpec<AliasDirConf> = {
  alias: 'override',
  aliasIsScript: 'override',
  // merge_alias_dir_config: apr_array_append(overrides, base).
  redirects: (base, over) =>
    base === undefined ? over : over === undefined ? base : [...over, ...base],
  redirect: 'override',
};
export const createAliasServer = (): AliasServerConf => ({ aliases: [], redirects: [] });
export const createAliasDir = (): AliasDirConf => ({
  alias: undefined,
  aliasIsScript: undefined,
  redirects: undefined,
  redirect: undefined,
});

/** mod_alias's alias_matches: segment-wise prefix match, repeated slashes collapsed. */
export function aliasPrefixMatches(uri: string, alias: string): boolean {
  let u = 0;
  let a = 0;
  while (a < alias.length) {
    if (alias[a] === '/') {
      if (uri[u] !== '/') return false;
      while (alias[a] === '/') a++;
      while (uri[u] === '/') u++;
    } else {
      if (uri[u] !== alias[a]) return false;
      u++;
      a++;
    }
  }
  return alias.endsWith('/') || u === uri.length || uri[u] === '/';
}

type C = Cmd<AliasServerConf, AliasDirConf>;

function addAlias(
  c: C,
  name: string,
  fake: string,
  real: string | undefined,
  regex: boolean,
  script: boolean,
): void {
  if (c.context.kind === 'section') {
    if (real !== undefined || regex) throw c.fail(`${name} cannot occur within directory context`);
    c.dir.alias = fake;
    c.dir.aliasIsScript = script;
    return;
  }
  if (real === undefined) throw c.fail(`${name} must have two arguments when used globally`);
  if (!regex) {
    for (const prev of c.server.aliases) {
      if (!prev.regex && aliasPrefixMatches(fake, prev.fake)) {
        c.warn(
          `AH00671: The ${name} directive in ${c.node.file} at line ${c.node.line} will probably never match because it overlaps an earlier ${prev.script ? 'ScriptAlias' : 'Alias'}.`,
        );
        break;
      }
    }
  } else {
    try {
      new RegExp(fake);
    } catch {
      throw c.fail('Regular expression could not be compiled.');
    }
  }
  c.server.aliases = [
    ...c.server.aliases,
    { fake, real, regex, script, origin: { file: c.node.file, line: c.node.line } },
  ];
}

/** mod_alias's directive table: the Alias family, then the Redirect family (redirect.ts). */
export function aliasDirectives(
  d: DirectiveBuilder<AliasServerConf, AliasDirConf>,
): AnyDirective<AliasServerConf, AliasDirConf>[] {
  return [
    d.take12(
      'Alias',
      RSRC_CONF | ACCESS_CONF,
      'a fakename and a realname, or a realname in a Location',
      (c, a, b) => {
        addAlias(c, 'Alias', a, b, false, false);
      },
    ),
    d.take12('ScriptAlias', RSRC_CONF | ACCESS_CONF, '[fakename] realname', (c, a, b) => {
      addAlias(c, 'ScriptAlias', a, b, false, true);
    }),
    d.take2('AliasMatch', RSRC_CONF, 'a regular expression and a filename', (c, a, b) => {
      addAlias(c, 'AliasMatch', a, b, true, false);
    }),
    d.take2('ScriptAliasMatch', RSRC_CONF, 'a regular expression and a filename', (c, a, b) => {
      addAlias(c, 'ScriptAliasMatch', a, b, true, true);
    }),
    ...redirectDirectives(d),
  ];
}

/** mod_alias's config pieces, to spread into its ModuleDef. */
export const aliasConfig = {
  server: { create: createAliasServer, merge: aliasServerMerge },
  dir: { create: createAliasDir, merge: aliasDirMerge },
  directives: aliasDirectives,
} as const;
