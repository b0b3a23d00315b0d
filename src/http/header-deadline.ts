// httpd: modules/filters/mod_reqtimeout.c (reqtimeout_before_header, the in_keep_alive
//        wait for the first byte, extend_timeout, the AH01382 log line).
//
// mod_reqtimeout's header stage, per connection: from the first byte of a request (a new
// connection, or the next request on a kept-alive one: before that byte KeepAliveTimeout
// and Timeout rule), the request line and header fields must arrive within `timeout`
// seconds, pushed back one second per `minRate` bytes, never past `maxTimeout`. node's
// parser reads the socket in C++, so one ticker per listener looks at socket.bytesRead of
// the connections waiting for a request; a connection leaves the watch when node hands
// over its request.

import type { Socket } from 'node:net';
import { stageDeadline } from '../request/read-deadline.js';
import type { StageLimits } from '../request/read-deadline.js';

/** How often the waiting connections are looked at (the deadline's resolution). */
export const HEADER_TICK_MS = 100;

interface Waiting {
  readonly limits: StageLimits;
  /** socket.bytesRead when the connection began to wait for this request. */
  readonly base: number;
  /** When the first byte of the request was seen (ms), once it was. */
  first: number | undefined;
}

/** The connections of one listener that are reading a request's head. */
export class HeaderWatch {
  readonly #waiting = new Map<Socket, Waiting>();
  readonly #expire: (socket: Socket) => void;
  #timer: NodeJS.Timeout | undefined;

  /** `expire` runs once for a connection whose deadline passed (it is no longer watched). */
  constructor(expire: (socket: Socket) => void) {
    this.#expire = expire;
  }

  /** The connection waits for a request whose bytes start after socket.bytesRead now. */
  watch(socket: Socket, limits: StageLimits): void {
    this.#waiting.set(socket, { limits, base: socket.bytesRead, first: undefined });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.tick(Date.now()), HEADER_TICK_MS);
      this.#timer.unref();
    }
  }

  /** node parsed the request (or the connection is gone): the header stage is over. */
  unwatch(socket: Socket): void {
    if (!this.#waiting.delete(socket) || this.#waiting.size > 0) return;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** How many connections are being watched. */
  get size(): number {
    return this.#waiting.size;
  }

  /** One look at every waiting connection (exported for tests). */
  tick(now: number): void {
    for (const [socket, w] of this.#waiting) {
      if (socket.destroyed) {
        this.unwatch(socket);
        continue;
      }
      const read = socket.bytesRead - w.base;
      if (read <= 0) continue; // still waiting for the first byte
      w.first ??= now;
      if (now < stageDeadline(w.limits, w.first, read)) continue;
      this.unwatch(socket);
      this.#expire(socket);
    }
  }

  /** Stop watching everything (the listener closes). */
  clear(): void {
    this.#waiting.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
