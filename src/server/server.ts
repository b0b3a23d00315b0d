// httpd: server/main.c + server/mpm/event/event.c (listeners, graceful restart/stop),
// caddy: caddy.go (swap configs: the new one is provisioned in full first).
//
// startServer provisions a Generation, binds every Listen, and serves. reload() builds the
// next generation completely, binds the Listens it adds (keeping the sockets of those that
// stay, as httpd's listen.c does), swaps it in for new requests, closes the Listens it
// dropped, and disposes the old generation once its in-flight requests are done. stop()
// closes listeners; graceful waits for requests.

import type { ConfigIR } from '../config/ir.js';
import type { ErrorLog } from '../logging/error-log.js';
import type { AnyModule } from '../request/runtime.js';
import { Generation } from './generation.js';
import type { GenerationSource } from '../http/server.js';
import { Listeners } from './listeners.js';
import { MODULES } from '../modules/index.js';

/** A started server. */
export interface RunningServer {
  /** The bound addresses, in Listen order (port 0 resolved to the real port). */
  addresses(): { host: string; port: number }[];
  /**
   * Reload: provision `ir`, bind its new Listens, swap it in, close the dropped Listens and
   * retire the connections opened before. graceful (SIGUSR1, the default): in-flight
   * requests finish, then the old generation is disposed. Otherwise (SIGHUP, httpd killing
   * its children): in-flight requests are cut and the old generation (its daemon
   * processes) is disposed at once. A provision failure or a BindError (listeners.ts)
   * leaves the running generation and listeners as they were.
   */
  reload(ir: ConfigIR, opts?: { graceful: boolean }): Promise<void>;
  /** Stop listening; graceful waits for in-flight requests, otherwise connections are cut. */
  stop(opts: { graceful: boolean }): Promise<void>;
  /** The generation serving new requests (tests, -S). */
  readonly generation: Generation;
}

export interface StartOptions {
  /** Error log to use instead of opening the config's ErrorLog (tests, the CLI's stderr). */
  readonly log?: ErrorLog;
  /** Module list; defaults to the built-in MODULES. */
  readonly modules?: readonly AnyModule[];
}

/** Tracks the current generation and the requests each one still serves. */
class Generations implements GenerationSource {
  #current: Generation;
  readonly #active = new Map<Generation, number>();
  readonly #retired = new Set<Generation>();
  #idle: (() => void) | undefined;
  constructor(g: Generation) {
    this.#current = g;
  }
  current(): Generation {
    return this.#current;
  }
  enter(g: Generation): void {
    this.#active.set(g, (this.#active.get(g) ?? 0) + 1);
  }
  leave(g: Generation): void {
    const n = (this.#active.get(g) ?? 1) - 1;
    if (n > 0) {
      this.#active.set(g, n);
      return;
    }
    this.#active.delete(g);
    if (this.#retired.has(g)) this.#dispose(g);
    if (this.#active.size === 0) this.#idle?.();
  }
  /** Make `g` current; returns the generation it replaced (see retire). */
  swap(g: Generation): Generation {
    const old = this.#current;
    this.#current = g;
    return old;
  }
  /** Dispose a replaced generation once its requests are done (drain), or now. */
  retire(old: Generation, drain: boolean): void {
    this.#retired.add(old);
    if (!drain || !this.#active.has(old)) this.#dispose(old, drain);
  }
  #dispose(g: Generation, graceful = true): void {
    this.#retired.delete(g);
    g.dispose({ graceful }).catch((err: unknown) =>
      this.#current.log.log('error', 'core', 'MW00002', `dispose failed: ${String(err)}`),
    );
  }
  /**
   * Dispose the current and every retired generation now and wait for it (server stop): the
   * daemons are gone when this resolves. Requests still in flight lose their workers (502),
   * as a non-graceful httpd stop cuts them.
   */
  async disposeAll(): Promise<void> {
    const all = new Set([this.#current, ...this.#retired]);
    this.#retired.clear();
    this.#active.clear();
    await Promise.all(
      [...all].map((g) =>
        g
          .dispose()
          .catch((err: unknown) =>
            this.#current.log.log('error', 'core', 'MW00002', `dispose failed: ${String(err)}`),
          ),
      ),
    );
  }
  /** Resolves when no request is in flight. */
  async idle(): Promise<void> {
    if (this.#active.size === 0) return;
    await new Promise<void>((resolve) => {
      this.#idle = resolve;
    });
  }
}

/**
 * Provision `ir` and listen on every `Listen`. A failed bind closes what was opened and
 * rethrows node's errno error (EADDRINUSE …).
 */
export async function startServer(ir: ConfigIR, opts: StartOptions = {}): Promise<RunningServer> {
  const modules = opts.modules ?? MODULES;
  const first = await Generation.provision(ir, modules, opts.log);
  const gens = new Generations(first);
  const listeners = new Listeners(gens);
  try {
    await listeners.open(ir.listen);
  } catch (err) {
    await first.dispose();
    throw err;
  }
  return {
    get generation() {
      return gens.current();
    },
    addresses: () => listeners.addresses(),
    async reload(next: ConfigIR, { graceful } = { graceful: true }): Promise<void> {
      const g = await Generation.provision(next, modules, opts.log);
      let change;
      try {
        change = await listeners.prepare(next.listen);
      } catch (err) {
        await g.dispose();
        throw err;
      }
      const old = gens.swap(g);
      // The connections go before the old generation: on a restart a request cut here must
      // not be answered (502) by the daemons being stopped.
      change.commit({ graceful });
      gens.retire(old, graceful);
    },
    async stop({ graceful }): Promise<void> {
      const closed = listeners.close({ graceful });
      if (graceful) await gens.idle();
      await closed;
      await gens.disposeAll();
    },
  };
}
