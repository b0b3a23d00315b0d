// Compiled patterns of rule and condition entries: compiled once when the directive is
// read (which also validates them), looked up per request by the entry object. An entry
// that reached here some other way (an IR copy) is compiled on first use.

import { compilePattern } from '../../util/pcre.js';
import { CF, RF } from './flags.js';
import type { CondEntry, RuleEntry } from './config.js';

const cache = new WeakMap<object, RegExp>();

export function rememberRegex(entry: object, re: RegExp): void {
  cache.set(entry, re);
}

/** The compiled pattern of a rule (case-blind under [NC]). */
export function ruleRegex(e: RuleEntry): RegExp {
  let re = cache.get(e);
  if (re === undefined) {
    re = compilePattern(e.pattern, (e.flags & RF.NOCASE) !== 0) ?? /(?!)/;
    cache.set(e, re);
  }
  return re;
}

/** The compiled pattern of a regex condition. */
export function condRegex(e: CondEntry): RegExp {
  let re = cache.get(e);
  if (re === undefined) {
    re = compilePattern(e.operand, (e.flags & CF.NOCASE) !== 0) ?? /(?!)/;
    cache.set(e, re);
  }
  return re;
}
