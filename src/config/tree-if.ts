// httpd: modules/core/mod_version.c (start_ifversion, match_version, compare_version).
//
// <IfVersion [[!]op] version>: tswsgi answers as Apache/2.4.62. The arguments are the raw
// words of the section line, the closing '>' still attached, because mod_version itself
// finds the '>' (a lone `>` word means the version was quoted: `<IfVersion "2.4" >`).

import type { ErrorFrame } from './errors.js';
import { readError } from './errors.js';

/** The Apache version tswsgi claims for <IfVersion>. */
export const APACHE_VERSION = { major: 2, minor: 4, patch: 62 } as const;
const VERSION_STRING = `${APACHE_VERSION.major}.${APACHE_VERSION.minor}.${APACHE_VERSION.patch}`;

const BAD_VERSION =
  'Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers.';
const ARITY =
  '<IfVersion takes one, two or three arguments, a comparison operator, a version (and a delimiter)';

/**
 * compare_version: -1/0/1 of the claimed version against `major[.minor[.patch]]`. Missing
 * or empty parts count as 0 and one trailing dot after the patch is allowed, as in httpd
 * (`2.`, `2..`, `2.4.1.` are valid; `2.4.1.1`, `.2`, `2.x` are not).
 */
function compareVersion(ver: string, at: ErrorFrame): number {
  const m = /^(\d+)(?:\.(\d*)(?:\.(\d*)\.?)?)?$/.exec(ver);
  if (m === null) throw readError(BAD_VERSION, at);
  const want = [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)] as const;
  const have = [APACHE_VERSION.major, APACHE_VERSION.minor, APACHE_VERSION.patch] as const;
  return Math.sign(have[0] - want[0] || have[1] - want[1] || have[2] - want[2]);
}

/** match_version: the regex against the claimed version string. */
function matchVersion(re: string, at: ErrorFrame): boolean {
  let compiled: RegExp;
  try {
    compiled = new RegExp(re);
  } catch {
    throw readError('Unable to compile regular expression', at);
  }
  return compiled.test(VERSION_STRING);
}

/**
 * Evaluate `<IfVersion>` from the raw words of its argument text (closing '>' included),
 * with mod_version's rules and error messages.
 */
export function readVersionCondition(words: readonly string[], at: ErrorFrame): boolean {
  // TAKE123: one to three words, the first not empty.
  if (words.length === 0 || words.length > 3 || words[0] === '') throw readError(ARITY, at);
  let [op, ver, delim] = words as [string, string | undefined, string | undefined];
  if (ver === undefined) [op, ver] = ['=', op]; // one argument: an equality check
  if (delim === undefined && ver === '>') [op, ver, delim] = ['=', op, '>']; // "2.4" >
  // The version ends in '>' unless the '>' came as its own third word.
  if (ver === '' || (delim !== '>' && !ver.endsWith('>')))
    throw readError("<IfVersion> directive missing closing '>'", at);
  if (delim !== '>') ver = ver.slice(0, -1);

  // [!]op: '!' reverses; op is one of = == ~ < <= > >=.
  const reverse = op.startsWith('!');
  const p = reverse && op.length > 1 ? op.slice(1) : op;
  const c = p[0];
  const rest = p.slice(1);
  if (!(rest === '' || (rest === '=' && c !== '~')))
    throw readError(`unrecognized operator '${op}'`, at);
  let match: boolean;
  if (c === '=' && !ver.startsWith('/')) {
    match = compareVersion(ver, at) === 0;
  } else if (c === '=' || c === '~') {
    let re = ver;
    if (c === '=') {
      if (ver.length < 2 || !ver.endsWith('/'))
        throw readError('Missing delimiting / of regular expression.', at);
      re = ver.slice(1, -1);
    }
    match = matchVersion(re, at);
  } else if (c === '<' || c === '>') {
    const cmp = compareVersion(ver, at);
    match = cmp === (c === '<' ? -1 : 1) || (rest === '=' && cmp === 0);
  } else {
    throw readError(`unrecognized operator '${op}'`, at);
  }
  return reverse ? !match : match;
}
