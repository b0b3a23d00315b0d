// httpd: server/core.c (add_filter / core_insert_filter), modules/http/mod_mime.c
// (AddOutputFilter), util_filter.c (ap_add_output_filter: an unknown name is logged at
// request time, AH00082, not refused at configuration time).

import type { Cmd } from './directive.js';

/** `DEFLATE;FOO` → the names, empty parts dropped (ap_getword on ';'). */
export function splitFilterNames(list: string): string[] {
  return list.split(';').filter((n) => n !== '');
}

/**
 * Refuse, at configuration time, a filter httpd has but tswsgi deliberately does not
 * implement (e.g. INFLATE). Names no loaded module registers pass, as in httpd: the
 * request that would use them logs AH00082.
 */
export function checkFilterNames<S, D>(cmd: Cmd<S, D>, list: string): void {
  for (const name of splitFilterNames(list)) {
    const def = cmd.outputFilter?.(name);
    if (def?.unsupported !== undefined) throw cmd.fail(def.unsupported);
  }
}
