// mod_wsgi: src/server/wsgi_interp.c (python-home / WSGIPythonHome → Py_SetPythonHome) and
// wsgi_daemon.c (setuid to user=/group=). mod_wsgi links one Python at build time, which is
// pain point 3/4 (version mismatch, venv not picked up). Here a worker is a plain Python
// executable, chosen per group, and checked up front: if the daemon's user cannot run it or
// read the worker package, the error says so plainly instead of a cryptic boot failure.

import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { colonRows } from '../../util/etc-files.js';
import { fileURLToPath } from 'node:url';

/** A resolved OS account the worker runs as. */
export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** Supplementary group ids (from /etc/group). */
  readonly groups: readonly number[];
  readonly home: string | undefined;
}

/** Thrown when the interpreter or worker package is unusable; `message` is for humans. */
export class PythonResolveError extends Error {
  readonly code = 'MW_ERR_PYTHON';
  constructor(message: string) {
    super(message);
    this.name = 'PythonResolveError';
  }
}

/** Absolute path of the package root (the directory holding package.json), from this file. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
      };
      if (pkg.name === 'tswsgi') return dir;
    } catch {
      // not here; keep walking up
    }
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error('tswsgi package root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The directory put on the worker's sys.path (holds tswsgi_worker/). */
export function workerPackageDir(): string {
  return path.join(packageRoot(), 'python');
}

function runPython(cmd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      ['-c', 'import sys;print(sys.executable)'],
      { env, timeout: 15000 },
      (err, stdout) => {
        if (err)
          reject(
            new PythonResolveError(
              `cannot run Python interpreter '${cmd}': ${err.message.split('\n')[0] ?? ''}`,
            ),
          );
        else resolve(stdout.trim());
      },
    );
  });
}

/**
 * Resolves python-home / TSWSGI_PYTHON / `python3` to an executable path. Owned by a
 * WsgiRuntime so its cache lives and dies with the server generation.
 */
export class PythonResolver {
  #cache = new Map<string, Promise<string>>();
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  /** The interpreter for a group: see the rules in docs on `pythonHome`. */
  resolve(pythonHome: string | undefined): Promise<string> {
    if (pythonHome !== undefined) return Promise.resolve(fromHome(pythonHome));
    const cmd = this.#env['TSWSGI_PYTHON'] ?? 'python3';
    let p = this.#cache.get(cmd);
    if (!p) {
      p = runPython(cmd, this.#env).then((exe) => {
        if (!path.isAbsolute(exe))
          throw new PythonResolveError(`Python interpreter '${cmd}' reports no sys.executable`);
        return exe;
      });
      p.catch(() => this.#cache.delete(cmd));
      this.#cache.set(cmd, p);
    }
    return p;
  }
}

/** python-home: an executable file, or a prefix with bin/python3 or bin/python. */
export function fromHome(home: string): string {
  let st: Stats;
  try {
    st = statSync(home);
  } catch {
    throw new PythonResolveError(`python-home ${home} does not exist`);
  }
  if (st.isFile()) return home;
  for (const name of ['python3', 'python']) {
    const exe = path.join(home, 'bin', name);
    try {
      if (statSync(exe).isFile()) return exe;
    } catch {
      // try the next name
    }
  }
  throw new PythonResolveError(
    `python-home ${home} has no bin/python3 or bin/python; give the virtualenv root (sys.prefix) or the interpreter itself`,
  );
}

/** Resolve user=/group= (names or `#id`) via /etc/passwd and /etc/group. */
export function lookupAccount(user: string, group: string | undefined, etc = '/etc'): Account {
  const passwd = colonRows(path.join(etc, 'passwd'));
  const groups = colonRows(path.join(etc, 'group'));
  const byId = user.startsWith('#');
  const row = passwd.find((r) => (byId ? r[2] === user.slice(1) : r[0] === user));
  if (!row && !byId) throw new PythonResolveError(`user '${user}' does not exist`);
  const uid = row ? Number(row[2]) : Number(user.slice(1));
  if (!Number.isInteger(uid) || uid < 0) throw new PythonResolveError(`bad user id '${user}'`);
  const name = row?.[0] ?? user;
  let gid = row ? Number(row[3]) : uid;
  if (group !== undefined) {
    const gById = group.startsWith('#');
    const grow = groups.find((r) => (gById ? r[2] === group.slice(1) : r[0] === group));
    if (!grow && !gById) throw new PythonResolveError(`group '${group}' does not exist`);
    gid = grow ? Number(grow[2]) : Number(group.slice(1));
    if (!Number.isInteger(gid) || gid < 0) throw new PythonResolveError(`bad group id '${group}'`);
  }
  const supplementary = groups
    .filter((r) => (r[3] ?? '').split(',').includes(name))
    .map((r) => Number(r[2]));
  return { name, uid, gid, groups: [gid, ...supplementary], home: row?.[5] };
}

/** Does `acct` have `bits` (octal 4/2/1 = r/w/x) on a file with these stats? */
function allowed(st: Stats, acct: Account, bits: number): boolean {
  if (acct.uid === 0) return bits !== 1 || (st.mode & 0o111) !== 0 || st.isDirectory();
  let shift = 0;
  if (st.uid === acct.uid) shift = 6;
  else if (acct.groups.includes(st.gid)) shift = 3;
  return ((st.mode >> shift) & bits) === bits;
}

/** First directory on the way to `p` (exclusive) that `acct` cannot search, or undefined. */
function blockedAncestor(p: string, acct: Account): string | undefined {
  const parts = path
    .resolve(p)
    .split(path.sep)
    .filter((s) => s !== '');
  let cur: string = path.sep;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = path.join(cur, parts[i] ?? '');
    try {
      if (!allowed(statSync(cur), acct, 1)) return cur;
    } catch {
      return cur;
    }
  }
  return undefined;
}

function who(acct: Account): string {
  return `user ${acct.name} (uid ${acct.uid})`;
}

/**
 * Check that `acct` can execute `exe` (the path as written and its real path) and read the
 * worker package directory. Throws PythonResolveError naming the fix.
 */
export function checkAccess(exe: string, pkgDir: string, acct: Account): void {
  const fix =
    'set python-home= on WSGIDaemonProcess (or WSGIPythonHome) to an interpreter that user can run, e.g. /usr';
  let real: string;
  try {
    real = realpathSync(exe);
  } catch {
    throw new PythonResolveError(`Python interpreter ${exe} does not exist`);
  }
  for (const p of new Set([exe, real])) {
    const blocked = blockedAncestor(p, acct);
    let ok = blocked === undefined;
    if (ok) {
      try {
        ok = allowed(statSync(p), acct, 1);
      } catch {
        ok = false;
      }
    }
    if (!ok)
      throw new PythonResolveError(
        `Python interpreter ${real} is not executable by ${who(acct)}; ${fix}`,
      );
  }
  const blocked = blockedAncestor(pkgDir, acct);
  const readable = (d: string): boolean => {
    try {
      return allowed(statSync(d), acct, 5);
    } catch {
      return false;
    }
  };
  const sub = path.join(pkgDir, 'tswsgi_worker');
  if (blocked !== undefined || !readable(pkgDir) || !readable(sub)) {
    throw new PythonResolveError(
      `tswsgi worker package ${pkgDir} is not readable by ${who(acct)}` +
        (blocked !== undefined ? ` (directory ${blocked} is not searchable)` : '') +
        '; install tswsgi where that user can read it (e.g. under /usr/local or /opt)',
    );
  }
}

/** True if the current process can switch to other users (is root). */
export function canSwitchUser(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Quick self-check used by tests: can *this* process execute `exe`? */
export function selfCanExecute(exe: string): boolean {
  try {
    accessSync(exe, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
