// httpd: modules/mappers/mod_userdir.c (userdir_cmds: set_user_dir; create/merge_userdir_config).
//
// `UserDir public_html` (relative to each user's home), `UserDir /home/*/www` or
// `UserDir http://host/~*/` (the user's name at the `*`), several of them tried in order;
// `UserDir disabled [user…]` and `UserDir enabled user…`. Without a UserDir directive the
// module does nothing (2.4 has no default directory).

import { RSRC_CONF, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { getwordConf } from '../../util/getword.js';

export interface UserDirServerConf {
  /** The UserDir words as written (ap_getword_conf'd per request); undefined: none. */
  userdir: string | undefined;
  /** `UserDir disabled` / `enabled` without names; undefined: not said here. */
  globally: 'enabled' | 'disabled' | undefined;
  /** Names listed after enabled / disabled (this server's own: not merged). */
  enabledUsers: readonly string[];
  disabledUsers: readonly string[];
}

const create = (): UserDirServerConf => ({
  userdir: undefined,
  globally: undefined,
  enabledUsers: [],
  disabledUsers: [],
});
const merge: MergeSpec<UserDirServerConf> = {
  userdir: (base, over) => over ?? base,
  globally: (base, over) => over ?? base,
  // merge_userdir_config: "not merged" — a virtual host keeps only its own lists.
  enabledUsers: (_base, over) => over,
  disabledUsers: (_base, over) => over,
};

/** mod_userdir's directive table. */
export function userDirDirectives(
  d: DirectiveBuilder<UserDirServerConf, undefined>,
): AnyDirective<UserDirServerConf, undefined>[] {
  return [
    d.raw(
      'UserDir',
      RSRC_CONF,
      "the public subdirectory in users' home directories, or 'disabled', or 'disabled username username...', or 'enabled username username...'",
      (c, arg) => {
        let [kw, rest] = getwordConf(arg);
        if (kw === '') throw c.fail('UserDir requires an argument.');
        const k = kw.toLowerCase();
        const list =
          k === 'disable' || k === 'disabled'
            ? 'disabled'
            : k === 'enable' || k === 'enabled'
              ? 'enabled'
              : undefined;
        if (list === undefined) {
          c.server.userdir = arg;
          return;
        }
        if (rest.trim() === '') {
          c.server.globally = list;
          return;
        }
        const names: string[] = [];
        while (rest.trim() !== '') {
          [kw, rest] = getwordConf(rest);
          names.push(kw);
        }
        if (list === 'disabled') c.server.disabledUsers = [...c.server.disabledUsers, ...names];
        else c.server.enabledUsers = [...c.server.enabledUsers, ...names];
      },
    ),
  ];
}

/** mod_userdir's config pieces, to spread into its ModuleDef. */
export const userDirConfig = {
  server: { create, merge },
  directives: userDirDirectives,
} as const;
