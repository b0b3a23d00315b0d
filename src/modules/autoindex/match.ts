// httpd: server/util.c (ap_strcmp_match, ap_strcasecmp_match, ap_is_matchexp),
// apr: strings/apr_fnmatch.c (apr_fnmatch, apr_fnmatch_test).
//
// The two wildcard dialects mod_autoindex uses: httpd's own `*`/`?` matcher (icons, alt
// texts, IndexIgnore) and apr_fnmatch with bracket classes (AddDescription, `?P=`).

/** ap_strcmp_match: `*` and `?` wildcards; true on a match. */
export function strcmpMatch(str: string, expected: string, icase = false): boolean {
  const s = icase ? str.toLowerCase() : str;
  const e = icase ? expected.toLowerCase() : expected;
  return matchFrom(s, 0, e, 0) === 0;
}

/** 0 = match, 1 = mismatch (keep trying), -1 = mismatch (give up): httpd's return values. */
function matchFrom(str: string, x0: number, exp: string, y0: number): number {
  let x = x0;
  for (let y = y0; y < exp.length; ++y, ++x) {
    const c = exp[y];
    if (c === '*') {
      while (exp[++y] === '*');
      if (y >= exp.length) return 0;
      while (x < str.length) {
        const ret = matchFrom(str, x++, exp, y);
        if (ret !== 1) return ret;
      }
      return -1;
    }
    if (x >= str.length) return -1;
    if (c !== '?' && str[x] !== c) return 1;
  }
  return x < str.length ? 1 : 0;
}

/** ap_is_matchexp: does the string hold a `*` or `?`. */
export function isMatchExp(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** apr_fnmatch_test: would apr_fnmatch treat `pattern` as a pattern. */
export function fnmatchTest(pattern: string): boolean {
  let nesting = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '?' || c === '*') return true;
    if (c === '\\') {
      if (++i >= pattern.length) return false;
    } else if (c === '[') ++nesting;
    else if (c === ']' && nesting > 0) return true;
  }
  return false;
}

export interface FnmatchFlags {
  /** APR_FNM_NOESCAPE: `\` is an ordinary character. */
  readonly noEscape?: boolean;
  /** APR_FNM_PERIOD: a leading `.` must be matched by a literal `.`. */
  readonly period?: boolean;
}

const compiled = new Map<string, RegExp>();

/**
 * apr_fnmatch without APR_FNM_PATHNAME (so `*` and `?` also match `/`): `*`, `?`,
 * `[...]` with `!`/`^` negation and ranges, `\` escapes unless noEscape.
 */
export function fnmatch(pattern: string, str: string, flags: FnmatchFlags = {}): boolean {
  if (flags.period === true && str.startsWith('.') && !pattern.startsWith('.')) {
    // Only a literal leading `.` (or an escaped one) may match a leading period.
    if (!(flags.noEscape !== true && pattern.startsWith('\\.'))) return false;
  }
  const key = `${flags.noEscape === true ? '1' : '0'}${pattern}`;
  let re = compiled.get(key);
  if (re === undefined) {
    re = new RegExp(`^${fnmatchSource(pattern, flags.noEscape === true)}$`, 's');
    if (compiled.size > 256) compiled.clear();
    compiled.set(key, re);
  }
  return re.test(str);
}

const reEscape = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function fnmatchSource(p: string, noEscape: boolean): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] ?? '';
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '\\' && !noEscape && i + 1 < p.length) out += reEscape(p[++i] ?? '');
    else if (c === '[') {
      const cls = bracket(p, i + 1, noEscape);
      if (cls === undefined) out += '\\[';
      else {
        out += cls.source;
        i = cls.end;
      }
    } else out += reEscape(c);
  }
  return out;
}

/** A `[...]` class starting after `[` at `from`; undefined if it never closes. */
function bracket(
  p: string,
  from: number,
  noEscape: boolean,
): { source: string; end: number } | undefined {
  let i = from;
  let neg = false;
  if (p[i] === '!' || p[i] === '^') {
    neg = true;
    i++;
  }
  let body = '';
  let first = true;
  for (; i < p.length; i++) {
    let c = p[i] ?? '';
    if (c === ']' && !first) return { source: `[${neg ? '^' : ''}${body}]`, end: i };
    first = false;
    if (c === '\\' && !noEscape && i + 1 < p.length) c = p[++i] ?? '';
    if (p[i + 1] === '-' && i + 2 < p.length && p[i + 2] !== ']') {
      let hi = p[i + 2] ?? '';
      i += 2;
      if (hi === '\\' && !noEscape && i + 1 < p.length) hi = p[++i] ?? '';
      if (hi >= c) body += `${reEscape(c)}-${reEscape(hi)}`;
    } else body += reEscape(c);
  }
  return undefined;
}
