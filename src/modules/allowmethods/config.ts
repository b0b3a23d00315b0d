// httpd: modules/aaa/mod_allowmethods.c (am_cmds, am_allowmethods, am_create_conf,
// am_merge_conf).

import { ACCESS_CONF, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { KNOWN_METHODS } from '../../config/method-limit.js';

export interface AllowMethodsDirConf {
  /**
   * The methods allowed (ap_method_number_of's numbers as names: HEAD counts as GET);
   * an empty list after `AllowMethods reset` allows everything; undefined: not set here.
   */
  allowed: readonly string[] | undefined;
}

const create = (): AllowMethodsDirConf => ({ allowed: undefined });
const merge: MergeSpec<AllowMethodsDirConf> = { allowed: 'override' };

/** mod_allowmethods' directive table. */
export function allowMethodsDirectives(
  d: DirectiveBuilder<undefined, AllowMethodsDirConf>,
): AnyDirective<undefined, AllowMethodsDirConf>[] {
  return [
    d.takeArgv('AllowMethods', ACCESS_CONF, 'only allow specific methods', (c, args) => {
      if (args.length === 0) throw c.fail("AllowMethods: No method or 'reset' keyword given");
      if (args.length === 1 && args[0]?.toLowerCase() === 'reset') {
        c.dir.allowed = [];
        return;
      }
      const allowed = new Set<string>();
      for (const m of args) {
        if (!KNOWN_METHODS.has(m)) throw c.fail(`AllowMethods: Invalid Method '${m}'`);
        allowed.add(m === 'HEAD' ? 'GET' : m);
      }
      c.dir.allowed = [...allowed];
    }),
  ];
}

/** mod_allowmethods' config pieces, to spread into its ModuleDef. */
export const allowMethodsConfig = {
  dir: { create, merge },
  directives: allowMethodsDirectives,
} as const;
