// httpd: modules/mappers/mod_alias.c (alias_matches, try_alias_list, translate_alias_redir,
// try_alias: the one-argument Alias inside <Location>).
//
// Runs on r.uri after the pipeline has normalised (`..`, `%2e%2e`, `//`) and decoded it
// (`%2F` already answered 404 unless AllowEncodedSlashes), so a prefix match here can not
// be tricked into leaving the alias target.

import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import type { AliasDirConf, AliasEntry, AliasServerConf } from './config.js';
import type { ModuleDef } from '../module.js';

/**
 * alias_matches: how many characters of `uri` the alias prefix covers, 0 if none. Runs of
 * '/' in either match each other; the match must end at a segment boundary unless the
 * alias ends with '/' (`/static` does not match `/staticfoo`).
 */
export function aliasMatchLength(uri: string, alias: string): number {
  let a = 0;
  let u = 0;
  while (a < alias.length) {
    if (alias[a] === '/') {
      if (uri[u] !== '/') return 0;
      while (alias[a] === '/') a++;
      while (uri[u] === '/') u++;
    } else {
      if (uri[u] !== alias[a]) return 0;
      u++;
      a++;
    }
  }
  if (!alias.endsWith('/') && u < uri.length && uri[u] !== '/') return 0;
  return u;
}

/** ap_pregsub: `$0`–`$9` and `&` from the match; `\$` / `\&` stay literal. */
export function substitute(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\\([$&])|\$(\d)|&/g,
    (all, esc: string | undefined, d: string | undefined) => {
      if (esc !== undefined) return esc;
      if (d !== undefined) return m[Number(d)] ?? '';
      return all === '&' ? m[0] : all;
    },
  );
}

/** Compiled regexes per alias entry (compiled once, at first use per entry object). */
const compiled = new WeakMap<AliasEntry, RegExp>();
const regexOf = (e: AliasEntry): RegExp => {
  let re = compiled.get(e);
  if (re === undefined) {
    re = new RegExp(e.fake);
    compiled.set(e, re);
  }
  return re;
};

/** The alias target for `uri` from a list (first match wins), or undefined. */
export function tryAliasList(
  aliases: readonly AliasEntry[],
  uri: string,
): { filename: string; entry: AliasEntry } | undefined {
  for (const e of aliases) {
    if (e.regex) {
      const m = regexOf(e).exec(uri);
      if (m !== null) return { filename: substitute(e.real, m), entry: e };
    } else {
      const l = aliasMatchLength(uri, e.fake);
      if (l > 0) return { filename: e.real + uri.slice(l), entry: e };
    }
  }
  return undefined;
}

/** translate_alias_redir (MIDDLE): Alias / AliasMatch / ScriptAlias, and Alias in <Location>. */
export function makeTranslateAlias(
  mod: ModuleDef<AliasServerConf, AliasDirConf>,
): (r: RequestRecord) => Outcome {
  return (r) => {
    if (!r.uri.startsWith('/')) return DECLINED;
    const dir = r.dirConf(mod);
    if (dir.alias !== undefined) {
      // `Alias /target` inside <Location>: the whole location maps to the target.
      r.filename = dir.alias;
      if (dir.aliasIsScript === true) {
        r.handler = 'cgi-script';
        r.notes.set('alias-forced-type', 'cgi-script');
      }
      return OK;
    }
    const hit = tryAliasList(r.serverConf(mod).aliases, r.uri);
    if (hit === undefined) return DECLINED;
    r.filename = hit.filename;
    if (hit.entry.script) {
      r.handler = 'cgi-script';
      r.notes.set('alias-forced-type', 'cgi-script');
    }
    return OK;
  };
}
