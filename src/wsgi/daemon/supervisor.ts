// mod_wsgi: src/server/wsgi_daemon.c (wsgi_start_daemons, wsgi_manage_process: re-fork on
// death, the 20 s anti-fork-bomb sleep, maximum-requests / graceful-timeout / shutdown-
// timeout) and §3.3/§3.4 of the reference (accept queue, daemon restart on script reload).
//
// Differences on purpose: the queue lives in Node (bounded, FIFO, visible, and its timeouts
// apply *while waiting*), startup failures back off exponentially (1 s → 20 s) instead of a
// fixed sleep, a crash fails only the crashed worker's in-flight requests, and recycling
// spawns the replacement before the old worker drains, so no request fails.

import type { DaemonGroupSpec } from './spec.js';
import type { ErrorLog } from '../../logging/error-log.js';
import { PythonResolver, canSwitchUser, checkAccess, lookupAccount, workerPackageDir } from './python.js';
import type { Account } from './python.js';
import { WorkerProcess, describeExit } from './worker-process.js';
import type { StreamHandler, WorkerConfig, WorkerStream } from './worker-process.js';

/** Why a request could not be given a worker; `status` is the HTTP answer. */
export class PoolError extends Error {
  readonly status: 503 | 504;
  constructor(status: 503 | 504, message: string) {
    super(message);
    this.name = 'PoolError';
    this.status = status;
  }
}

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
}

interface Waiter {
  readonly script: string;
  readonly mtimeMs: number;
  readonly handler: StreamHandler;
  readonly resolve: (s: WorkerStream) => void;
  readonly reject: (e: PoolError) => void;
  readonly timers: NodeJS.Timeout[];
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
  readonly #workers = new Set<WorkerProcess>();
  readonly #queue: Waiter[] = [];
  #started = false;
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
  }

  /** Preloads for this application group (WSGIImportScript) make the pool start eagerly. */
  get preloads(): readonly { script: string; callable: string }[] {
    return this.spec.preload.filter((p) => p.applicationGroup === this.applicationGroup).map((p) => ({ script: p.script, callable: p.callable }));
  }

  /** Start the workers now (otherwise the first request does). */
  start(): void {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    this.#reconcile();
  }

  /** Live workers (for status pages and tests). */
  get workers(): readonly WorkerProcess[] {
    return [...this.#workers];
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
    for (const w of this.#workers) {
      const seen = w.scripts.get(script);
      if (seen !== undefined && seen !== mtimeMs && !w.retiring) {
        this.#log.log('info', 'wsgi', 'MW00210', `script ${script} changed; restarting daemon process (pid ${String(w.pid)}) of group '${this.spec.name}'`);
        this.#retire(w);
        any = true;
      }
    }
    return any;
  }

  /** Get a stream on a worker for one request: now, or after queueing. */
  open(script: string, mtimeMs: number, handler: StreamHandler): Promise<WorkerStream> {
    if (this.#stopping) return Promise.reject(new PoolError(503, `daemon process group '${this.spec.name}' is shutting down`));
    this.start();
    this.noteScript(script, mtimeMs);
    if (this.#queue.length === 0) {
      const w = this.#pick();
      if (w) return Promise.resolve(this.#assign(w, script, mtimeMs, handler));
    }
    if (this.#queue.length >= this.#maxQueue) {
      return Promise.reject(new PoolError(503, `request queue of daemon process group '${this.spec.name}' is full (${this.#maxQueue} waiting)`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { script, mtimeMs, handler, resolve, reject, timers: [] };
      const drop = (e: PoolError): void => {
        const i = this.#queue.indexOf(waiter);
        if (i < 0) return;
        this.#queue.splice(i, 1);
        for (const t of waiter.timers) clearTimeout(t);
        reject(e);
      };
      const { queueTimeout, connectTimeout } = this.spec;
      if (queueTimeout > 0) {
        waiter.timers.push(setTimeout(() => drop(new PoolError(504, `request waited more than queue-timeout (${queueTimeout}s) for daemon process group '${this.spec.name}'`)), queueTimeout * 1000));
      }
      if (connectTimeout > 0) {
        waiter.timers.push(
          setTimeout(() => {
            if (!this.#anyReady()) drop(new PoolError(503, `no daemon process of group '${this.spec.name}' became ready within connect-timeout (${connectTimeout}s)`));
          }, connectTimeout * 1000),
        );
      }
      this.#queue.push(waiter);
    });
  }

  /** Graceful replacement of every worker: new ones first, old ones drain once a new one is ready. */
  restart(): void {
    if (this.#stopping) return;
    for (const w of this.#workers) if (!w.retiring) w.superseded = true;
    this.#failures = 0;
    this.#reconcile();
  }

  /** Drain in-flight, SHUTDOWN, then SIGTERM / SIGKILL after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    if (this.#backoffTimer) clearTimeout(this.#backoffTimer);
    for (const t of this.#drainTimers.values()) clearTimeout(t);
    this.#drainTimers.clear();
    for (const w of this.#queue.splice(0)) {
      for (const t of w.timers) clearTimeout(t);
      w.reject(new PoolError(503, `daemon process group '${this.spec.name}' is shutting down`));
    }
    const workers = [...this.#workers];
    for (const w of workers) {
      if (w.state === 'ready') w.shutdown(timeoutMs);
      else w.kill('SIGTERM');
    }
    const all = Promise.all(workers.map((w) => w.exited));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
    if ((await Promise.race([all, late])) === 'late') {
      for (const w of workers) w.kill('SIGTERM');
      const kill = setTimeout(() => workers.forEach((w) => w.kill('SIGKILL')), 1000);
      await all;
      clearTimeout(kill);
    }
    clearTimeout(timer);
  }

  #anyReady(): boolean {
    for (const w of this.#workers) if (w.state === 'ready' && !w.retiring) return true;
    return false;
  }

  /** Least-loaded ready worker with a free thread; superseded ones only as a fallback. */
  #pick(): WorkerProcess | undefined {
    let best: WorkerProcess | undefined;
    let rank = Infinity;
    for (const w of this.#workers) {
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
    const max = this.spec.maximumRequests;
    if (max > 0 && w.dispatched >= max) {
      this.#log.log('info', 'wsgi', 'MW00211', `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' reached maximum-requests (${max}); recycling it`);
      this.#retire(w);
    }
    return s;
  }

  /** Hand queued requests to free workers, in FIFO order. */
  #pump(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      if (!head) break;
      // A queued request for a changed script must not land on a stale worker.
      this.noteScript(head.script, head.mtimeMs);
      const w = this.#pick();
      if (!w) break;
      this.#queue.shift();
      for (const t of head.timers) clearTimeout(t);
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
    if (w.inFlight === 0) this.#shutdownWorker(w);
    else if (this.spec.gracefulTimeout > 0) {
      this.#drainTimers.set(w, setTimeout(() => this.#shutdownWorker(w), this.spec.gracefulTimeout * 1000));
    }
  }

  #shutdownWorker(w: WorkerProcess): void {
    const t = this.#drainTimers.get(w);
    if (t) clearTimeout(t);
    this.#drainTimers.delete(w);
    if (w.state === 'exited') return;
    const ms = Math.max(1, this.spec.shutdownTimeout) * 1000;
    w.shutdown(ms);
    const kill = setTimeout(() => w.kill('SIGKILL'), ms + 1000);
    void w.exited.then(() => clearTimeout(kill));
  }

  /** Keep `processes` fresh workers alive; after startup failures, one probe at a time. */
  #reconcile(): void {
    if (this.#stopping || !this.#started || this.#backoffTimer) return;
    let fresh = this.#spawning;
    for (const w of this.#workers) if (!w.retiring && !w.superseded && w.state !== 'exited') fresh++;
    const want = Math.max(1, this.spec.processes);
    while (fresh < want) {
      if (this.#failures > 0 && this.#spawning + this.#startingCount() > 0) break;
      fresh++;
      void this.#spawn();
      if (this.#failures > 0) break;
    }
  }

  #startingCount(): number {
    let n = 0;
    for (const w of this.#workers) if (w.state === 'starting') n++;
    return n;
  }

  #startupFailed(why: string): void {
    this.#failures++;
    const delay = Math.min(this.#backoffMax, this.#backoffBase * 2 ** (this.#failures - 1));
    this.#log.log('error', 'wsgi', 'MW00212', `daemon process of group '${this.spec.name}' failed to start: ${why}; retrying in ${delay} ms`);
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
      const { python, account, env, cwd } = await this.#prepare();
      if (this.#stopping) {
        this.#spawning--;
        return;
      }
      w = new WorkerProcess({
        python,
        packageDir: this.#packageDir,
        config: this.#config(cwd),
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
    this.#workers.add(w);
    w.bind({
      hello: (x) => this.#onHello(x),
      exit: (x) => this.#onExit(x),
      streamClosed: (x) => this.#onStreamClosed(x),
    });
    this.#opts.onSpawn?.(w);
    if (w.pid === undefined) return;
    this.#log.log('info', 'wsgi', 'MW00213', `starting daemon process (pid ${w.pid}) of group '${this.spec.name}'`, { pid: w.pid });
  }

  async #prepare(): Promise<{ python: string; account: Account | undefined; env: NodeJS.ProcessEnv; cwd: string }> {
    const python = await this.#python.resolve(this.spec.pythonHome);
    const user = this.spec.user ?? this.#opts.defaultUser;
    let account: Account | undefined;
    if (user !== undefined && canSwitchUser()) {
      account = lookupAccount(user, this.spec.group ?? this.#opts.defaultGroup);
      if (account.uid !== process.getuid?.()) checkAccess(python, this.#packageDir, account);
      else account = undefined;
    }
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.#opts.env };
    if (this.spec.lang !== undefined) env['LANG'] = this.spec.lang;
    if (this.spec.locale !== undefined) env['LC_ALL'] = this.spec.locale;
    if (account?.home !== undefined) {
      env['HOME'] = account.home;
      env['USER'] = account.name;
      env['LOGNAME'] = account.name;
    }
    const cwd = this.spec.home ?? account?.home ?? process.cwd();
    return { python, account, env, cwd };
  }

  #config(home: string): WorkerConfig {
    const s = this.spec;
    return {
      fd: 3,
      threads: s.threads,
      processGroup: s.name,
      applicationGroup: this.applicationGroup,
      pythonPath: s.pythonPath,
      home,
      displayName: s.displayName ?? null,
      preload: this.preloads,
      multithread: s.threads > 1,
      multiprocess: s.processes > 1 || s.processesExplicit,
      runOnce: false,
      maximumProcesses: s.processes,
      threadsPerProcess: s.threads,
      restrictStdout: false,
      lang: s.lang ?? null,
      locale: s.locale ?? null,
    };
  }

  #onHello(w: WorkerProcess): void {
    this.#failures = 0;
    const h = w.hello;
    this.#log.log('info', 'wsgi', 'MW00216', `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' is ready (Python ${h?.python ?? '?'} at ${h?.executable ?? '?'}, application group '${this.applicationGroup}')`, w.pid !== undefined ? { pid: w.pid } : {});
    if (this.#backoffTimer) {
      clearTimeout(this.#backoffTimer);
      this.#backoffTimer = undefined;
    }
    if (this.#stopping) {
      w.shutdown(1000);
      return;
    }
    // restart(): a fresh worker is up, so one superseded worker can go.
    if (!w.superseded) {
      for (const old of this.#workers) {
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
    if (w.retiring && w.inFlight === 0 && w.state === 'ready') this.#shutdownWorker(w);
    this.#pump();
  }

  #onExit(w: WorkerProcess): void {
    this.#workers.delete(w);
    const t = this.#drainTimers.get(w);
    if (t) clearTimeout(t);
    this.#drainTimers.delete(w);
    const cause = w.failCause ?? describeExit(w.exitCode, w.exitSignal);
    if (w.hello === undefined && !this.#stopping && !w.retiring) {
      this.#startupFailed(`daemon process (pid ${String(w.pid)}) ${cause} before it was ready`);
    } else if (!w.retiring && !this.#stopping) {
      this.#log.log('error', 'wsgi', 'MW00214', `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' ${cause}; starting a replacement`);
    } else {
      this.#log.log('info', 'wsgi', 'MW00215', `daemon process (pid ${String(w.pid)}) of group '${this.spec.name}' ${cause} (${this.#stopping ? 'stopped' : 'retired'})`);
    }
    this.#reconcile();
    this.#pump();
  }
}

/** All process pools of one server Generation, keyed by (group, application group). */
export class WsgiRuntime {
  readonly #pools = new Map<string, ProcessPool>();
  readonly #opts: Omit<PoolOptions, 'python'>;
  readonly #python: PythonResolver;
  #disposed = false;

  constructor(opts: PoolOptions) {
    this.#opts = opts;
    this.#python = opts.python ?? new PythonResolver();
  }

  /** The pool for `spec` + `applicationGroup`, created (and started if it preloads) on first use. */
  getPool(spec: DaemonGroupSpec, applicationGroup: string): ProcessPool {
    if (this.#disposed) throw new Error('WsgiRuntime is disposed');
    const key = `${spec.name}\u0000${applicationGroup}`;
    let p = this.#pools.get(key);
    if (!p) {
      p = new ProcessPool(spec, applicationGroup, { ...this.#opts, python: this.#python });
      this.#pools.set(key, p);
      if (p.preloads.length > 0) p.start();
    }
    return p;
  }

  /** Every pool, for status reporting. */
  get pools(): readonly ProcessPool[] {
    return [...this.#pools.values()];
  }

  /** Graceful restart of every pool (new workers first). */
  restart(): void {
    for (const p of this.#pools.values()) p.restart();
  }

  /** Stop every pool; each gets its group's shutdown-timeout (or `timeoutMs`). */
  async dispose(timeoutMs?: number): Promise<void> {
    this.#disposed = true;
    await Promise.all([...this.#pools.values()].map((p) => p.stop(timeoutMs ?? Math.max(1, p.spec.shutdownTimeout) * 1000)));
    this.#pools.clear();
  }
}
