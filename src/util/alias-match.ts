// httpd: modules/mappers/mod_alias.c (alias_matches, which mod_wsgi copies for
// WSGIScriptAlias) and server/util.c (ap_pregsub). Shared by the alias and wsgi modules.

/**
 * alias_matches: how many characters of `uri` the prefix `alias` covers, or 0. Any run of
 * '/' in the alias matches any (non-empty) run in the URI, and the match must end on a
 * path-segment boundary unless the alias itself ends with '/' (so `/static` does not match
 * `/staticfoo`).
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

/**
 * ap_pregsub (util.c regsub_core): `$0`–`$9` are the match's groups (one that did not take
 * part is empty); a backslash makes the next character literal (`\$1` is "$1"); `&` is an
 * ordinary character in 2.4.
 */
export function pregsub(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\\([\s\S])|\$(\d)/g,
    (_all, esc: string | undefined, d: string | undefined) =>
      esc !== undefined ? esc : (m[Number(d)] ?? ''),
  );
}
