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

/**
 * apr_fnmatch without APR_FNM_PATHNAME (so `*` and `?` also match `/`): `*`, `?`,
 * `[...]` with `!`/`^` negation and ranges, backslash escapes unless noEscape. Iterative, with
 * backtracking to the last `*` only, so a client's `?P=` pattern costs O(pattern × name).
 */
export function fnmatch(pattern: string, str: string, flags: FnmatchFlags = {}): boolean {
  const noEscape = flags.noEscape === true;
  if (flags.period === true && str.startsWith('.')) {
    // Only a literal leading `.` (or an escaped one) may match a leading period.
    const lead = !noEscape && pattern.startsWith('\\') ? pattern[1] : pattern[0];
    if (lead !== '.') return false;
  }
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < str.length) {
    const step = p < pattern.length ? matchOne(pattern, p, str[s] ?? '', noEscape) : undefined;
    if (step === 'star') {
      starP = ++p;
      starS = s;
    } else if (step !== undefined && step !== false) {
      p = step;
      s++;
    } else if (starP >= 0) {
      p = starP;
      s = ++starS;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Match one pattern element at `p` against the character `c`: the index after the element
 * on a match, false on a mismatch, 'star' for a `*`.
 */
function matchOne(
  pattern: string,
  p: number,
  c: string,
  noEscape: boolean,
): number | false | 'star' {
  const pc = pattern[p];
  if (pc === '*') return 'star';
  if (pc === '?') return p + 1;
  if (pc === '\\' && !noEscape && p + 1 < pattern.length)
    return pattern[p + 1] === c ? p + 2 : false;
  if (pc === '[') {
    const cls = bracket(pattern, p + 1, noEscape, c);
    if (cls !== undefined) return cls.match ? cls.end + 1 : false;
  }
  return pc === c ? p + 1 : false;
}

/** A `[...]` class after `[` at `from`: whether `c` is in it and where it ends; undefined if it never closes. */
function bracket(
  p: string,
  from: number,
  noEscape: boolean,
  c: string,
): { match: boolean; end: number } | undefined {
  let i = from;
  let neg = false;
  if (p[i] === '!' || p[i] === '^') {
    neg = true;
    i++;
  }
  let hit = false;
  let first = true;
  for (; i < p.length; i++) {
    let lo = p[i] ?? '';
    if (lo === ']' && !first) return { match: hit !== neg, end: i };
    first = false;
    if (lo === '\\' && !noEscape && i + 1 < p.length) lo = p[++i] ?? '';
    if (p[i + 1] === '-' && i + 2 < p.length && p[i + 2] !== ']') {
      let hi = p[i + 2] ?? '';
      i += 2;
      if (hi === '\\' && !noEscape && i + 1 < p.length) hi = p[++i] ?? '';
      if (c >= lo && c <= hi) hit = true;
    } else if (c === lo) hit = true;
  }
  return undefined;
}
