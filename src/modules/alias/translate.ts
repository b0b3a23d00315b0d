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
import { aliasMatchLength, pregsub as substitute } from '../../util/alias-match.js';
import { translateRedirect } from './redirect.js';

// alias_matches and ap_pregsub live in util/ (mod_wsgi's WSGIScriptAlias uses them too).
export { aliasMatchLength, pregsub as substitute } from '../../util/alias-match.js';

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
    // Redirects first (translate_alias_redir), then aliases.
    const redirected = translateRedirect(r, r.serverConf(mod), dir);
    if (redirected !== DECLINED) return redirected;
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
    if (!hit.entry.regex) {
      // ap_set_context_info: CONTEXT_PREFIX / CONTEXT_DOCUMENT_ROOT for the CGI environment.
      r.notes.set('context-prefix', hit.entry.fake);
      r.notes.set('context-document-root', hit.entry.real);
    }
    if (hit.entry.script) {
      r.handler = 'cgi-script';
      r.notes.set('alias-forced-type', 'cgi-script');
    }
    return OK;
  };
}
