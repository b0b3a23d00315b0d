// httpd: modules/core/mod_version.c (start_ifversion, match_version, compare_version).
//
// <IfVersion [op] version>: tswsgi answers as Apache/2.4.62.

import type { ErrorFrame } from './errors.js';
import { readError } from './errors.js';

/** The Apache version tswsgi claims for <IfVersion>. */
export const APACHE_VERSION = { major: 2, minor: 4, patch: 62 } as const;
const VERSION_STRING = `${APACHE_VERSION.major}.${APACHE_VERSION.minor}.${APACHE_VERSION.patch}`;

const BAD_VERSION =
  'Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers.';

/** Evaluate `<IfVersion>` arguments: `[!][op] version` or `/regex/`. */
export function readVersionCondition(args: readonly string[], at: ErrorFrame): boolean {
  let op = args.length >= 2 ? (args[0] ?? '') : '=';
  let ver = args.length >= 2 ? (args[1] ?? '') : (args[0] ?? '');
  let negate = false;
  if (op.startsWith('!')) {
    negate = true;
    op = op.slice(1) || '=';
  } else if (args.length < 2 && ver.startsWith('!')) {
    negate = true;
    ver = ver.slice(1);
  }
  let holds: boolean;
  const isSlashRegex = ver.length >= 2 && ver.startsWith('/') && ver.endsWith('/');
  if ((op === '=' || op === '==') && isSlashRegex) {
    holds = new RegExp(ver.slice(1, -1)).test(VERSION_STRING);
  } else if (op === '~') {
    holds = new RegExp(ver).test(VERSION_STRING);
  } else if (['=', '==', '<', '<=', '>', '>='].includes(op)) {
    const m = /^(\d+)(?:\.(\d+)(?:\.(\d+))?)?$/.exec(ver);
    if (m === null) throw readError(BAD_VERSION, at);
    const want = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] as const;
    const have = [APACHE_VERSION.major, APACHE_VERSION.minor, APACHE_VERSION.patch] as const;
    const cmp = have[0] - want[0] || have[1] - want[1] || have[2] - want[2];
    holds =
      op === '<'
        ? cmp < 0
        : op === '<='
          ? cmp <= 0
          : op === '>'
            ? cmp > 0
            : op === '>='
              ? cmp >= 0
              : cmp === 0;
  } else {
    throw readError(`unrecognized operator '${op}'`, at);
  }
  return negate ? !holds : holds;
}
