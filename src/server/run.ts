// httpd: server/mpm/event/event.c (ap_mpm_run: signals → restart/graceful/stop),
// os/unix/unixd.c (unixd_setup_child: drop privileges after binding), server/log.c
// (ap_log_pid / PidFile).
//
// The process around a RunningServer: PidFile, dropping root after the listeners are bound,
// and signals. Signal handlers only enqueue an action (gunicorn's arbiter rule); one loop
// carries them out in order, so a HUP during a reload waits for the reload to finish.

import { existsSync, writeFileSync, rmSync, chownSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { ConfigIR } from '../config/ir.js';
import { serverConfOf } from '../config/slots.js';
import { coreModule } from '../core/index.js';
import { wsgiModule } from '../modules/wsgi/index.js';
import { startServer, type RunningServer } from './server.js';
import { BindError, makeSockLine } from './listeners.js';

export type ServerAction = 'stop' | 'restart' | 'graceful' | 'graceful-stop';

/** Apache's signal meanings. */
export const SIGNAL_ACTIONS: Readonly<Record<string, ServerAction>> = {
  SIGTERM: 'stop',
  SIGINT: 'stop',
  SIGHUP: 'restart',
  SIGUSR1: 'graceful',
  SIGWINCH: 'graceful-stop',
};

export interface RunOptions {
  /** Re-read the configuration (for restart/graceful). Throws ConfigError on a bad config. */
  readonly reload: () => ConfigIR;
  /** Write `READY` to stdout once listening (the detaching parent waits for it). */
  readonly notifyReady: boolean;
}

/** Resolve a user name or `#uid` to a uid; undefined if unknown. */
function lookupId(name: string, kind: 'user' | 'group'): number | undefined {
  if (name.startsWith('#')) return Number(name.slice(1));
  try {
    const out = execFileSync('getent', [kind === 'user' ? 'passwd' : 'group', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const id = Number(out.split(':')[2]);
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Started as root with `User`/`Group`: switch the front end to them once the listeners are
 * bound, as httpd's children do. Worker processes are spawned with their own uid/gid.
 */
function dropPrivileges(ir: ConfigIR, pidFile: string, log: (msg: string) => void): void {
  if (process.getuid?.() !== 0 || process.setuid === undefined || process.setgid === undefined)
    return;
  const core = serverConfOf(coreModule, ir.main);
  if (core.user === undefined) return;
  const uid = lookupId(core.user, 'user');
  const gid = core.group === undefined ? undefined : lookupId(core.group, 'group');
  if (uid === undefined) throw new Error(`AH00544: tswsgi: bad user name ${core.user}`);
  if (core.group !== undefined && gid === undefined)
    throw new Error(`AH00543: tswsgi: bad group name ${core.group}`);
  if (uid === 0) return;
  // Daemons are spawned (and respawned) by this process. A group with its own user= or
  // group= needs root to start, as mod_wsgi's daemons are forked by the root parent: then
  // the front end keeps root and says so, rather than failing every later respawn.
  const others = [ir.main, ...ir.vhosts]
    .flatMap((s) => serverConfOf(wsgiModule, s).daemons)
    .filter(
      ({ spec }) =>
        (spec.user !== undefined && spec.user !== core.user) ||
        (spec.group !== undefined && spec.group !== core.group),
    )
    .map(({ spec }) => spec.name);
  if (others.length > 0) {
    log(
      `front end stays root: WSGIDaemonProcess ${[...new Set(others)].join(', ')} run as another user than User ${core.user}, and only root can start them`,
    );
    return;
  }
  try {
    chownSync(pidFile, uid, gid ?? -1);
  } catch {
    // the pid file stays root-owned; -k still works as root
  }
  if (gid !== undefined) {
    process.setgroups?.([gid]);
    process.setgid(gid);
  }
  process.setuid(uid);
  log(
    `front end now running as ${core.user}${core.group === undefined ? '' : `:${core.group}`} (uid ${uid})`,
  );
}

/** Run until stopped; the resolved value is the exit code. */
export async function runServer(ir: ConfigIR, opts: RunOptions): Promise<number> {
  const core = serverConfOf(coreModule, ir.main);
  const pidFile = resolve(ir.serverRoot, core.pidFile ?? 'logs/httpd.pid');
  // Handlers go in before the first listener is bound: a signal sent as soon as the port
  // answers is queued, not left to node's defaults (SIGUSR1 would start the inspector).
  const queue: ServerAction[] = [];
  let wake: (() => void) | undefined;
  const handlers = new Map<string, () => void>();
  for (const [sig, action] of Object.entries(SIGNAL_ACTIONS)) {
    const h = (): void => {
      queue.push(action);
      wake?.();
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  const removeHandlers = (): void => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
  let server: RunningServer;
  try {
    server = await startServer(ir);
  } catch (err) {
    removeHandlers();
    const line = makeSockLine(err);
    if (line === undefined) throw err;
    // httpd: server/listen.c (make_sock) and main.c — the same three lines, then exit 1.
    process.stderr.write(
      `${line}\nno listening sockets available, shutting down\nAH00015: Unable to open logs\n`,
    );
    return 1;
  }
  const log = server.generation.log;
  // httpd: server/log.c ap_log_pid — a PidFile left by a process that is gone.
  if (existsSync(pidFile))
    log.log(
      'warn',
      'core',
      'AH00098',
      `pid file ${pidFile} overwritten -- Unclean shutdown of previous Apache run?`,
    );
  try {
    writeFileSync(pidFile, `${process.pid}\n`);
  } catch (err) {
    log.log('warn', 'core', 'AH00099', `could not create ${pidFile}: ${String(err)}`);
  }
  dropPrivileges(ir, pidFile, (m) => log.log('notice', 'core', 'MW00001', m));
  log.log(
    'notice',
    'mpm_event',
    'AH00489',
    `tswsgi/0.1.0 (Apache/2.4.62 compatible) configured -- resuming normal operations`,
  );
  if (opts.notifyReady) {
    process.stdout.write('READY\n');
    // The detaching parent closes its end of both pipes after READY: later writes must not
    // kill the server with EPIPE (httpd's daemon has its stdio on /dev/null by then).
    process.stdout.on('error', () => {});
    process.stderr.on('error', () => {});
  }

  let keepPidFile = false;
  try {
    for (;;) {
      const action = queue.shift();
      if (action === undefined) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      const gen = server.generation.log;
      if (action === 'stop' || action === 'graceful-stop') {
        gen.log(
          'notice',
          'mpm_event',
          action === 'stop' ? 'AH00491' : 'AH00492',
          action === 'stop'
            ? 'caught SIGTERM, shutting down'
            : 'caught SIGWINCH, shutting down gracefully',
        );
        await server.stop({ graceful: action === 'graceful-stop' });
        return 0;
      }
      let next: ConfigIR;
      try {
        next = opts.reload();
      } catch (err) {
        // httpd's parent would exit here; tswsgi keeps serving the old generation.
        const msg = (err instanceof Error ? err.message : String(err))
          .replace(/\s*\n\s*/g, ' ')
          .replace(/^AH00526: /, '');
        gen.log('error', 'core', 'AH00526', `${msg} -- keeping the running configuration`);
        continue;
      }
      gen.log(
        'notice',
        'mpm_event',
        action === 'graceful' ? 'AH00493' : 'AH00494',
        action === 'graceful'
          ? 'SIGUSR1 received.  Doing graceful restart'
          : 'SIGHUP received.  Attempting to restart',
      );
      try {
        await server.reload(next, { graceful: action === 'graceful' });
      } catch (err) {
        if (err instanceof BindError) {
          // httpd (listen.c, main.c): a new Listen that cannot be bound ends the server, on a
          // graceful restart as on a restart, with these lines in the error log; exit 1.
          gen.log('crit', 'core', '', err.message);
          gen.log('alert', 'mpm_event', '', 'no listening sockets available, shutting down');
          gen.log('emerg', '', 'AH00019', 'Unable to open logs, exiting');
          await server.stop({ graceful: action === 'graceful' });
          // httpd's parent exits here without removing its PidFile (checked against 2.4).
          keepPidFile = true;
          return 1;
        }
        // provision failed (e.g. a daemon group cannot start): the old generation stays.
        gen.log(
          'error',
          'core',
          'MW00205',
          `reload failed, keeping the running configuration: ${err instanceof Error ? err.message : String(err)}`,
        );
        continue;
      }
      server.generation.log.log(
        'notice',
        'mpm_event',
        'AH00489',
        'tswsgi/0.1.0 (Apache/2.4.62 compatible) configured -- resuming normal operations',
      );
    }
  } finally {
    removeHandlers();
    try {
      if (!keepPidFile) rmSync(pidFile, { force: true });
    } catch {
      // privileges dropped and the directory is root's: httpd leaves it too
    }
  }
}
