// httpd: modules/mappers/mod_userdir.c (translate_userdir: translate_name MIDDLE, after
// mod_alias).
//
// `/~user/rest` maps to the user's directory: each UserDir word in turn, the first whose
// directory exists (the last one whatever it is); a word with `:` before its `*` redirects
// there (302). Disabled users, `.`/`..` and a missing name are left to the other modules.
// Home directories come from /etc/passwd (apr_uid_homepath_get), read for each such request.

import { statSync } from 'node:fs';
import { colonRows } from '../../util/etc-files.js';
import { isAbsolute } from 'node:path';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { getwordConf } from '../../util/getword.js';
import type { ModuleDef } from '../module.js';
import { userDirConfig } from './config.js';
import type { UserDirServerConf } from './config.js';

/** mod_userdir. */
export const userDirModule: ModuleDef<UserDirServerConf, undefined> = {
  name: 'userdir',
  ...userDirConfig,
  hooks: {
    translateName: { run: (r) => translateUserDir(r), order: 'middle', after: ['alias'] },
  },
};

/** apr_uid_homepath_get: the user's home directory (the passwd file's sixth field). */
export function homeOf(user: string, file = '/etc/passwd'): string | undefined {
  return colonRows(file).find((f) => f.length >= 7 && f[0] === user)?.[5];
}

const has = (names: readonly string[], user: string): boolean =>
  names.some((n) => n.toLowerCase() === user.toLowerCase()); // apr_table keys

/** translate_userdir. */
export function translateUserDir(r: RequestRecord): Outcome {
  if (!r.uri.startsWith('/~')) return DECLINED;
  const conf = r.serverConf(userDirModule);
  let userdirs = conf.userdir;
  if (userdirs === undefined) return DECLINED;
  const slash = r.uri.indexOf('/', 2);
  const user = slash < 0 ? r.uri.slice(2) : r.uri.slice(2, slash);
  const dname = slash < 0 ? '' : r.uri.slice(slash);
  if (user === '' || user === '.' || user === '..') return DECLINED;
  if (has(conf.disabledUsers, user)) return DECLINED;
  if (conf.globally === 'disabled' && !has(conf.enabledUsers, user)) return DECLINED;
  while (userdirs.trim() !== '') {
    let userdir: string;
    [userdir, userdirs] = getwordConf(userdirs);
    const absolute = isAbsolute(userdir);
    const star = userdir.indexOf('*');
    const prefix = star < 0 ? undefined : userdir.slice(0, star);
    const after = star < 0 ? userdir : userdir.slice(star + 1);
    let filename: string | undefined;
    if (after === '' || absolute) {
      if (prefix !== undefined) {
        if (prefix.includes(':') && !absolute) {
          r.res.setHeader('Location', prefix + user + after + dname);
          return 302;
        }
        filename = prefix + user + after;
      } else filename = `${userdir}/${user}`;
    } else if (prefix?.includes(':')) {
      r.res.setHeader('Location', prefix + user + dname);
      return 302;
    } else {
      const home = homeOf(user);
      if (home !== undefined) filename = `${home}/${after}`;
    }
    // The first directory that exists, or the last candidate whatever it is (a handler
    // may still answer for it, e.g. a CGI script).
    const last = userdirs.trim() === '';
    if (filename !== undefined && (last || statSync(filename, { throwIfNoEntry: false }))) {
      r.filename = filename + dname;
      // ap_set_context_info: CONTEXT_PREFIX `/~user`, CONTEXT_DOCUMENT_ROOT the directory.
      r.notes.set('context-prefix', r.uri.slice(0, r.uri.length - dname.length));
      r.notes.set('context-document-root', filename);
      r.notes.set('mod_userdir_user', user);
      return OK;
    }
  }
  return DECLINED;
}
