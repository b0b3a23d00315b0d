// mod_wsgi: the daemon listener's kernel backlog (listen-backlog) and the queue-timeout /
// connect-timeout checks of wsgi_remote.c. Here the queue is explicit, bounded and FIFO, and
// its deadlines apply while a request waits (reference §3.3, §8 #18).

import type { StreamHandler, WorkerStream } from './worker-process.js';

/** Why a request could not be given a worker; `status` is the HTTP answer. */
export class PoolError extends Error {
  readonly status: 503 | 504;
  constructor(status: 503 | 504, message: string) {
    super(message);
    this.name = 'PoolError';
    this.status = status;
  }
}

/** One request waiting for a worker thread. */
export interface Waiter {
  readonly script: string;
  readonly mtimeMs: number;
  readonly handler: StreamHandler;
  readonly resolve: (s: WorkerStream) => void;
  readonly reject: (e: PoolError) => void;
  readonly timers: NodeJS.Timeout[];
}

/** A deadline of a waiting request: after `ms`, `fail()` says why it is dropped (undefined = keep it). */
export interface WaitDeadline {
  readonly ms: number;
  readonly fail: () => PoolError | undefined;
}

/** The bounded FIFO of requests waiting for a worker thread. */
export class WaitQueue {
  readonly #items: Waiter[] = [];

  get length(): number {
    return this.#items.length;
  }

  /** The oldest waiter. */
  peek(): Waiter | undefined {
    return this.#items[0];
  }

  /** Queue a request; resolved by `take()`'s caller, rejected by a deadline or `rejectAll`. */
  add(
    script: string,
    mtimeMs: number,
    handler: StreamHandler,
    deadlines: readonly WaitDeadline[],
  ): Promise<WorkerStream> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { script, mtimeMs, handler, resolve, reject, timers: [] };
      for (const d of deadlines) {
        waiter.timers.push(
          setTimeout(() => {
            const e = d.fail();
            const i = this.#items.indexOf(waiter);
            if (!e || i < 0) return;
            this.#items.splice(i, 1);
            for (const t of waiter.timers) clearTimeout(t);
            reject(e);
          }, d.ms),
        );
      }
      this.#items.push(waiter);
    });
  }

  /** Remove the oldest waiter (its deadlines are cancelled); the caller resolves it. */
  take(): Waiter | undefined {
    const w = this.#items.shift();
    if (w) for (const t of w.timers) clearTimeout(t);
    return w;
  }

  /** Reject every waiter with `e`. */
  rejectAll(e: PoolError): void {
    for (const w of this.#items.splice(0)) {
      for (const t of w.timers) clearTimeout(t);
      w.reject(e);
    }
  }
}
