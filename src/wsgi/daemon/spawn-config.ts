// mod_wsgi: src/server/wsgi_daemon.c (wsgi_setup_access / wsgi_start_process: setuid, setgid,
// HOME/USER/LOGNAME, chdir home, LANG/LC_ALL) — what a worker of a group is spawned with.

import { statSync } from 'node:fs';
import type { DaemonGroupSpec } from './spec.js';
import { canSwitchUser, checkAccess, lookupAccount } from './python.js';
import type { Account, PythonResolver } from './python.js';
import type { WorkerConfig } from './worker-process.js';
import { wsgiFlags } from '../environ.js';

/** Everything needed to spawn one worker, resolved from the group. */
export interface SpawnPlan {
  readonly python: string;
  readonly account: Account | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Inputs beyond the spec. */
export interface SpawnContext {
  readonly python: PythonResolver;
  readonly packageDir: string;
  readonly defaultUser?: string | undefined;
  readonly defaultGroup?: string | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Resolve the interpreter, the account and the environment (throws with a clear message). */
export async function planSpawn(spec: DaemonGroupSpec, ctx: SpawnContext): Promise<SpawnPlan> {
  const python = await ctx.python.resolve(spec.pythonHome);
  const user = spec.user ?? ctx.defaultUser;
  let account: Account | undefined;
  if (user !== undefined && canSwitchUser()) {
    account = lookupAccount(user, spec.group ?? ctx.defaultGroup);
    if (account.uid !== process.getuid?.()) checkAccess(python, ctx.packageDir, account);
    else account = undefined;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...ctx.env };
  // A hung worker gets SIGABRT before SIGKILL: faulthandler then dumps every thread's
  // Python stack to stderr, i.e. into the error log (reference §7 #2: log the stuck stack).
  env['PYTHONFAULTHANDLER'] ??= '1';
  if (spec.lang !== undefined) env['LANG'] = spec.lang;
  if (spec.locale !== undefined) env['LC_ALL'] = spec.locale;
  if (account?.home !== undefined) {
    env['HOME'] = account.home;
    env['USER'] = account.name;
    env['LOGNAME'] = account.name;
  }
  // An explicit home= must exist (the spawn fails and is logged); the account's home is only
  // a default, and system users often have none (nobody → /nonexistent): fall back to '/'.
  const cwd =
    spec.home ??
    (account?.home !== undefined ? (isDir(account.home) ? account.home : '/') : process.cwd());
  return { python, account, env, cwd };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The argv JSON document for a worker of `spec` serving `applicationGroup`. */
export function workerConfig(
  spec: DaemonGroupSpec,
  applicationGroup: string,
  preload: readonly { script: string; callable: string }[],
  home: string,
): WorkerConfig {
  return {
    fd: 3,
    threads: spec.threads,
    processGroup: spec.name,
    applicationGroup,
    pythonPath: spec.pythonPath,
    home,
    displayName: spec.displayName ?? null,
    preload,
    ...wsgiFlags(spec),
    maximumProcesses: spec.processes,
    threadsPerProcess: spec.threads,
    restrictStdout: false,
    lang: spec.lang ?? null,
    locale: spec.locale ?? null,
    reloadOnChanges: spec.reloadOnChanges,
    shutdownTimeout: spec.shutdownTimeout,
  };
}
