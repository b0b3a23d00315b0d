// mod_wsgi: src/server/wsgi_daemon.c (the per-request connection to a daemon process:
// wsgi_execute_remote's request/response exchange). Here: one multiplexed request stream
// on a worker's channel (docs/protocol.md, streams and flow-control windows).

import { encodeToWorker, writeHeader } from '../protocol/encode.js';
import { FrameType, HEADER_SIZE, INITIAL_WINDOW, MAX_PAYLOAD } from '../protocol/frames.js';
import type { WorkerProcess } from './worker-process.js';
import type { Environ } from '../protocol/messages.js';

/** Events of one request stream, delivered by the worker's frame reader. */
export interface StreamHandler {
  onStart(status: string, headers: readonly (readonly [string, string])[]): void;
  /**
   * Response body bytes. They are valid only until onData returns (the channel's read
   * memory is reused): to keep them longer, call `keep()` during onData and the function
   * it returns once they are no longer referenced. Without `keep`, they are the caller's.
   */
  onData(data: Buffer, keep?: () => () => void): void;
  onEnd(): void;
  /** An ERROR frame: the application failed. */
  onError(message: string): void;
  /** Request-body credit granted by the worker. */
  onWindow(increment: number): void;
  /**
   * The worker went away (crash, protocol error); `cause` reads "exited with signal SIGKILL".
   * `pid` is the worker's: the stream may fail before its opener has seen it.
   */
  onFail(cause: string, pid: number | undefined): void;
  /**
   * request-timeout expired after `elapsedMs` (the pool then ABORTs the stream): answer 504,
   * or abort the client connection if the response started, and log the request.
   */
  onTimeout?(elapsedMs: number): void;
  /**
   * socket-timeout: nothing has passed between the stream and its worker for `idleMs`. If
   * the request is waiting on its client instead (a response the client is slow to take,
   * a body it is slow to send), answer false: the clock starts again. Otherwise answer
   * the timeout (504 before the response started, a visibly truncated response after it)
   * and return true: the pool then ABORTs the stream.
   */
  onSocketTimeout?(idleMs: number): boolean;
  /** `[client …]` decoration for LOG frames of this stream. */
  readonly client?: string | undefined;
  /** A LOG frame of this stream was written to the error log. */
  onLog?(): void;
}

/** What a finished stream answers to frames that still arrive: nothing. */
const RELEASED: StreamHandler = {
  onStart: () => undefined,
  onData: () => undefined,
  onEnd: () => undefined,
  onError: () => undefined,
  onWindow: () => undefined,
  onFail: () => undefined,
};

/** One open request stream on a worker. */
export class WorkerStream {
  readonly id: number;
  readonly worker: WorkerProcess;
  #handler: StreamHandler;
  /** Credit for request-body bytes we may still send. */
  sendCredit = INITIAL_WINDOW;
  closed = false;
  /** request-timeout expired: answered 504 and ABORTed; the worker may still hold the thread. */
  timedOut = false;
  /** Time (ms since epoch) of the stream's last frame in either direction (socket-timeout). */
  lastIo = Date.now();
  /** Called once when the stream finishes (END, ERROR or worker failure). */
  onClosed: (() => void) | undefined;

  constructor(worker: WorkerProcess, id: number, handler: StreamHandler) {
    this.worker = worker;
    this.id = id;
    this.#handler = handler;
  }

  /** The request's side of the stream (a no-op once the stream is released). */
  get handler(): StreamHandler {
    return this.#handler;
  }

  /**
   * The stream is finished: forget the request (its handler holds the whole request, and
   * anything that still reaches this stream object must not keep that alive). Returns the
   * handler, for the one last event the caller delivers.
   */
  release(): StreamHandler {
    const h = this.#handler;
    this.#handler = RELEASED;
    this.onClosed = undefined;
    return h;
  }

  /** Send REQUEST (not on a stream that has already failed: its worker is gone). */
  request(environ: Environ, body: boolean): void {
    if (this.closed) return;
    this.worker.send(encodeToWorker({ kind: 'request', stream: this.id, body, environ }));
  }
  /** Send request-body bytes; the caller keeps within `sendCredit`. */
  data(data: Buffer): void {
    if (this.closed || data.length === 0) return;
    this.sendCredit -= data.length;
    this.lastIo = Date.now();
    if (data.length > MAX_PAYLOAD) {
      this.worker.send(encodeToWorker({ kind: 'data', stream: this.id, data })); // throws too-large
      return;
    }
    const head = Buffer.allocUnsafe(HEADER_SIZE);
    writeHeader(head, 0, FrameType.DATA, this.id, data.length);
    this.worker.sendParts(head, data);
  }
  eof(): void {
    if (!this.closed) this.worker.send(encodeToWorker({ kind: 'eof', stream: this.id }));
  }
  abort(): void {
    if (!this.closed) this.worker.send(encodeToWorker({ kind: 'abort', stream: this.id }));
  }
  /** Response bytes handed to the client but not yet granted back to the worker. */
  #owed = 0;
  /**
   * Grant response-body credit for `increment` bytes the client socket took. Grants are
   * batched (sent once half the initial window is owed, as HTTP/2 stacks do): a small
   * response ends before any WINDOW frame is needed. No deadlock: a worker blocked on
   * credit 0 has sent a whole window, all of which becomes owed once delivered.
   */
  grant(increment: number): void {
    if (this.closed || increment <= 0) return;
    this.#owed += increment;
    if (this.#owed < INITIAL_WINDOW / 2) return;
    const n = this.#owed;
    this.#owed = 0;
    // The client took what the worker sent: the worker is due to send more from now on.
    this.lastIo = Date.now();
    this.worker.send(encodeToWorker({ kind: 'window', stream: this.id, increment: n }));
  }
}
