// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_hook_intercept, wsgi_alias_matches
// (itself mod_alias's alias_matches).
//
// translate_name for WSGIScriptAlias / WSGIScriptAliasMatch: the first alias in config
// order that matches r.uri (the %-decoded, normalised path) sets r.filename = target +
// the rest of the URI, r.handler = 'wsgi-script', and notes carrying the alias options.
// core's map_to_storage then stats r.filename and splits path_info off it.

import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { WsgiAlias } from './config.js';
import {
  aliasMatchLength as aliasMatches,
  pregsub as regexSubstitute,
} from '../../util/alias-match.js';

/** Notes set by a matching alias (mod_wsgi's r->notes keys). */
export const NOTE = {
  /** mod_alias convention: the handler was forced by an alias (wsgi_is_script_aliased). */
  aliasForcedType: 'alias-forced-type',
  processGroup: 'mod_wsgi.process_group',
  applicationGroup: 'mod_wsgi.application_group',
  callableObject: 'mod_wsgi.callable_object',
  passAuthorization: 'mod_wsgi.pass_authorization',
} as const;

/** The request fields translate reads and writes. */
export interface TranslateTarget {
  readonly uri: string;
  filename: string | undefined;
  /** The script the alias names, when more of the URI follows it (splitPathInfo's hint). */
  fileHint?: string | undefined;
  handler: string | undefined;
  readonly notes: Map<string, string>;
}

// mod_wsgi copies mod_alias's alias_matches and uses ap_pregsub: one implementation each,
// in util/ (re-exported under the names this module's tests use).
export {
  aliasMatchLength as aliasMatches,
  pregsub as regexSubstitute,
} from '../../util/alias-match.js';

/** An alias with its Match regex compiled (done once, at provision). */
export interface CompiledAlias {
  readonly alias: WsgiAlias;
  readonly re: RegExp | undefined;
}

/** Compile the Match forms (POSIX ERE in httpd; JS syntax is a close superset). */
export function compileAliases(aliases: readonly WsgiAlias[]): CompiledAlias[] {
  return aliases.map((alias) => ({
    alias,
    re: alias.regex ? new RegExp(alias.location) : undefined,
  }));
}

/**
 * wsgi_hook_intercept. Returns OK when an alias matched (r updated), else DECLINED.
 * A zero-length match (e.g. `^` patterns matching nothing) does not count, as in mod_wsgi.
 */
export function translateWsgiAlias(r: TranslateTarget, aliases: readonly CompiledAlias[]): Outcome {
  if (aliases.length === 0) return DECLINED;
  if (r.uri !== '' && !r.uri.startsWith('/')) return DECLINED;
  for (const { alias, re } of aliases) {
    let matched: number;
    let location: string;
    let target: string;
    if (re !== undefined) {
      const m = re.exec(r.uri);
      if (m === null) continue;
      matched = m.index + m[0].length; // rm_eo: end offset of the whole match
      location = r.uri.slice(0, matched);
      target = regexSubstitute(alias.target, m);
    } else {
      matched = aliasMatches(r.uri, alias.location);
      location = alias.location;
      target = alias.target;
    }
    if (matched <= 0) continue;
    // A mount at '/' appends the whole URI (so '/a' maps to target + '/a').
    r.filename = location === '/' ? target + r.uri : target + r.uri.slice(matched);
    // A file target with path_info after it: map_to_storage stats the script first
    // instead of the whole path (which fails with ENOTDIR, an exception in node).
    if (!target.endsWith('/') && r.filename.startsWith(target + '/')) r.fileHint = target;
    r.handler = 'wsgi-script';
    r.notes.set(NOTE.aliasForcedType, 'wsgi-script');
    if (alias.processGroup !== undefined) r.notes.set(NOTE.processGroup, alias.processGroup);
    if (alias.applicationGroup !== undefined)
      r.notes.set(NOTE.applicationGroup, alias.applicationGroup);
    if (alias.callableObject !== undefined) r.notes.set(NOTE.callableObject, alias.callableObject);
    if (alias.passAuthorization !== undefined) {
      r.notes.set(NOTE.passAuthorization, alias.passAuthorization ? '1' : '0');
    }
    return OK;
  }
  return DECLINED;
}
