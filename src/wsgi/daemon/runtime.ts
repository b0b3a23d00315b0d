// mod_wsgi: src/server/mod_wsgi.c (wsgi_start_daemons over every WSGIDaemonProcess, and the
// per-generation teardown on graceful restart/stop). All process pools of one server
// Generation, keyed by (process group, application group). Re-exported by supervisor.ts.

import type { DaemonGroupSpec } from './spec.js';
import { PythonResolver } from './python.js';
import { ProcessPool } from './supervisor.js';
import type { PoolOptions } from './supervisor.js';
import type { PoolStatus } from './status.js';

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

  /**
   * Status snapshot of every pool (for a status page and `-S`), ordered by group then
   * application group. Plain JSON: numbers, strings, booleans, null.
   */
  status(): PoolStatus[] {
    return this.pools
      .map((p) => p.status())
      .sort((a, b) =>
        a.group === b.group
          ? a.applicationGroup.localeCompare(b.applicationGroup)
          : a.group.localeCompare(b.group),
      );
  }

  /** Graceful restart of every pool (new workers first). */
  restart(): void {
    for (const p of this.#pools.values()) p.restart();
  }

  /** Stop every pool; each gets its group's shutdown-timeout (or `timeoutMs`). */
  async dispose(timeoutMs?: number): Promise<void> {
    this.#disposed = true;
    await Promise.all(
      [...this.#pools.values()].map((p) =>
        p.stop(timeoutMs ?? Math.max(1, p.spec.shutdownTimeout) * 1000),
      ),
    );
    this.#pools.clear();
  }
}
