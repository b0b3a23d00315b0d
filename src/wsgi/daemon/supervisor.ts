// mod_wsgi: src/server/wsgi_daemon.c (wsgi_start_daemons, wsgi_manage_process: re-fork on
// death, the 20 s anti-fork-bomb sleep, maximum-requests / graceful-timeout / shutdown-
// timeout) and §3.3/§3.4 of the reference (accept queue, daemon restart on script reload).
//
// Differences on purpose: the queue lives in Node (bounded, FIFO, visible, and its timeouts
// apply *while waiting*), startup failures back off exponentially (1 s → 20 s) instead of a
// fixed sleep, a crash fails only the crashed worker's in-flight requests, and recycling
// spawns the replacement before the old worker drains, so no request fails.
//
// Timeouts (timers.ts arms them, this file acts): startup-timeout kills (SIGKILL) and backs
// off; restart-interval supersedes (replacement first, then drain); inactivity-timeout
// retires an idle worker and, when the pool has no preloads, does NOT replace it (the pool
// is lazy again and the next request starts a worker, as at boot; with preloads it is
// replaced at once, as mod_wsgi re-forks, so the preloaded app stays warm); request-timeout
// answers 504 for that request only and recycles the worker only if the thread is still
// busy graceful-timeout later; a worker that misses its heartbeat gets SIGABRT (faulthandler
// dumps the stacks) then SIGKILL. Every forced stop escalates SHUTDOWN → SIGTERM → SIGKILL.

import type { DaemonGroupSpec } from './spec.js';
import type { ErrorLog } from '../../logging/error-log.js';
import { PythonResolver, workerPackageDir } from './python.js';
import { WorkerProcess, describeExit } from './worker-process.js';
import type { StreamHandler, WorkerStream } from './worker-process.js';
import { planSpawn, workerConfig } from './spawn-config.js';
import { WorkerWatch, watchTimings } from './timers.js';
import type { WatchTimings } from './timers.js';
import { workerStatus } from './status.js';
import { Reaper } from './reaper.js';
import { TimeoutPolicy } from './timeout-policy.js';
import type { PoolStatus } from './status.js';

import { PoolError, WaitQueue } from './wait-queue.js';

export { WsgiRuntime } from './runtime.js';
export { PoolError } from './wait-queue.js';

/** Tunables (mostly for tests); defaults follow mod_wsgi where it has one. */
export interface PoolOptions {
  readonly log: ErrorLog;
  readonly python?: PythonResolver;
  readonly packageDir?: string;
  /** First startup-failure backoff, ms (default 1000); doubles up to backoffMaxMs. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Bounded wait queue (mod_wsgi: listen-backlog 100). */
  readonly maxQueue?: number;
  /** The server's User/Group, used when the group names none. */
  readonly defaultUser?: string | undefined;
  readonly defaultGroup?: string | undefined;
  /** Extra environment for workers. */
  readonly env?: NodeJS.ProcessEnv;
  /** Called for each spawned worker (tests set a frame tap here). */
  readonly onSpawn?: (w: WorkerProcess) => void;
  /** SIGTERM → SIGKILL delay of a forced stop, ms (default 3000, Apache's). */
  readonly killGraceMs?: number;
  /** Timer overrides (tests: short heartbeats). */
  readonly timings?: Partial<WatchTimings>;
}

/** The process pool for one DaemonGroupSpec + application group. */
export class ProcessPool {
  readonly spec: DaemonGroupSpec;
  readonly applicationGroup: string;
  readonly #log: ErrorLog;
  readonly #python: PythonResolver;
  readonly #packageDir: string;
  readonly #backoffBase: number;
  readonly #backoffMax: number;
  readonly #maxQueue: number;
  readonly #opts: PoolOptions;
  readonly #reaper: Reaper;
  readonly #policy: TimeoutPolicy;
  readonly #timings: WatchTimings;
  readonly #workers = new Map<WorkerProcess, WorkerWatch>();
  readonly #queue = new WaitQueue();
  #started = false;
  /** Fresh workers wanted: `processes` once started, less after idle retirements. */
  #want = 0;
  #stopping = false;
  #spawning = 0;
  #failures = 0;
  #backoffTimer: NodeJS.Timeout | undefined;
  readonly #drainTimers = new Map<WorkerProcess, NodeJS.Timeout>();

  constructor(spec: DaemonGroupSpec, applicationGroup: string, opts: PoolOptions) {
    this.spec = spec;
    this.applicationGroup = applicationGroup;
    this.#opts = opts;
    this.#log = opts.log;
    this.#python = opts.python ?? new PythonResolver();
    this.#packageDir = opts.packageDir ?? workerPackageDir();
    this.#backoffBase = opts.backoffBaseMs ?? 1000;
    this.#backoffMax = opts.backoffMaxMs ?? 20000;
    this.#maxQueue = opts.maxQueue ?? 100;
    this.#reaper = new Reaper(this.#log, spec.name, opts.killGraceMs ?? 3000);
    this.#timings = watchTimings(spec, opts.timings);
    const replace = (w: WorkerProcess): void => {
      w.retiring = true;
      w.superseded = false;
      this.#reconcile();
    };
    this.#policy = new TimeoutPolicy({
      spec,
      log: this.#log,
      reaper: this.#reaper,
      stopping: () => this.#stopping,
      queued: () => this.#queue.length > 0,
      lazy: () => this.preloads.length === 0,
      replace,
      retire: (w) => this.#retire(w),
      shutdownWorker: (w) => this.#shutdownWorker(w),
      supersede: (w) => {
        w.superseded = true;
        this.#reconcile();
      },
      shrink: () => (this.#want = Math.max(0, this.#want - 1)),
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
    if (this.#stopping) return;
    this.#started = true;
    this.#want = Math.max(1, this.spec.processes);
    this.#reconcile();
  }

  /** Live workers (for status pages and tests). */
  get workers(): readonly WorkerProcess[] {
    return [...this.#workers.keys()];
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
      spawning: this.#spawning,
      startupFailures: this.#failures,
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
    for (const w of this.#workers.keys()) {
      const seen = w.scripts.get(script);
      if (seen !== undefined && seen !== mtimeMs && !w.retiring) {
        this.#log.log(
          'info',
          'wsgi',
          'MW00210',
          `script ${script} changed; restarting daemon process (pid ${String(w.pid)}) of group '${this.spec.name}'`,
        );
        this.#retire(w);
        any = true;
      }
    }
    return any;
  }

  /** Get a stream on a worker for one request: now, or after queueing. */
  open(script: string, mtimeMs: number, handler: StreamHandler): Promise<WorkerStream> {
    if (this.#stopping)
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
        this.#anyReady()
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
    if (this.#stopping) return;
    for (const w of this.#workers.keys()) if (!w.retiring) w.superseded = true;
    this.#failures = 0;
    this.#reconcile();
  }

  /**
   * Drain in-flight requests: SHUTDOWN (the worker's own deadline is a little under
   * `timeoutMs`), SIGTERM at `timeoutMs`, SIGKILL killGraceMs later. Resolves once all exited.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    if (this.#backoffTimer) clearTimeout(this.#backoffTimer);
    for (const t of this.#drainTimers.values()) clearTimeout(t);
    this.#drainTimers.clear();
    this.#queue.rejectAll(
      new PoolError(503, `daemon process group '${this.spec.name}' is shutting down`),
    );
    const workers = this.workers;
    for (const w of workers) {
      this.#workers.get(w)?.stop();
      if (w.state === 'ready') {
        w.shutdown(timeoutMs - Math.min(250, timeoutMs / 4));
        this.#reaper.escalate(w, timeoutMs, 'stop');
      } else {
        w.kill('SIGTERM');
        this.#reaper.escalate(w, 0, 'stop');
      }
    }
    await Promise.all(workers.map((w) => w.exited));
  }

  #anyReady(): boolean {
    for (const w of this.#workers.keys()) if (w.state === 'ready' && !w.retiring) return true;
    return false;
  }

  /** Least-loaded ready worker with a free thread; superseded ones only as a fallback. */
  #pick(): WorkerProcess | undefined {
    let best: WorkerProcess | undefined;
    let rank = Infinity;
    for (const w of this.#workers.keys()) {
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
    const watch = this.#workers.get(w);
    if (watch) {
      const rw = watch.request(
        (ms) => this.#policy.requestTimedOut(s, ms),
        (ms) => this.#policy.requestWedged(s, ms),
      );
      s.onClosed = () => rw.close();
    }
    const max = this.spec.maximumRequests;
    if (max > 0 && w.dispatched >= max) {
      this.#log.log(
        'info',
        'wsgi',
        'MW00211',
        `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' reached maximum-requests (${max}); recycling it`,
      );
      this.#retire(w);
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

  /** Stop routing to `w`, start its replacement, SHUTDOWN it once idle (or after graceful-timeout). */
  #retire(w: WorkerProcess): void {
    if (w.retiring) return;
    w.retiring = true;
    w.superseded = false;
    this.#reconcile();
    if (w.state !== 'ready') {
      w.kill('SIGTERM');
      return;
    }
    if (w.liveInFlight === 0) this.#shutdownWorker(w);
    else if (this.spec.gracefulTimeout > 0) {
      this.#drainTimers.set(
        w,
        setTimeout(() => this.#shutdownWorker(w), this.spec.gracefulTimeout * 1000),
      );
    }
  }

  #shutdownWorker(w: WorkerProcess): void {
    const t = this.#drainTimers.get(w);
    if (t) clearTimeout(t);
    this.#drainTimers.delete(w);
    if (w.state === 'exited' || this.#reaper.has(w)) return;
    const ms = Math.max(1, this.spec.shutdownTimeout) * 1000;
    w.shutdown(ms);
    this.#reaper.escalate(w, ms + Math.min(1000, this.#reaper.graceMs), 'shutdown-timeout');
  }

  /** Keep `processes` fresh workers alive; after startup failures, one probe at a time. */
  #reconcile(): void {
    if (this.#stopping || !this.#started || this.#backoffTimer) return;
    let fresh = this.#spawning;
    for (const w of this.#workers.keys())
      if (!w.retiring && !w.superseded && w.state !== 'exited') fresh++;
    const want = this.#want;
    while (fresh < want) {
      if (this.#failures > 0 && this.#spawning + this.#startingCount() > 0) break;
      fresh++;
      void this.#spawn();
      if (this.#failures > 0) break;
    }
  }

  #startingCount(): number {
    let n = 0;
    for (const w of this.#workers.keys()) if (w.state === 'starting') n++;
    return n;
  }

  #startupFailed(why: string): void {
    this.#failures++;
    const delay = Math.min(this.#backoffMax, this.#backoffBase * 2 ** (this.#failures - 1));
    this.#log.log(
      'error',
      'wsgi',
      'MW00212',
      `daemon process of group '${this.spec.name}' failed to start: ${why}; retrying in ${delay} ms`,
    );
    if (this.#stopping) return;
    if (this.#backoffTimer) clearTimeout(this.#backoffTimer);
    this.#backoffTimer = setTimeout(() => {
      this.#backoffTimer = undefined;
      this.#reconcile();
    }, delay);
  }

  async #spawn(): Promise<void> {
    this.#spawning++;
    let w: WorkerProcess;
    try {
      const { python, account, env, cwd } = await planSpawn(this.spec, {
        ...this.#opts,
        python: this.#python,
        packageDir: this.#packageDir,
      });
      if (this.#stopping) {
        this.#spawning--;
        return;
      }
      const config = workerConfig(this.spec, this.applicationGroup, this.preloads, cwd);
      w = new WorkerProcess({
        python,
        packageDir: this.#packageDir,
        config,
        uid: account?.uid,
        gid: account?.gid,
        cwd,
        env,
        log: this.#log,
      });
    } catch (e) {
      this.#spawning--;
      this.#startupFailed(e instanceof Error ? e.message : String(e));
      return;
    }
    this.#spawning--;
    const watch = new WorkerWatch(w, this.#timings, this.#policy.eventsFor(w));
    this.#workers.set(w, watch);
    w.bind({
      hello: (x) => this.#onHello(x),
      exit: (x) => this.#onExit(x),
      streamClosed: (x) => this.#onStreamClosed(x),
      pong: () => watch.pong(),
    });
    watch.spawned();
    this.#opts.onSpawn?.(w);
    if (w.pid === undefined) return;
    this.#log.log(
      'info',
      'wsgi',
      'MW00213',
      `starting daemon process (pid ${w.pid}) of group '${this.spec.name}'`,
      { pid: w.pid },
    );
  }

  #onHello(w: WorkerProcess): void {
    this.#failures = 0;
    const h = w.hello;
    this.#log.log(
      'info',
      'wsgi',
      'MW00216',
      `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' is ready (Python ${h?.python ?? '?'} at ${h?.executable ?? '?'}, application group '${this.applicationGroup}')`,
      w.pid !== undefined ? { pid: w.pid } : {},
    );
    if (this.#backoffTimer) {
      clearTimeout(this.#backoffTimer);
      this.#backoffTimer = undefined;
    }
    if (this.#stopping) {
      w.shutdown(1000);
      return;
    }
    this.#workers.get(w)?.ready();
    // restart(): a fresh worker is up, so one superseded worker can go.
    if (!w.superseded) {
      for (const old of this.#workers.keys()) {
        if (old.superseded && !old.retiring) {
          this.#retire(old);
          break;
        }
      }
    }
    this.#reconcile();
    this.#pump();
  }

  #onStreamClosed(w: WorkerProcess): void {
    if (w.retiring && w.liveInFlight === 0 && w.state === 'ready') this.#shutdownWorker(w);
    this.#pump();
  }

  #onExit(w: WorkerProcess): void {
    this.#workers.get(w)?.stop();
    this.#workers.delete(w);
    clearTimeout(this.#drainTimers.get(w));
    this.#drainTimers.delete(w);
    this.#reaper.forget(w);
    const cause = w.failCause ?? describeExit(w.exitCode, w.exitSignal);
    if (w.hello === undefined && !this.#stopping && !w.retiring) {
      this.#startupFailed(`daemon process (pid ${String(w.pid)}) ${cause} before it was ready`);
    } else if ((!w.retiring || w.failCause !== undefined) && !this.#stopping) {
      this.#log.log(
        'error',
        'wsgi',
        'MW00214',
        `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' ${cause}; starting a replacement`,
      );
    } else {
      this.#log.log(
        'info',
        'wsgi',
        'MW00215',
        `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' ${cause} (${this.#stopping ? 'stopped' : 'retired'})`,
      );
    }
    this.#reconcile();
    this.#pump();
  }
}
