// httpd: server/listen.c (ap_setup_listeners / open_listeners: on restart, a Listen that is
// still configured keeps its socket, a new one is bound with make_sock, and the old ones no
// longer configured are closed), server/mpm/event/event.c (graceful vs hard close).
//
// The set of bound node:http servers, one per Listen, keyed by host and port. A reload
// first binds what is new (prepare), and only once the new generation is in place closes
// what was dropped (commit); a bind failure closes what prepare opened and leaves the
// running set untouched (rollback).

import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenIR } from '../config/ir.js';
import { createListener } from '../http/listener.js';
import type { HttpListener } from '../http/listener.js';
import type { GenerationSource } from '../http/server.js';

interface Bound {
  readonly key: string;
  readonly server: Server;
  readonly listener: HttpListener;
}

/** A Listen that could not be bound; `message` is httpd's make_sock line. */
export class BindError extends Error {
  /** The errno error node reported. */
  readonly errno: NodeJS.ErrnoException;
  constructor(errno: NodeJS.ErrnoException) {
    super(makeSockLine(errno) ?? errno.message);
    this.name = 'BindError';
    this.errno = errno;
  }
}

const ERRNO: Readonly<Record<string, readonly [number, string]>> = {
  EADDRINUSE: [98, 'Address already in use'],
  EACCES: [13, 'Permission denied'],
  EADDRNOTAVAIL: [99, 'Cannot assign requested address'],
};

/**
 * httpd's listen.c make_sock failure, `(98)Address already in use: AH00072: make_sock:
 * could not bind to address 127.0.0.1:8080`, for a bind error; undefined for other errors.
 */
export function makeSockLine(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const known = e.code === undefined ? undefined : ERRNO[e.code];
  if (known === undefined) return undefined;
  const addr =
    e.address === undefined
      ? `port ${e.port ?? '?'}`
      : `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port ?? '?'}`;
  return `(${known[0]})${known[1]}: AH00072: make_sock: could not bind to address ${addr}`;
}

const keyOf = (l: ListenIR): string => `${l.host}|${l.port}`;

/** A bound-but-not-yet-installed listener set (see Listeners.prepare). */
export interface ListenChange {
  /**
   * Install the new set (the new generation is current by now): apply its connection
   * settings to the retained listeners, retire the connections opened before the reload
   * (HttpListener.retireConnections; graceful = SIGUSR1, not = SIGHUP) and close the
   * listeners the new config dropped.
   */
  commit(opts?: { graceful: boolean }): void;
  /** Abandon: close the listeners prepare bound. */
  rollback(): void;
}

/** The listening sockets of one server, across reloads. */
export class Listeners {
  readonly #src: GenerationSource;
  #bound: Bound[] = [];
  /** Dropped by a reload, still draining their connections. */
  readonly #retired = new Map<Server, Promise<void>>();

  constructor(src: GenerationSource) {
    this.#src = src;
  }

  /** Bind every Listen in order (start-up). A failure closes what was opened and rethrows. */
  async open(listen: readonly ListenIR[]): Promise<void> {
    const change = await this.#bindNew(listen, [], (e) => e);
    change.commit();
  }

  /**
   * Bind the Listens of `listen` that are not bound yet, reusing the sockets of those that
   * are. Throws BindError (having closed what it bound) if one cannot be bound.
   */
  prepare(listen: readonly ListenIR[]): Promise<ListenChange> {
    return this.#bindNew(listen, this.#bound, (e) => new BindError(e));
  }

  async #bindNew(
    listen: readonly ListenIR[],
    current: readonly Bound[],
    wrap: (e: NodeJS.ErrnoException) => Error,
  ): Promise<ListenChange> {
    const unused = [...current];
    const next: Bound[] = [];
    const opened: HttpListener[] = [];
    try {
      for (const l of listen) {
        const key = keyOf(l);
        const i = unused.findIndex((b) => b.key === key);
        const reused = i < 0 ? undefined : unused.splice(i, 1)[0];
        if (reused !== undefined) {
          next.push(reused);
          continue;
        }
        const listener = createListener(this.#src, l);
        const { server } = listener;
        opened.push(listener);
        server.listen(l.port, l.host === '' ? undefined : l.host);
        await once(server, 'listening'); // rejects on 'error'
        next.push({ key, server, listener });
      }
    } catch (err) {
      for (const s of opened) void s.close();
      throw wrap(err instanceof Error ? err : new Error(String(err)));
    }
    return {
      commit: ({ graceful } = { graceful: true }) => {
        const fresh = new Set(opened);
        this.#bound = next;
        for (const { listener } of next) {
          if (fresh.has(listener)) continue;
          listener.configure();
          listener.retireConnections({ graceful });
        }
        for (const { server, listener } of unused) {
          // httpd closes a dropped listener; its open connections finish their request
          // (graceful) or are cut (restart)
          const closed = listener.close();
          this.#retired.set(server, closed);
          void closed.then(() => this.#retired.delete(server));
          listener.retireConnections({ graceful });
        }
      },
      rollback: () => {
        for (const s of opened) void s.close();
      },
    };
  }

  /** The bound addresses, in Listen order (port 0 resolved to the real port). */
  addresses(): { host: string; port: number }[] {
    return this.#bound.map(({ server }) => {
      const a = server.address() as AddressInfo;
      return { host: a.address, port: a.port };
    });
  }

  /**
   * Close every listener (and those still draining from a reload). Resolves once each has
   * no connection left; graceful lets in-flight requests finish, otherwise they are cut.
   */
  close({ graceful }: { graceful: boolean }): Promise<void> {
    const bound = this.#bound.map((b) => b.server);
    const closed = [...this.#bound.map((b) => b.listener.close()), ...this.#retired.values()];
    this.#bound = [];
    for (const s of [...bound, ...this.#retired.keys()]) {
      if (graceful) s.closeIdleConnections();
      else s.closeAllConnections();
    }
    return Promise.all(closed).then(() => undefined);
  }
}
