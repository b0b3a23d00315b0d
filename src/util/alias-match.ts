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
 * ap_pregsub: `$0`–`$9` and `&` from the match; `\$` / `\&` stay literal. A group that did
 * not participate is replaced by nothing.
 */
export function pregsub(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\\([$&])|\$(\d)|&/g,
    (all, esc: string | undefined, d: string | undefined) => {
      if (esc !== undefined) return esc;
      if (d !== undefined) return m[Number(d)] ?? '';
      return all === '&' ? m[0] : all;
    },
  );
}
