// mod_wsgi: src/server/wsgi_daemon.c (wsgi_start_daemons, wsgi_manage_process: re-fork on
// death, the 20 s anti-fork-bomb sleep, maximum-requests / graceful-timeout / shutdown-
// timeout) and §3.3/§3.4 of the reference (accept queue, daemon restart on script reload).
//
// Differences on purpose: the queue lives in Node (bounded, FIFO, visible, and its timeouts
// apply *while waiting*), startup failures back off exponentially (1 s → 20 s) instead of a
// fixed sleep, a crash fails only the crashed worker's in-flight requests, and recycling
// spawns the replacement before the old worker drains, so no request fails.
//
// This file routes requests; pool-lifecycle.ts spawns, recycles and reaps the workers.
// Timeouts (timers.ts arms them, pool-lifecycle.ts and timeout-policy.ts act): startup-timeout kills (SIGKILL) and backs
// off; restart-interval supersedes (replacement first, then drain); inactivity-timeout
// retires an idle worker and, when the pool has no preloads, does NOT replace it (the pool
// is lazy again and the next request starts a worker, as at boot; with preloads it is
// replaced at once, as mod_wsgi re-forks, so the preloaded app stays warm); request-timeout
// answers 504 for that request only and recycles the worker only if the thread is still
// busy graceful-timeout later; a worker that misses its heartbeat gets SIGABRT (faulthandler
// dumps the stacks) then SIGKILL. Every forced stop escalates SHUTDOWN → SIGTERM → SIGKILL.

import type { DaemonGroupSpec } from './spec.js';
import type { ErrorLog } from '../../logging/error-log.js';
import type { StreamHandler, WorkerProcess, WorkerStream } from './worker-process.js';
import { workerStatus } from './status.js';
import type { PoolStatus } from './status.js';
import { PoolLifecycle } from './pool-lifecycle.js';
import type { PoolOptions } from './pool-lifecycle.js';

import { PoolError, WaitQueue } from './wait-queue.js';

export { WsgiRuntime } from './runtime.js';
export { PoolError } from './wait-queue.js';
export type { PoolOptions } from './pool-lifecycle.js';

/**
 * Default bound of a pool's wait queue: far above any realistic concurrency (wrk -c256 on
 * 30 threads queues ~226), low enough that a flood cannot exhaust memory.
 */
export const DEFAULT_MAX_QUEUE = 4096;

/**
 * The process pool for one DaemonGroupSpec + application group: request routing (pick,
 * queue, maximum-requests, script reloading). Spawning and recycling: pool-lifecycle.ts.
 */
export class ProcessPool {
  readonly spec: DaemonGroupSpec;
  readonly applicationGroup: string;
  readonly #log: ErrorLog;
  readonly #maxQueue: number;
  readonly #queue = new WaitQueue();
  readonly #life: PoolLifecycle;

  constructor(spec: DaemonGroupSpec, applicationGroup: string, opts: PoolOptions) {
    this.spec = spec;
    this.applicationGroup = applicationGroup;
    this.#log = opts.log;
    this.#maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.#life = new PoolLifecycle(spec, applicationGroup, opts, {
      pump: () => this.#pump(),
      queued: () => this.#queue.length > 0,
      preloads: () => this.preloads,
    });
  }

  /** Preloads for this application group (WSGIImportScript) make the pool start eagerly. */
  get preloads(): readonly { script: string; callable: string }[] {
    // The same script may be named twice (WSGIImportScript and a preloading alias): import once.
    const seen = new Set<string>();
    return this.spec.preload
      .filter(
        (p) =>
          p.applicationGroup === this.applicationGroup &&
          !seen.has(p.script) &&
          seen.add(p.script) !== undefined,
      )
      .map((p) => ({ script: p.script, callable: p.callable }));
  }

  /** Start the workers now (otherwise the first request does); wakes a pool gone idle. */
  start(): void {
    this.#life.start();
  }

  /** Live workers (for status pages and tests). */
  get workers(): readonly WorkerProcess[] {
    return [...this.#life.keys()];
  }

  /** A JSON-serialisable snapshot (status page, -S). */
  status(): PoolStatus {
    return {
      group: this.spec.name,
      applicationGroup: this.applicationGroup,
      processes: this.spec.processes,
      threads: this.spec.threads,
      workers: this.workers.map(workerStatus),
      queued: this.#queue.length,
      spawning: this.#life.spawning,
      startupFailures: this.#life.failures,
    };
  }

  /** Requests waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Daemon-mode script reloading: any worker that served `script` with another mtime is
   * retired (replaced, drained). Returns true if one was.
   */
  noteScript(script: string, mtimeMs: number): boolean {
    let any = false;
    for (const w of this.#life.keys()) {
      const seen = w.scripts.get(script);
      if (seen !== undefined && seen !== mtimeMs && !w.retiring) {
        this.#log.log(
          'info',
          'wsgi',
          'MW00210',
          `script ${script} changed; restarting daemon process (pid ${String(w.pid)}) of group '${this.spec.name}'`,
        );
        this.#life.retire(w);
        any = true;
      }
    }
    return any;
  }

  /** Get a stream on a worker for one request: now, or after queueing. */
  open(script: string, mtimeMs: number, handler: StreamHandler): Promise<WorkerStream> {
    if (this.#life.stopping)
      return Promise.reject(
        new PoolError(503, `daemon process group '${this.spec.name}' is shutting down`),
      );
    this.start();
    this.noteScript(script, mtimeMs);
    if (this.#queue.length === 0) {
      const w = this.#pick();
      if (w) return Promise.resolve(this.#assign(w, script, mtimeMs, handler));
    }
    if (this.#queue.length >= this.#maxQueue) {
      return Promise.reject(
        new PoolError(
          503,
          `request queue of daemon process group '${this.spec.name}' is full (${this.#maxQueue} waiting)`,
        ),
      );
    }
    const { queueTimeout: qt, connectTimeout: ct } = this.spec;
    const group = `daemon process group '${this.spec.name}'`;
    const deadlines = [];
    if (qt > 0)
      deadlines.push({
        ms: qt * 1000,
        fail: () =>
          new PoolError(504, `request waited more than queue-timeout (${qt}s) for ${group}`),
      });
    if (ct > 0) {
      const fail = (): PoolError | undefined =>
        this.#life.anyReady()
          ? undefined
          : new PoolError(
              503,
              `no daemon process of group '${this.spec.name}' became ready within connect-timeout (${ct}s)`,
            );
      deadlines.push({ ms: ct * 1000, fail });
    }
    return this.#queue.add(script, mtimeMs, handler, deadlines);
  }

  /** Graceful replacement of every worker: new ones first, old ones drain once a new one is ready. */
  restart(): void {
    this.#life.restart();
  }

  /**
   * Drain in-flight requests: SHUTDOWN (the worker's own deadline is a little under
   * `timeoutMs`), SIGTERM at `timeoutMs`, SIGKILL killGraceMs later. Resolves once all exited.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#life.beginStop();
    this.#queue.rejectAll(
      new PoolError(503, `daemon process group '${this.spec.name}' is shutting down`),
    );
    await this.#life.stopWorkers(timeoutMs);
  }

  /** Least-loaded ready worker with a free thread; superseded ones only as a fallback. */
  #pick(): WorkerProcess | undefined {
    let best: WorkerProcess | undefined;
    let rank = Infinity;
    for (const w of this.#life.keys()) {
      if (w.state !== 'ready' || w.retiring || w.inFlight >= this.spec.threads) continue;
      const r = w.inFlight + (w.superseded ? 1e6 : 0);
      if (r < rank) {
        rank = r;
        best = w;
      }
    }
    return best;
  }

  #assign(w: WorkerProcess, script: string, mtimeMs: number, handler: StreamHandler): WorkerStream {
    w.scripts.set(script, mtimeMs);
    const s = w.openStream(handler);
    this.#life.watchRequest(w, s);
    const max = this.spec.maximumRequests;
    if (max > 0 && w.dispatched >= max) {
      this.#log.log(
        'info',
        'wsgi',
        'MW00211',
        `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' reached maximum-requests (${max}); recycling it`,
      );
      this.#life.retire(w);
    }
    return s;
  }

  /** Hand queued requests to free workers, in FIFO order. */
  #pump(): void {
    for (let head = this.#queue.peek(); head; head = this.#queue.peek()) {
      // A queued request for a changed script must not land on a stale worker.
      this.noteScript(head.script, head.mtimeMs);
      const w = this.#pick();
      if (!w) break;
      this.#queue.take();
      head.resolve(this.#assign(w, head.script, head.mtimeMs, head.handler));
    }
  }
}
