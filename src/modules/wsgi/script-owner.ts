// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_execute_remote, the script_group and
// script_user checks (getpwuid/getgrgid of the script file and of its parent directory).
//
// WSGIDaemonProcess script-user= / script-group=: before a request goes to the group, the
// WSGI script file and the directory holding it must belong to that user (and be neither
// group- nor world-writable) or have that group (and not be world-writable). A failed
// check is a 403 with mod_wsgi's error-log text.

import { statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { DaemonGroupSpec } from '../../wsgi/daemon/spec.js';
import { nameById } from '../../util/etc-files.js';

/** A failed check: the message and the path wsgi_log_script_error appends. */
export interface ScriptOwnerFailure {
  readonly message: string;
  readonly path: string;
}

/** Name lookups (tests may pass their own /etc). */
export interface NameDb {
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
}

/** getpwuid/getgrgid through /etc/passwd and /etc/group. */
export function etcNames(etc = '/etc'): NameDb {
  return {
    userName: (uid) => nameById(path.join(etc, 'passwd'), uid),
    groupName: (gid) => nameById(path.join(etc, 'group'), gid),
  };
}

const GWRITE = 0o020;
const WWRITE = 0o002;

/**
 * The script-user / script-group check of `spec` for `filename` (already stat'ed as
 * `finfo`). Returns undefined when allowed (or when the group sets neither option).
 */
export function checkScriptOwner(
  spec: DaemonGroupSpec,
  filename: string,
  finfo: Stats,
  names: NameDb = etcNames(),
): ScriptOwnerFailure | undefined {
  const group = spec.scriptGroup;
  const user = spec.scriptUser;
  if (group === undefined && user === undefined) return undefined;
  const fail = (message: string, p = filename): ScriptOwnerFailure => ({ message, path: p });
  // ap_make_dirstr_parent: the directory with its trailing slash.
  const dir = filename.slice(0, filename.lastIndexOf('/') + 1);
  let dirInfo: Stats | undefined;
  const statDir = (): Stats | undefined => {
    try {
      dirInfo ??= statSync(dir);
      return dirInfo;
    } catch {
      return undefined;
    }
  };
  if (group !== undefined) {
    const name = names.groupName(finfo.gid);
    if (name === undefined)
      return fail(`Couldn't determine group of WSGI script file, gid=${finfo.gid}`);
    if (name !== group)
      return fail(
        `Group of WSGI script file does not match required group for daemon process, group=${name}`,
      );
    if (finfo.mode & WWRITE) return fail('WSGI script file is writable to world');
    const d = statDir();
    if (d === undefined) return fail('Unable to stat parent directory of WSGI script', dir);
    const dname = names.groupName(d.gid);
    if (dname === undefined)
      return fail(`Couldn't determine group of parent directory of WSGI script file, gid=${d.gid}`);
    if (dname !== group)
      return fail(
        `Group of parent directory of WSGI script file does not match required group for daemon process, group=${dname}`,
      );
    if (d.mode & WWRITE) return fail('Parent directory of WSGI script file is writable to world');
  }
  if (user !== undefined) {
    const name = names.userName(finfo.uid);
    if (name === undefined)
      return fail(`Couldn't determine owner of WSGI script file, uid=${finfo.uid}`);
    if (name !== user)
      return fail(
        `Owner of WSGI script file does not match required user for daemon process, user=${name}`,
      );
    if (finfo.mode & GWRITE) return fail('WSGI script file is writable to group');
    if (finfo.mode & WWRITE) return fail('WSGI script file is writable to world');
    const d = statDir();
    if (d === undefined) return fail('Unable to stat parent directory of WSGI script', dir);
    const dname = names.userName(d.uid);
    if (dname === undefined)
      return fail(`Couldn't determine owner of parent directory of WSGI script file, uid=${d.uid}`);
    if (dname !== user)
      return fail(
        `Owner of parent directory of WSGI script file does not match required user for daemon process, user=${dname}`,
      );
    if (d.mode & WWRITE) return fail('Parent directory of WSGI script file is writable to world');
    if (d.mode & GWRITE) return fail('Parent directory of WSGI script file is writable to group');
  }
  return undefined;
}
