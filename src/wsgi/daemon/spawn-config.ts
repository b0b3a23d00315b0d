// mod_wsgi: src/server/wsgi_daemon.c (wsgi_setup_access / wsgi_start_process: setuid, setgid,
// HOME/USER/LOGNAME, chdir home, LANG/LC_ALL) — what a worker of a group is spawned with;
// mod_wsgi.c wsgi_add_daemon_process (supplementary-groups → ap_gname2id) and the
// setpriority/setrlimit calls of wsgi_start_process, which python/tswsgi_worker/limits.py
// performs from the `process` settings built here.
//
// When the server is root and the group runs as another user, the worker is started as
// root and drops privileges itself (setpriority → setgroups/initgroups → setgid → setuid →
// umask → rlimits), as mod_wsgi's forked daemon does: Node's spawn({uid, gid}) would clear
// the supplementary groups and could not raise the CPU priority.

import { readFileSync, statSync } from 'node:fs';
import type { DaemonGroupSpec } from './spec.js';
import { PythonResolveError, canSwitchUser, checkAccess, lookupAccount } from './python.js';
import type { Account, PythonResolver } from './python.js';
import type { WorkerConfig } from './worker-process.js';
import { wsgiFlags } from '../environ.js';
import { DEFAULT_SEND_BUFFER } from './option-table.js';

/** The user switch the Python worker performs itself (it starts as root). */
export interface WorkerPrivileges {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  /** setgroups() list (the gid first, as mod_wsgi); null = initgroups(user, gid). */
  readonly groups: readonly number[] | null;
}

/** Process settings applied by the worker at boot (python/tswsgi_worker/limits.py). */
export interface WorkerProcessSettings {
  readonly umask: number | null;
  readonly cpuPriority: number;
  readonly cpuTimeLimit: number;
  readonly memoryLimit: number;
  readonly virtualMemoryLimit: number;
  readonly stackSize: number;
  readonly privileges: WorkerPrivileges | null;
}

/** Everything needed to spawn one worker, resolved from the group. */
export interface SpawnPlan {
  readonly python: string;
  /** The account the worker ends up running as (undefined = the server's own). */
  readonly account: Account | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** What the worker applies to itself; its `privileges` replace spawn()'s uid/gid. */
  readonly process: WorkerProcessSettings;
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
  // mod_wsgi resolves the names at config time (ap_gname2id): an unknown group is fatal
  // whether or not the server can apply them.
  const supplementary = spec.supplementaryGroups?.map((g) => resolveGroup(g));
  let account: Account | undefined;
  if (user !== undefined && canSwitchUser()) {
    account = lookupAccount(user, spec.group ?? ctx.defaultGroup);
    if (account.uid !== process.getuid?.()) checkAccess(python, ctx.packageDir, account);
    else account = undefined;
  }
  let privileges: WorkerPrivileges | null = null;
  if (account !== undefined) {
    const { name, uid, gid } = account;
    privileges = { user: name, uid, gid, groups: supplementary ? [gid, ...supplementary] : null };
  } else if (supplementary !== undefined && canSwitchUser()) {
    // Root without a user switch: only the group list changes.
    const gid = process.getgid?.() ?? 0;
    privileges = { user: 'root', uid: 0, gid, groups: [gid, ...supplementary] };
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
  const processSettings: WorkerProcessSettings = {
    umask: spec.umask ?? null,
    cpuPriority: spec.cpuPriority ?? 0,
    cpuTimeLimit: spec.cpuTimeLimit ?? 0,
    memoryLimit: spec.memoryLimit ?? 0,
    virtualMemoryLimit: spec.virtualMemoryLimit ?? 0,
    stackSize: spec.stackSize ?? 0,
    privileges,
  };
  return { python, account, env, cwd, process: processSettings };
}

/** ap_gname2id: a group name or `#gid` → gid (throws PythonResolveError when unknown). */
export function resolveGroup(group: string, etc = '/etc'): number {
  if (group.startsWith('#')) {
    const n = Number(group.slice(1));
    if (/^#\d+$/.test(group) && Number.isSafeInteger(n)) return n;
    throw new PythonResolveError(`bad group id '${group}' in supplementary-groups`);
  }
  let text = '';
  try {
    text = readFileSync(`${etc}/group`, 'utf8');
  } catch {
    // no group file: every name is unknown
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === group && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  throw new PythonResolveError(`group '${group}' in supplementary-groups does not exist`);
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The argv JSON document: WorkerConfig plus the boot-time process settings. */
export type WorkerBootConfig = WorkerConfig & { readonly process?: WorkerProcessSettings };

/**
 * The argv JSON document for a worker of `spec` serving `applicationGroup`; `plan` (from
 * planSpawn) adds the process settings the worker applies to itself.
 */
export function workerConfig(
  spec: DaemonGroupSpec,
  applicationGroup: string,
  preload: readonly { script: string; callable: string }[],
  home: string,
  plan?: Pick<SpawnPlan, 'process'>,
): WorkerBootConfig {
  return {
    ...(plan !== undefined ? { process: plan.process } : {}),
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
    sendBufferSize: spec.sendBufferSize ?? DEFAULT_SEND_BUFFER,
    receiveBufferSize: spec.receiveBufferSize ?? 0,
    ...(spec.serverMetrics === true ? { serverMetrics: true } : {}),
    ...(spec.newrelicConfigFile !== undefined
      ? {
          newrelicConfigFile: spec.newrelicConfigFile,
          newrelicEnvironment: spec.newrelicEnvironment ?? null,
        }
      : {}),
  };
}
