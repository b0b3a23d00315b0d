// httpd: modules/metadata/mod_setenvif.c (setenvif_module_cmds, add_setenvif_core,
//        add_envvars, non_regex_pattern, is_header_regex, merge_setenvif_config).
//
// SetEnvIf / SetEnvIfNoCase / BrowserMatch / BrowserMatchNoCase. Conditions written
// outside any section go to the server's list, run at post_read_request; those in
// sections and .htaccess to the per-dir list, run at header_parser. Lists append when
// configs merge. SetEnvIfExpr's condition is an ap_expr (src/expr), parsed at startup.

import { Ctx, type AnyDirective, type Cmd, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { getwordsConf } from '../../util/getword.js';
import type { Expr } from '../../expr/ast.js';
import { tryParseExpr } from '../../expr/parse.js';

/** What a condition tests besides a request header (httpd's `enum special`). */
export type Special =
  | 'remote_addr'
  | 'remote_host'
  | 'request_uri'
  | 'request_method'
  | 'request_protocol'
  | 'server_addr';

const SPECIALS: readonly Special[] = [
  'remote_addr',
  'remote_host',
  'request_uri',
  'request_method',
  'request_protocol',
  'server_addr',
];

/** One condition (sei_entry). */
export interface SeiEntry {
  /** The header-field name or special as written (BrowserMatch: `User-Agent`). */
  readonly name: string;
  readonly special: Special | undefined;
  /** A header name that is a regex (anything but `[-A-Za-z0-9_]`): its source. */
  readonly nameRegex: string | undefined;
  /** The regex as written. */
  readonly regex: string;
  readonly icase: boolean;
  /** A regex without metacharacters: the literal text to find (apr_strmatch). */
  readonly literal: string | undefined;
  /**
   * [variable, value] in order; value '!' unsets. A later feature for the same variable
   * replaces the value in place (apr_table_setn).
   */
  readonly features: [string, string][];
  /** SetEnvIfExpr: the condition (name and regex are then empty). */
  readonly expr?: Expr;
}

export interface SetenvifConf {
  conditionals: readonly SeiEntry[];
}

const merge: MergeSpec<SetenvifConf> = { conditionals: 'append' };
const create = (): SetenvifConf => ({ conditionals: [] });

/** non_regex_pattern: the literal text when `s` has no unescaped metacharacter. */
export function nonRegexPattern(s: string): string | undefined {
  let out = '';
  let inEscape = false;
  for (const ch of s) {
    if ('^.$|()[]*+?{}'.includes(ch)) {
      if (!inEscape) return undefined;
      inEscape = false;
      out += ch;
    } else if (ch === '\\') {
      if (inEscape) out += ch;
      inEscape = !inEscape;
    } else {
      if (inEscape) return undefined;
      out += ch;
    }
  }
  return out;
}

/** The words of a RAW_ARGS line, up to the first empty one (ap_getword_conf until ""). */
function words(raw: string): string[] {
  const all = getwordsConf(raw);
  const empty = all.indexOf('');
  return empty < 0 ? all : all.slice(0, empty);
}

type C = Cmd<SetenvifConf, SetenvifConf>;

/** add_setenvif_core + add_envvars. */
function addCondition(c: C, directive: string, name: string, rest: string[], icase: boolean): void {
  const [regex, ...features] = rest;
  if (regex === undefined || regex === '')
    throw c.fail(`Missing regular expression for ${directive}`);
  // cmd->path == NULL (outside sections): the server's list.
  const conf = c.context.kind === 'server' || c.context.kind === 'vhost' ? c.server : c.dir;
  const list = [...conf.conditionals];
  // A previous entry with the same name (any case) lends its spelling, as httpd shares it.
  const sameName = list.find((e) => e.name.toLowerCase() === name.toLowerCase())?.name ?? name;
  const last = list[list.length - 1];
  let entry: SeiEntry;
  if (
    last !== undefined &&
    last.expr === undefined &&
    last.name === sameName &&
    last.icase === icase &&
    last.regex === regex
  ) {
    entry = last;
  } else {
    const literal = nonRegexPattern(regex);
    if (literal === undefined) {
      try {
        new RegExp(regex, icase ? 'i' : '');
      } catch {
        throw c.fail(`${directive} regex could not be compiled.`);
      }
    }
    const special = SPECIALS.find((s) => s === sameName.toLowerCase());
    let nameRegex: string | undefined;
    if (special === undefined && !/^[-A-Za-z0-9_]*$/.test(sameName)) {
      try {
        new RegExp(sameName, icase ? 'i' : '');
      } catch {
        throw c.fail(`${directive}Header name regex could not be compiled.`);
      }
      nameRegex = sameName;
    }
    entry = { name: sameName, special, nameRegex, regex, icase, literal, features: [] };
    list.push(entry);
  }
  addEnvvars(c, directive, entry, features);
  conf.conditionals = list;
}

/** add_envvars: `var`, `var=value`, `!var`; a later one for the same variable replaces it. */
function addEnvvars(c: C, directive: string, entry: SeiEntry, features: readonly string[]): void {
  if (features.length === 0) throw c.fail(`Missing envariable expression for ${directive}`);
  const set = (name: string, value: string): void => {
    const at = entry.features.find((f) => f[0].toLowerCase() === name.toLowerCase());
    if (at === undefined) entry.features.push([name, value]);
    else at[1] = value;
  };
  for (const f of features) {
    const eq = f.indexOf('=');
    const v = eq < 0 ? f : f.slice(0, eq);
    const value = eq < 0 ? '' : f.slice(eq + 1);
    if (value !== '') set(v, value);
    else if (v.startsWith('!')) set(v.slice(1), '!');
    else set(v, '1');
  }
}

/** mod_setenvif's directive table. */
export function setenvifDirectives(
  d: DirectiveBuilder<SetenvifConf, SetenvifConf>,
): AnyDirective<SetenvifConf, SetenvifConf>[] {
  const setEnvIf =
    (icase: boolean, directive: string) =>
    (c: C, raw: string): void => {
      const [name, ...rest] = words(raw);
      if (name === undefined) throw c.fail(`Missing header-field name for ${directive}`);
      addCondition(c, directive, name, rest, icase);
    };
  const browser =
    (icase: boolean, directive: string) =>
    (c: C, raw: string): void => {
      addCondition(c, directive, 'User-Agent', words(raw), icase);
    };
  return [
    d.raw(
      'SetEnvIf',
      Ctx.OR_FILEINFO,
      'A header-name, regex and a list of variables.',
      setEnvIf(false, 'SetEnvIf'),
    ),
    d.raw(
      'SetEnvIfNoCase',
      Ctx.OR_FILEINFO,
      'a header-name, regex and a list of variables.',
      setEnvIf(true, 'SetEnvIfNoCase'),
    ),
    d.raw('SetEnvIfExpr', Ctx.OR_FILEINFO, 'an expression and a list of variables.', (c, raw) => {
      const [text, ...features] = words(raw);
      if (text === undefined || text === '') throw c.fail('Missing expression for SetEnvIfExpr');
      const conf = c.context.kind === 'server' || c.context.kind === 'vhost' ? c.server : c.dir;
      const parsed = tryParseExpr(text);
      if ('error' in parsed) throw c.fail(`Could not parse expression "${text}": ${parsed.error}`);
      const entry: SeiEntry = {
        name: '',
        special: undefined,
        nameRegex: undefined,
        regex: '',
        icase: false,
        literal: undefined,
        features: [],
        expr: parsed.expr,
      };
      conf.conditionals = [...conf.conditionals, entry];
      addEnvvars(c, 'SetEnvIfExpr', entry, features);
    }),
    d.raw(
      'BrowserMatch',
      Ctx.OR_FILEINFO,
      'A browser regex and a list of variables.',
      browser(false, 'BrowserMatch'),
    ),
    d.raw(
      'BrowserMatchNoCase',
      Ctx.OR_FILEINFO,
      'A browser regex and a list of variables.',
      browser(true, 'BrowserMatchNoCase'),
    ),
  ];
}

/** mod_setenvif's config pieces, to spread into its ModuleDef. */
export const setenvifConfig = {
  server: { create, merge },
  dir: { create, merge },
  directives: setenvifDirectives,
} as const;
