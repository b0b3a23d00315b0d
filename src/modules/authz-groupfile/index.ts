// httpd: modules/aaa/mod_authz_groupfile.c (AuthGroupFile; the `group` authz provider:
// groups_for_user, group_check_authorization).
//
// Group files hold lines `group: user1 user2 …` (members split as ap_getword_conf
// splits, so quoted names work). The file is read on each check, as httpd reads it.
// `Require group` needs a user; a user in none of the named groups is refused.

import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { requestCfgLines } from '../../request/cfg-file.js';
import type { RequestRecord } from '../../request/record.js';
import { getwordsConf } from '../../util/getword.js';
import type { AuthzStatus, ModuleDef } from '../module.js';

export interface AuthzGroupfileDirConf {
  /** AuthGroupFile, absolute (relative names are taken from ServerRoot). */
  groupFile: string | undefined;
}

const merge: MergeSpec<AuthzGroupfileDirConf> = { groupFile: 'override' };

function directives(
  d: DirectiveBuilder<undefined, AuthzGroupfileDirConf>,
): AnyDirective<undefined, AuthzGroupfileDirConf>[] {
  return [
    d.take1(
      'AuthGroupFile',
      Ctx.OR_AUTHCFG,
      'text file containing group names and member user IDs',
      (c, v) => {
        c.dir.groupFile = c.serverRootRelative(v);
      },
    ),
  ];
}

/** groups_for_user: the groups whose member list names `user`. */
export function groupsForUser(lines: readonly string[], user: string): Set<string> {
  const groups = new Set<string>();
  for (const l of lines) {
    if (l === '' || l.startsWith('#')) continue;
    const colon = l.indexOf(':');
    const name = (colon < 0 ? l : l.slice(0, colon)).replace(/[ \t\n\v\f\r]+$/, '');
    const members = colon < 0 ? '' : l.slice(colon + 1);
    if (getwordsConf(members).includes(user)) groups.add(name);
  }
  return groups;
}

/** group_check_authorization. */
async function checkGroup(r: RequestRecord, required: readonly string[]): Promise<AuthzStatus> {
  const user = r.user;
  if (user === undefined) return 'deniedNoUser';
  const file = r.dirConf(authzGroupfileModule).groupFile;
  if (file === undefined) {
    r.logError(
      'error',
      'authz_groupfile',
      'AH01664',
      'No group file was specified in the configuration',
    );
    return 'denied';
  }
  const lines = await requestCfgLines(r, file, (status) =>
    r.logError('error', 'authz_groupfile', 'AH01665', `Could not open group file: ${file}`, status),
  );
  if (lines === undefined) return 'denied';
  const groups = groupsForUser(lines, user);
  if (groups.size === 0) {
    r.logError(
      'info',
      'authz_groupfile',
      'AH01666',
      `Authorization of user ${user} to access ${r.uri} failed, reason: user doesn't appear in group file (${file}).`,
    );
    return 'denied';
  }
  if (required.some((g) => groups.has(g))) return 'granted';
  r.logError(
    'debug',
    'authz_groupfile',
    'AH01667',
    `Authorization of user ${user} to access ${r.uri} failed, reason: user is not part of the 'require'ed group(s).`,
  );
  return 'denied';
}

/** mod_authz_groupfile. */
export const authzGroupfileModule: ModuleDef<undefined, AuthzGroupfileDirConf> = {
  name: 'authz_groupfile',
  dir: { create: () => ({ groupFile: undefined }), merge },
  directives,
  authzProviders: { group: { check: (r, words) => checkGroup(r, words) } },
};
