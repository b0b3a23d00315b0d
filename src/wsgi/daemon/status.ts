// mod_wsgi: src/server/wsgi_metrics.c (mod_wsgi.process_metrics / server_metrics) and httpd's
// mod_status scoreboard. A JSON-serialisable snapshot of the daemon pools, for a status page
// and `tswsgi -S` (reference §7 #2: expose queue depth, request age and worker state).

import type { WorkerProcess } from './worker-process.js';

/** One worker process as a status page shows it. */
export interface WorkerStatus {
  readonly pid: number | null;
  /** 'retiring' = draining after recycling, reload, inactivity or a wedged request. */
  readonly state: 'starting' | 'ready' | 'retiring' | 'exited';
  /** Replaced by restart()/restart-interval; serves only until its replacement is ready. */
  readonly superseded: boolean;
  /** Open request streams (including timed-out ones the worker still holds). */
  readonly inFlight: number;
  /** Streams past request-timeout whose thread is still busy. */
  readonly wedged: number;
  /** Requests finished (END or ERROR). */
  readonly served: number;
  /** Requests handed to it. */
  readonly dispatched: number;
  /** ms since the epoch. */
  readonly startedAt: number;
  readonly readyAt: number | null;
  readonly lastActivity: number;
}

/** One (process group, application group) pool. */
export interface PoolStatus {
  /** WSGIDaemonProcess name ('' = embedded). */
  readonly group: string;
  readonly applicationGroup: string;
  /** Configured processes × threads. */
  readonly processes: number;
  readonly threads: number;
  readonly workers: readonly WorkerStatus[];
  /** Requests waiting for a free worker thread. */
  readonly queued: number;
  /** Workers being prepared (interpreter lookup) but not yet spawned. */
  readonly spawning: number;
  /** Consecutive startup failures (backoff in progress when > 0). */
  readonly startupFailures: number;
}

/** Snapshot of one worker. */
export function workerStatus(w: WorkerProcess): WorkerStatus {
  return {
    pid: w.pid ?? null,
    state: w.state === 'exited' ? 'exited' : w.retiring ? 'retiring' : w.state,
    superseded: w.superseded,
    inFlight: w.inFlight,
    wedged: w.inFlight - w.liveInFlight,
    served: w.served,
    dispatched: w.dispatched,
    startedAt: w.spawnedAt,
    readyAt: w.readyAt ?? null,
    lastActivity: w.lastActivity,
  };
}
