// mod_wsgi: src/server/wsgi_daemon.c (wsgi_start_daemons, wsgi_manage_process: re-fork on
// death, the 20 s anti-fork-bomb sleep, maximum-requests / graceful-timeout / shutdown-
// timeout).
//
// The lifecycle half of a ProcessPool (supervisor.ts routes requests): keeps `processes`
// fresh workers alive, backs off exponentially after startup failures (1 s → 20 s),
// retires workers (replacement first, then drain, SHUTDOWN, escalation) and reacts to
// HELLO, stream ends and exits. The pool's queue is reached only through PoolHooks.

import { openChannelPair } from './channel-pair.js';
import type { ChannelPair } from './channel-pair.js';
import type { DaemonGroupSpec } from './spec.js';
import type { ErrorLog } from '../../logging/error-log.js';
import { PythonResolver, workerPackageDir } from './python.js';
import { WorkerProcess, describeExit } from './worker-process.js';
import type { WorkerStream } from './worker-process.js';
import { planSpawn, workerConfig } from './spawn-config.js';
import { WorkerWatch, watchTimings } from './timers.js';
import type { WatchTimings } from './timers.js';
import { Reaper } from './reaper.js';
import { TimeoutPolicy } from './timeout-policy.js';

/** Tunables (mostly for tests); defaults follow mod_wsgi where it has one. */
export interface PoolOptions {
  readonly log: ErrorLog;
  /** The scoreboard for mod_wsgi.server_metrics() (WorkerProcess's SpawnOptions). */
  readonly serverMetrics?: (() => unknown) | undefined;
  readonly python?: PythonResolver;
  readonly packageDir?: string;
  /** First startup-failure backoff, ms (default 1000); doubles up to backoffMaxMs. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /**
   * Requests that may wait for a free worker thread (default DEFAULT_MAX_QUEUE); past it,
   * 503. mod_wsgi's own queue is the kernel backlog of the daemon socket (listen-backlog
   * 100) *behind* Apache's MaxRequestWorkers threads, which hold further requests in the
   * TCP accept queue; here the front end accepts every connection, so this queue stands
   * for both. Waiting is bounded in time by queue-timeout (504), not by this count.
   */
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

/** What the lifecycle needs from the routing half of its pool. */
export interface PoolHooks {
  /** Hand queued requests to free workers. */
  pump(): void;
  /** True while requests wait for a worker. */
  queued(): boolean;
  /** The application group's preloads (WSGIImportScript). */
  preloads(): readonly { script: string; callable: string }[];
}

/** The workers of one pool: spawn, reconcile, back off, retire, reap. */
export class PoolLifecycle {
  readonly #spec: DaemonGroupSpec;
  readonly #applicationGroup: string;
  readonly #hooks: PoolHooks;
  readonly #log: ErrorLog;
  readonly #python: PythonResolver;
  readonly #packageDir: string;
  readonly #backoffBase: number;
  readonly #backoffMax: number;
  readonly #opts: PoolOptions;
  readonly #reaper: Reaper;
  readonly #policy: TimeoutPolicy;
  readonly #timings: WatchTimings;
  readonly #workers = new Map<WorkerProcess, WorkerWatch>();
  #started = false;
  /** Fresh workers wanted: `processes` once started, less after idle retirements. */
  #want = 0;
  #stopping = false;
  #spawning = 0;
  #failures = 0;
  #backoffTimer: NodeJS.Timeout | undefined;
  readonly #drainTimers = new Map<WorkerProcess, NodeJS.Timeout>();

  constructor(
    spec: DaemonGroupSpec,
    applicationGroup: string,
    opts: PoolOptions,
    hooks: PoolHooks,
  ) {
    this.#spec = spec;
    this.#applicationGroup = applicationGroup;
    this.#hooks = hooks;
    this.#opts = opts;
    this.#log = opts.log;
    this.#python = opts.python ?? new PythonResolver();
    this.#packageDir = opts.packageDir ?? workerPackageDir();
    this.#backoffBase = opts.backoffBaseMs ?? 1000;
    this.#backoffMax = opts.backoffMaxMs ?? 20000;
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
      queued: () => hooks.queued(),
      lazy: () => hooks.preloads().length === 0,
      replace,
      retire: (w) => this.retire(w),
      shutdownWorker: (w) => this.#shutdownWorker(w),
      supersede: (w) => {
        w.superseded = true;
        this.#reconcile();
      },
      shrink: () => (this.#want = Math.max(0, this.#want - 1)),
    });
  }

  /** True once stop() began. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Workers being spawned (not yet a process). */
  get spawning(): number {
    return this.#spawning;
  }

  /** Consecutive startup failures. */
  get failures(): number {
    return this.#failures;
  }

  /** Live workers, in spawn order (no copy: do not retire while iterating a caller's loop). */
  keys(): MapIterator<WorkerProcess> {
    return this.#workers.keys();
  }

  /** Start the workers now (otherwise the first request does); wakes a pool gone idle. */
  start(): void {
    if (this.#stopping) return;
    this.#started = true;
    this.#want = Math.max(1, this.#spec.processes);
    this.#reconcile();
  }

  /** Graceful replacement of every worker: new ones first, old ones drain once a new one is ready. */
  restart(): void {
    if (this.#stopping) return;
    for (const w of this.#workers.keys()) if (!w.retiring) w.superseded = true;
    this.#failures = 0;
    this.#reconcile();
  }

  /** First half of stop(): no more spawning, no pending backoff or drain timers. */
  beginStop(): void {
    this.#stopping = true;
    if (this.#backoffTimer) clearTimeout(this.#backoffTimer);
    for (const t of this.#drainTimers.values()) clearTimeout(t);
    this.#drainTimers.clear();
  }

  /**
   * Second half of stop(): SHUTDOWN (the worker's own deadline is a little under
   * `timeoutMs`), SIGTERM at `timeoutMs`, SIGKILL killGraceMs later. Resolves once all exited.
   */
  async stopWorkers(timeoutMs: number): Promise<void> {
    const workers = [...this.#workers.keys()];
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

  /** True if some worker is ready and not retiring. */
  anyReady(): boolean {
    for (const w of this.#workers.keys()) if (w.state === 'ready' && !w.retiring) return true;
    return false;
  }

  /** Arm request-timeout (and the wedge check) for a stream just opened on `w`. */
  watchRequest(w: WorkerProcess, s: WorkerStream): void {
    const watch = this.#workers.get(w);
    if (watch) {
      const rw = watch.request(
        (ms) => this.#policy.requestTimedOut(s, ms),
        (ms) => this.#policy.requestWedged(s, ms),
      );
      s.onClosed = () => rw.close();
    }
  }

  /** Stop routing to `w`, start its replacement, SHUTDOWN it once idle (or after graceful-timeout). */
  retire(w: WorkerProcess): void {
    if (w.retiring) return;
    w.retiring = true;
    w.superseded = false;
    this.#reconcile();
    if (w.state !== 'ready') {
      w.kill('SIGTERM');
      return;
    }
    if (w.liveInFlight === 0) this.#shutdownWorker(w);
    else if (this.#spec.gracefulTimeout > 0) {
      this.#drainTimers.set(
        w,
        setTimeout(() => this.#shutdownWorker(w), this.#spec.gracefulTimeout * 1000),
      );
    }
  }

  #shutdownWorker(w: WorkerProcess): void {
    const t = this.#drainTimers.get(w);
    if (t) clearTimeout(t);
    this.#drainTimers.delete(w);
    if (w.state === 'exited' || this.#reaper.has(w)) return;
    const ms = Math.max(1, this.#spec.shutdownTimeout) * 1000;
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
      `daemon process of group '${this.#spec.name}' failed to start: ${why}; retrying in ${delay} ms`,
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
    let channel: ChannelPair | undefined;
    try {
      const plan = await planSpawn(this.#spec, {
        ...this.#opts,
        python: this.#python,
        packageDir: this.#packageDir,
      });
      if (this.#stopping) {
        this.#spawning--;
        return;
      }
      const { python, env, cwd } = plan;
      const preloads = this.#hooks.preloads();
      const config = workerConfig(this.#spec, this.#applicationGroup, preloads, cwd, plan);
      channel = await openChannelPair();
      if (this.#stopping) {
        channel.ours.destroy();
        channel.theirs.destroy();
        this.#spawning--;
        return;
      }
      // The worker switches user itself (plan.process.privileges), not spawn().
      w = new WorkerProcess({
        python,
        packageDir: this.#packageDir,
        config,
        uid: undefined,
        gid: undefined,
        cwd,
        env,
        channel,
        log: this.#log,
        serverMetrics: this.#opts.serverMetrics,
      });
    } catch (e) {
      channel?.ours.destroy();
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
      stopping: (x, why) => this.#onStopping(x, why),
    });
    watch.spawned();
    this.#opts.onSpawn?.(w);
    if (w.pid === undefined) return;
    this.#log.log(
      'info',
      'wsgi',
      'MW00213',
      `starting daemon process (pid ${w.pid}) of group '${this.#spec.name}'`,
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
      `daemon process (pid ${String(w.pid)}) of group '${this.#spec.name}' is ready (Python ${h?.python ?? '?'} at ${h?.executable ?? '?'}, application group '${this.#applicationGroup}')`,
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
          this.retire(old);
          break;
        }
      }
    }
    this.#reconcile();
    this.#hooks.pump();
  }

  /** The worker stops by itself: retire it (replacement first, SHUTDOWN once it is idle). */
  #onStopping(w: WorkerProcess, why: string): void {
    if (w.retiring || this.#stopping) return;
    this.#log.log(
      'info',
      'wsgi',
      'MW00231',
      `daemon process (pid ${String(w.pid)}) of group '${this.#spec.name}' is stopping by itself (${why}); routing new requests elsewhere`,
      w.pid !== undefined ? { pid: w.pid } : {},
    );
    this.retire(w);
  }

  #onStreamClosed(w: WorkerProcess): void {
    if (w.retiring && w.liveInFlight === 0 && w.state === 'ready') this.#shutdownWorker(w);
    this.#hooks.pump();
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
        `daemon process (pid ${String(w.pid)}) of group '${this.#spec.name}' ${cause}; starting a replacement`,
      );
    } else {
      this.#log.log(
        'info',
        'wsgi',
        'MW00215',
        `daemon process (pid ${String(w.pid)}) of group '${this.#spec.name}' ${cause} (${this.#stopping ? 'stopped' : 'retired'})`,
      );
    }
    this.#reconcile();
    this.#hooks.pump();
  }
}
