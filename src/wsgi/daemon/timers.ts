// mod_wsgi: src/server/wsgi_daemon.c (wsgi_monitor_thread: startup-timeout, restart-interval,
// inactivity-timeout and request-timeout; wsgi_deadlock_thread: deadlock-timeout) and
// gunicorn's Arbiter.murder_workers (the heartbeat). One WorkerWatch per worker process owns
// every timer of that worker; the pool (supervisor.ts) decides what each expiry means.
//
// Differences on purpose (reference §2, §7 #9):
// * request-timeout is a per-request deadline measured from the moment the REQUEST frame is
//   written (queue time is queue-timeout's business), not mod_wsgi 6.x's per-thread
//   s·(1+ln(threads)) nor 5.x's averaged budget. Expiry answers that request only; the worker
//   is recycled only if the thread is still busy graceful-timeout seconds later.
// * The GIL probe (deadlock-timeout) is replaced by a PING/PONG heartbeat on stream 0: the
//   worker's reader thread needs the GIL to answer, so a PONG proves the interpreter is alive.
//   PING every HEARTBEAT_INTERVAL_MS; no PONG within max(10 s, socket-timeout) = hung.
//   (socket-timeout is mod_wsgi's per-I/O limit on the daemon socket, default 60 s, the same
//   as mod_wsgi-express's deadlock-timeout default, and WSGIDaemonProcess has no
//   deadlock-timeout field in DaemonGroupSpec.)

import type { DaemonGroupSpec } from './spec.js';

/** Default PING period. */
export const HEARTBEAT_INTERVAL_MS = 5000;
/** Floor of the PONG deadline, whatever socket-timeout says. */
export const MIN_HEARTBEAT_TIMEOUT_MS = 10000;

/** All per-worker deadlines, in ms; 0 = off. */
export interface WatchTimings {
  readonly startupMs: number;
  readonly restartIntervalMs: number;
  readonly inactivityMs: number;
  readonly requestMs: number;
  /** How long a timed-out request may still hold its thread before the worker is recycled. */
  readonly wedgeGraceMs: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  /** socket-timeout: the longest a request stream may pass nothing to or from its worker. */
  readonly socketMs: number;
}

/** How often streams are checked against socket-timeout: a quarter of it, at most 1 s. */
export function socketSweepMs(socketMs: number): number {
  return Math.max(10, Math.min(1000, Math.floor(socketMs / 4)));
}

/** Timings of a group (seconds → ms), with test overrides. */
export function watchTimings(
  spec: DaemonGroupSpec,
  over: Partial<WatchTimings> = {},
): WatchTimings {
  const ms = (s: number): number => Math.max(0, s) * 1000;
  return {
    startupMs: ms(spec.startupTimeout),
    restartIntervalMs: ms(spec.restartInterval),
    inactivityMs: ms(spec.inactivityTimeout),
    requestMs: ms(spec.requestTimeout),
    wedgeGraceMs: ms(spec.gracefulTimeout),
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: Math.max(MIN_HEARTBEAT_TIMEOUT_MS, ms(spec.socketTimeout)),
    // The embedded group ('') has no daemon socket to time out (mod_wsgi runs it in the
    // Apache child): its socket-timeout is only the heartbeat's deadline.
    socketMs: spec.name === '' ? 0 : ms(spec.socketTimeout),
    ...over,
  };
}

/** What the watch reads from a worker (WorkerProcess implements it; tests fake it). */
export interface Watched {
  readonly state: 'starting' | 'ready' | 'exited';
  /** Open request streams (including timed-out ones still held by the worker). */
  readonly inFlight: number;
  /** Time (ms since epoch) of the last request-stream frame in either direction. */
  readonly lastActivity: number;
  /** Time the process was spawned. */
  readonly spawnedAt: number;
  /** Send a PING on stream 0. */
  ping(): void;
}

/** Expiries the pool acts on. Each fires at most once per worker. */
export interface WatchEvents {
  startupTimeout(elapsedMs: number): void;
  restartDue(ageMs: number): void;
  idle(idleMs: number): void;
  hung(silentMs: number): void;
  /** Check the worker's open streams against socket-timeout (every socketSweepMs). */
  socketSweep(now: number): void;
}

/** Handle of one watched request. */
export interface RequestWatch {
  /** The stream finished: cancel its deadlines. */
  close(): void;
}

const NOOP_WATCH: RequestWatch = { close: () => undefined };

/**
 * One watched request, a node of its worker's deadline list. close() unlinks it and drops
 * its callbacks, so nothing of a finished request stays reachable from the list.
 */
class RequestDeadline implements RequestWatch {
  readonly t0: number;
  /** When the current phase falls due (request-timeout, then wedge grace). */
  at: number;
  prev: RequestDeadline | undefined;
  next: RequestDeadline | undefined;
  list: DeadlineList | undefined;
  #onTimeout: ((elapsedMs: number) => void) | undefined;
  #onWedged: ((elapsedMs: number) => void) | undefined;

  constructor(
    t0: number,
    at: number,
    onTimeout: (elapsedMs: number) => void,
    onWedged: (elapsedMs: number) => void,
  ) {
    this.t0 = t0;
    this.at = at;
    this.#onTimeout = onTimeout;
    this.#onWedged = onWedged;
  }

  get open(): boolean {
    return this.#onWedged !== undefined;
  }

  fireTimeout(now: number): void {
    const f = this.#onTimeout;
    this.#onTimeout = undefined;
    f?.(now - this.t0);
  }

  fireWedged(now: number): void {
    const f = this.#onWedged;
    this.close();
    f?.(now - this.t0);
  }

  close(): void {
    this.#onTimeout = undefined;
    this.#onWedged = undefined;
    this.list?.remove(this);
  }
}

/**
 * Deadlines in the order they fall due. Every request of a worker has the same durations,
 * so appending keeps the order; a finished request unlinks itself in O(1).
 */
class DeadlineList {
  head: RequestDeadline | undefined;
  #tail: RequestDeadline | undefined;
  size = 0;

  push(d: RequestDeadline): void {
    d.list = this;
    d.prev = this.#tail;
    d.next = undefined;
    if (this.#tail) this.#tail.next = d;
    else this.head = d;
    this.#tail = d;
    this.size++;
  }

  remove(d: RequestDeadline): void {
    if (d.list !== this) return;
    if (d.prev) d.prev.next = d.next;
    else this.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.#tail = d.prev;
    d.prev = d.next = d.list = undefined;
    this.size--;
  }

  clear(): void {
    for (let d = this.head; d; d = this.head) d.close();
  }
}

/** Every timer of one worker process. */
export class WorkerWatch {
  readonly #w: Watched;
  readonly #t: WatchTimings;
  readonly #ev: WatchEvents;
  readonly #now: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Open requests by request-timeout deadline. */
  readonly #timeouts = new DeadlineList();
  /** Timed-out requests still open, by wedge deadline. */
  readonly #wedges = new DeadlineList();
  #requestTimer: NodeJS.Timeout | undefined;
  #requestTimerAt = Infinity;
  #beat: NodeJS.Timeout | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #pingSince: number | undefined;
  #stopped = false;

  constructor(
    w: Watched,
    timings: WatchTimings,
    events: WatchEvents,
    now: () => number = Date.now,
  ) {
    this.#w = w;
    this.#t = timings;
    this.#ev = events;
    this.#now = now;
  }

  /** The process was spawned: arm startup-timeout. */
  spawned(): void {
    const ms = this.#t.startupMs;
    if (ms <= 0) return;
    this.#after(ms, () => {
      if (this.#w.state === 'starting') this.#ev.startupTimeout(this.#now() - this.#w.spawnedAt);
    });
  }

  /** HELLO arrived: disarm startup, arm restart-interval, inactivity and the heartbeat. */
  ready(): void {
    if (this.#stopped) return;
    this.#clearAll();
    const { restartIntervalMs, inactivityMs, heartbeatIntervalMs, socketMs } = this.#t;
    if (restartIntervalMs > 0) {
      const left = restartIntervalMs - (this.#now() - this.#w.spawnedAt);
      this.#after(Math.max(0, left), () => this.#ev.restartDue(this.#now() - this.#w.spawnedAt));
    }
    if (inactivityMs > 0) this.#armIdle(inactivityMs);
    if (heartbeatIntervalMs > 0)
      this.#beat = setInterval(() => this.#heartbeat(), heartbeatIntervalMs);
    // One interval per worker, not a timer per request: a stream's last frame time is a
    // field it updates (worker-stream.ts), and the sweep compares it.
    if (socketMs > 0)
      this.#sweep = setInterval(() => {
        if (!this.#stopped && this.#w.state === 'ready' && this.#w.inFlight > 0)
          this.#ev.socketSweep(this.#now());
      }, socketSweepMs(socketMs));
  }

  /** A PONG arrived. */
  pong(): void {
    this.#pingSince = undefined;
  }

  /**
   * Watch one request: `onTimeout` after request-timeout, then `onWedged` if it is still
   * open wedge-grace later. Both get the elapsed time since the request was sent.
   *
   * Every request of a worker has the same two durations, so deadlines fall due in the
   * order requests were opened: two lists in that order and one timer (armed for the
   * earlier head) replace a timer per request. That was a Timeout object, a timer-list
   * insertion and a Set entry per request; the Set's backing tables, once promoted and
   * rehashed, kept finished requests reachable from old space until a full GC.
   */
  request(
    onTimeout: (elapsedMs: number) => void,
    onWedged: (elapsedMs: number) => void,
  ): RequestWatch {
    if (this.#t.requestMs <= 0 || this.#stopped) return NOOP_WATCH;
    const t0 = this.#now();
    const d = new RequestDeadline(t0, t0 + this.#t.requestMs, onTimeout, onWedged);
    this.#timeouts.push(d);
    if (this.#requestTimer === undefined) this.#armRequests();
    return d;
  }

  /** The worker is gone (or being killed): cancel everything. */
  stop(): void {
    this.#stopped = true;
    this.#clearAll();
  }

  /** Live timers (tests). */
  get pending(): number {
    return (
      this.#timers.size +
      (this.#beat ? 1 : 0) +
      (this.#sweep ? 1 : 0) +
      (this.#requestTimer ? 1 : 0)
    );
  }

  /** Requests being watched (tests). */
  get watchedRequests(): number {
    return this.#timeouts.size + this.#wedges.size;
  }

  /** Arm the request timer for the earliest open head of either queue (none: disarm). */
  #armRequests(): void {
    const a = this.#timeouts.head?.at ?? Infinity;
    const b = this.#wedges.head?.at ?? Infinity;
    const at = Math.min(a, b);
    if (at === this.#requestTimerAt) return;
    if (this.#requestTimer) clearTimeout(this.#requestTimer);
    this.#requestTimer = undefined;
    this.#requestTimerAt = Infinity;
    if (at === Infinity || this.#stopped) return;
    this.#requestTimerAt = at;
    this.#requestTimer = setTimeout(this.#onRequestTimer, Math.max(0, at - this.#now()));
  }

  readonly #onRequestTimer = (): void => {
    this.#requestTimer = undefined;
    this.#requestTimerAt = Infinity;
    if (this.#stopped) return;
    const now = this.#now();
    // Timeouts first: one that fires now may queue its wedge check behind older ones.
    for (let d = this.#timeouts.head; d !== undefined && d.at <= now; d = this.#timeouts.head) {
      this.#timeouts.remove(d);
      d.fireTimeout(now);
      if (this.#stopped) return;
      if (d.open) {
        d.at = now + this.#t.wedgeGraceMs;
        this.#wedges.push(d);
      }
    }
    for (let d = this.#wedges.head; d !== undefined && d.at <= now; d = this.#wedges.head) {
      d.fireWedged(now);
      if (this.#stopped) return;
    }
    this.#armRequests();
  };

  #armIdle(delay: number): void {
    this.#after(delay, () => {
      const limit = this.#t.inactivityMs;
      const idleFor = this.#now() - this.#w.lastActivity;
      if (this.#w.state !== 'ready') return;
      if (this.#w.inFlight === 0 && idleFor >= limit) this.#ev.idle(idleFor);
      else this.#armIdle(this.#w.inFlight > 0 ? limit : limit - idleFor);
    });
  }

  #heartbeat(): void {
    if (this.#stopped || this.#w.state !== 'ready') return;
    const now = this.#now();
    if (this.#pingSince === undefined) {
      this.#pingSince = now;
      this.#w.ping();
    } else if (now - this.#pingSince >= this.#t.heartbeatTimeoutMs) {
      const silent = now - this.#pingSince;
      this.stop();
      this.#ev.hung(silent);
    }
  }

  #after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#stopped) fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  #clearAll(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (this.#beat) clearInterval(this.#beat);
    this.#beat = undefined;
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = undefined;
    if (this.#requestTimer) clearTimeout(this.#requestTimer);
    this.#requestTimer = undefined;
    this.#requestTimerAt = Infinity;
    this.#timeouts.clear();
    this.#wedges.clear();
  }
}
