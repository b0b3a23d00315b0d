// httpd: modules/filters/mod_reqtimeout.c (reqtimeout_filter, extend_timeout,
//        check_time_left, reqtimeout_before_body).
//
// The body stage of mod_reqtimeout for one request: a deadline `timeout` seconds after the
// body stage began, pushed back one second per `minRate` bytes read from the connection,
// never past `maxTimeout` seconds (when set). node's parser consumes the socket in C++, so
// progress is read off socket.bytesRead when the timer fires instead of per chunk: one
// timer per request with an unfinished body, re-armed when bytes moved the deadline.
// The header stage is per connection and lives in src/http/header-deadline.ts.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** One stage's limits (mod_reqtimeout's reqtimeout_stage_t), in seconds and bytes/s. */
export interface StageLimits {
  /** Initial timeout, seconds (> 0). */
  readonly timeout: number;
  /** Cap on the extended timeout, seconds; 0 means none. */
  readonly maxTimeout: number;
  /** Bytes per second that earn one more second; 0 means no extension. */
  readonly minRate: number;
}

/** The read deadlines that apply to a server's connections and requests. */
export interface ReadTimeouts {
  /** Reading a request line and header fields. */
  readonly header: StageLimits | undefined;
  /** Reading a request body. */
  readonly body: StageLimits | undefined;
}

/** A read that a read deadline ended (apr's APR_TIMEUP: "The timeout specified has expired"). */
export class RequestReadTimeoutError extends Error {
  readonly code = 'MW_ERR_READ_TIMEOUT';
  readonly stage: 'header' | 'body';
  constructor(stage: 'header' | 'body') {
    super(`Request ${stage} read timeout`);
    this.stage = stage;
  }
}

/**
 * When a stage that began at `start` (ms) with `read` bytes read since expires (ms):
 * extend_timeout's arithmetic.
 */
export function stageDeadline(limits: StageLimits, start: number, read: number): number {
  let at = start + limits.timeout * 1000;
  if (limits.minRate > 0) at += (read * 1000) / limits.minRate;
  if (limits.maxTimeout > 0) at = Math.min(at, start + limits.maxTimeout * 1000);
  return at;
}

/**
 * The body stage of one request, armed at post_read_request for a request that has a
 * body. It expires once: `expired` is then set and every listener runs (the body's
 * readers fail with RequestReadTimeoutError; the connection is not kept alive).
 */
export class BodyDeadline {
  readonly #limits: StageLimits;
  readonly #socket: Socket;
  readonly #req: IncomingMessage;
  readonly #start: number;
  readonly #base: number;
  #timer: NodeJS.Timeout | undefined;
  #listeners: (() => void)[] = [];
  #expired = false;

  constructor(limits: StageLimits, req: IncomingMessage, now = Date.now()) {
    this.#limits = limits;
    this.#req = req;
    this.#socket = req.socket;
    this.#start = now;
    this.#base = this.#socket.bytesRead;
    this.#arm(limits.timeout * 1000);
  }

  get expired(): boolean {
    return this.#expired;
  }

  /** Run `fn` when the deadline passes (at once, on the next tick, if it already has). */
  onExpire(fn: () => void): void {
    if (this.#expired) process.nextTick(fn);
    else this.#listeners.push(fn);
  }

  /** Stop watching (the body is complete or the connection is gone). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listeners = [];
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#check(), Math.max(1, Math.ceil(ms)));
    this.#timer.unref();
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#req.complete || this.#socket.destroyed) {
      this.stop();
      return;
    }
    const now = Date.now();
    const at = stageDeadline(this.#limits, this.#start, this.#socket.bytesRead - this.#base);
    if (now < at) {
      this.#arm(at - now);
      return;
    }
    this.#expired = true;
    const fns = this.#listeners;
    this.#listeners = [];
    for (const fn of fns) fn();
  }
}
