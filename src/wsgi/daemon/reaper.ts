// httpd: server/mpm_common.c (ap_reclaim_child_processes: SIGTERM, wait, then SIGKILL) and
// gunicorn's Arbiter.murder_workers (SIGABRT a silent worker, then SIGKILL). The escalation
// timers of one pool; each worker has at most one pending step.

import type { ErrorLog } from '../../logging/error-log.js';
import type { WorkerProcess } from './worker-process.js';

/** Seconds for log lines: 400 → "0.4s". */
export const sec = (ms: number): string => `${+(ms / 1000).toFixed(3)}s`;

/** Forced-stop escalation for the workers of one group. */
export class Reaper {
  readonly #log: ErrorLog;
  readonly #group: string;
  /** SIGTERM (or SIGABRT) → SIGKILL delay, ms. */
  readonly graceMs: number;
  readonly #timers = new Map<WorkerProcess, NodeJS.Timeout>();

  constructor(log: ErrorLog, group: string, graceMs: number) {
    this.#log = log;
    this.#group = group;
    this.graceMs = graceMs;
  }

  /** A kill is already scheduled for `w`. */
  has(w: WorkerProcess): boolean {
    return this.#timers.has(w);
  }

  /** SIGTERM after `afterMs` if `w` is still alive, SIGKILL graceMs later. Replaces any pending step. */
  escalate(w: WorkerProcess, afterMs: number, why: string): void {
    const who = `daemon process (pid ${String(w.pid)}) of group '${this.#group}'`;
    const kill = (): void => {
      if (w.state === 'exited') return;
      this.#log.log(
        'error',
        'wsgi',
        'MW00218',
        `${who} ignored SIGTERM for ${sec(this.graceMs)}; sending SIGKILL`,
      );
      w.kill('SIGKILL');
    };
    const term = (): void => {
      if (w.state === 'exited') return;
      if (afterMs > 0)
        this.#log.log(
          'warn',
          'wsgi',
          'MW00217',
          `${who} still running ${sec(afterMs)} after SHUTDOWN (${why}); sending SIGTERM`,
        );
      w.kill('SIGTERM');
      this.#set(w, kill, this.graceMs);
    };
    this.#set(w, term, afterMs);
  }

  /** A hung worker: SIGABRT now (faulthandler dumps the stacks), SIGKILL graceMs later. */
  abort(w: WorkerProcess): void {
    w.kill('SIGABRT');
    this.#set(w, () => w.kill('SIGKILL'), this.graceMs);
  }

  /** `w` exited: drop its pending step. */
  forget(w: WorkerProcess): void {
    clearTimeout(this.#timers.get(w));
    this.#timers.delete(w);
  }

  #set(w: WorkerProcess, fn: () => void, ms: number): void {
    clearTimeout(this.#timers.get(w));
    this.#timers.set(w, setTimeout(fn, ms));
  }
}
