// mod_wsgi: src/server/wsgi_daemon.c (wsgi_monitor_thread's actions when startup-timeout,
// restart-interval, inactivity-timeout or request-timeout expire; wsgi_deadlock_thread's
// restart). What the pool does when a WorkerWatch (timers.ts) deadline expires; the pool
// (supervisor.ts) supplies the few operations through a PolicyHost.

import type { ErrorLog } from '../../logging/error-log.js';
import type { DaemonGroupSpec } from './spec.js';
import type { WorkerProcess, WorkerStream } from './worker-process.js';
import type { WatchEvents } from './timers.js';
import type { Reaper } from './reaper.js';
import { sec } from './reaper.js';

/** Pool operations the policy needs. */
export interface PolicyHost {
  readonly spec: DaemonGroupSpec;
  readonly log: ErrorLog;
  readonly reaper: Reaper;
  stopping(): boolean;
  /** Requests are waiting for a worker. */
  queued(): boolean;
  /** The pool has no preloads, so it may start lazily on the next request. */
  lazy(): boolean;
  /** Stop routing to `w` and start its replacement (no SHUTDOWN yet). */
  replace(w: WorkerProcess): void;
  /** replace() + SHUTDOWN once drained (graceful-timeout). */
  retire(w: WorkerProcess): void;
  /** SHUTDOWN now with shutdown-timeout, then SIGTERM/SIGKILL. */
  shutdownWorker(w: WorkerProcess): void;
  /** Start a replacement; `w` serves until it is ready, then drains. */
  supersede(w: WorkerProcess): void;
  /** Want one worker fewer (until the next request). */
  shrink(): void;
}

const pidField = (w: WorkerProcess): { pid?: number } =>
  w.pid !== undefined ? { pid: w.pid } : {};

/** Reactions to expired deadlines, for one pool. */
export class TimeoutPolicy {
  readonly #h: PolicyHost;

  constructor(host: PolicyHost) {
    this.#h = host;
  }

  /** The WatchEvents of worker `w`. */
  eventsFor(w: WorkerProcess): WatchEvents {
    return {
      startupTimeout: (ms) => this.startupTimedOut(w, ms),
      restartDue: (ms) => this.restartDue(w, ms),
      idle: (ms) => this.idle(w, ms),
      hung: (ms) => this.hung(w, ms),
      socketSweep: (now) => this.socketSweep(w, now),
    };
  }

  #who(w: WorkerProcess): string {
    return `daemon process (pid ${String(w.pid)}) of group '${this.#h.spec.name}'`;
  }

  /** request-timeout: the request is answered (504) and ABORTed; the thread may stay busy. */
  requestTimedOut(s: WorkerStream, elapsedMs: number): void {
    if (s.closed) return;
    const { spec, log } = this.#h;
    s.timedOut = true;
    if (s.handler.onTimeout) s.handler.onTimeout(elapsedMs);
    else
      log.log(
        'error',
        'wsgi',
        'MW00227',
        `request on ${this.#who(s.worker)} exceeded request-timeout (${spec.requestTimeout}s) after ${sec(elapsedMs)}`,
        pidField(s.worker),
      );
    s.abort();
    const w = s.worker;
    if (w.retiring && w.liveInFlight === 0 && w.state === 'ready') this.#h.shutdownWorker(w);
  }

  /**
   * socket-timeout (mod_wsgi's per-read/write limit on the daemon socket): a stream that
   * has passed nothing to or from its worker for that long is answered by its handler (504
   * before the response started, truncated after) and ABORTed, unless the handler says the
   * request is waiting on its client. The worker is not recycled: the thread may be slow,
   * not stuck (request-timeout and the heartbeat deal with stuck).
   */
  socketSweep(w: WorkerProcess, now: number): void {
    const limit = this.#h.spec.socketTimeout * 1000;
    for (const s of w.openStreams()) {
      if (s.closed || s.timedOut || now - s.lastIo < limit) continue;
      const answered = s.handler.onSocketTimeout?.(now - s.lastIo) ?? true;
      if (!answered) {
        s.lastIo = now;
        continue;
      }
      s.timedOut = true;
      s.abort();
    }
    if (w.retiring && w.liveInFlight === 0 && w.state === 'ready') this.#h.shutdownWorker(w);
  }

  /** Still busy graceful-timeout after request-timeout: recycle the worker (replacement first). */
  requestWedged(s: WorkerStream, elapsedMs: number): void {
    const w = s.worker;
    if (s.closed || w.state !== 'ready') return;
    const { spec, log } = this.#h;
    log.log(
      'error',
      'wsgi',
      'MW00228',
      `${this.#who(w)} still runs a request ${sec(elapsedMs)} after it started (request-timeout ${spec.requestTimeout}s + graceful-timeout ${spec.gracefulTimeout}s); restarting it, its other requests get shutdown-timeout (${spec.shutdownTimeout}s) to finish`,
      pidField(w),
    );
    if (!w.retiring) this.#h.replace(w);
    this.#h.shutdownWorker(w);
  }

  /** No HELLO within startup-timeout: SIGKILL; the exit counts as a startup failure (backoff). */
  startupTimedOut(w: WorkerProcess, elapsedMs: number): void {
    w.markFailed(
      `did not become ready within startup-timeout (${this.#h.spec.startupTimeout}s); killed after ${sec(elapsedMs)}`,
    );
    w.kill('SIGKILL');
  }

  /** restart-interval: replacement first, then the old worker drains. */
  restartDue(w: WorkerProcess, ageMs: number): void {
    if (w.retiring || w.superseded || this.#h.stopping()) return;
    this.#h.log.log(
      'info',
      'wsgi',
      'MW00219',
      `${this.#who(w)} is ${sec(ageMs)} old, past restart-interval (${this.#h.spec.restartInterval}s); replacing it`,
      pidField(w),
    );
    this.#h.supersede(w);
  }

  /** inactivity-timeout: retire; replaced at once only if the pool preloads (see supervisor.ts). */
  idle(w: WorkerProcess, idleMs: number): void {
    if (w.retiring || w.inFlight > 0 || this.#h.queued() || this.#h.stopping()) return;
    const lazy = this.#h.lazy();
    this.#h.log.log(
      'info',
      'wsgi',
      'MW00229',
      `${this.#who(w)} idle for ${sec(idleMs)} (inactivity-timeout ${this.#h.spec.inactivityTimeout}s); stopping it${lazy ? ', the next request starts a new one' : ''}`,
      pidField(w),
    );
    if (lazy) this.#h.shrink();
    this.#h.retire(w);
  }

  /** No PONG in time: SIGABRT (faulthandler stack dump), SIGKILL later, replacement now. */
  hung(w: WorkerProcess, silentMs: number): void {
    if (w.state !== 'ready') return;
    this.#h.log.log(
      'error',
      'wsgi',
      'MW00230',
      `${this.#who(w)} did not answer a heartbeat PING for ${sec(silentMs)}; presumed hung: sending SIGABRT (stack dump), then SIGKILL, and starting a replacement`,
      pidField(w),
    );
    w.markFailed(`was hung (no PONG for ${sec(silentMs)}) and was killed`);
    this.#h.replace(w);
    this.#h.reaper.abort(w);
  }
}
