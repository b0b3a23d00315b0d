// httpd: server/mpm/event/event.c (listener_thread: a thread that does nothing but poll and
// accept, so a burst of new connections is taken in while the workers are busy).
//
// More accept handles on one listening socket. libuv (1.45 and later, node 20) accepts ONE
// connection each time the listening socket's watcher fires, i.e. once per event-loop
// iteration; an iteration that also serves hundreds of busy keep-alive connections takes
// milliseconds, so a burst of new connections waits in the kernel's queue: 256 connections
// opened at once against a loaded server took 1.4 s to be accepted (90th percentile), and
// wrk counted the first requests on them as >1 s latencies and 2 s timeouts.
//
// Every extra file descriptor of the SAME socket is one more watcher, so one more accept per
// iteration; all share the kernel's single accept queue, so nothing changes for clients.
// node has no dup(), but a handle sent over an IPC channel arrives as a new descriptor: a
// short-lived helper process receives the listening handle and sends it back `copies`
// times. It gets the raw TCP handle (`server._handle`, type net.Native), never a net.Server,
// so it never listens itself and cannot accept (and lose) a connection.
//
// Each copy is a net.Server whose connections are handed to the main server's 'connection'
// listeners (node's http server sets socket.server to itself there, and tracks the
// connection for closeIdleConnections/closeAllConnections). A socket takes its options from
// the net.Server that accepted it (net.js onconnection), so each copy is made with the main
// server's: without them, connections through a copy had Nagle on and no half-open support,
// and a client that half-closed after its request got no answer. Nothing is required of the
// helper: if it fails, the server keeps its one handle.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server, ServerOpts, Socket } from 'node:net';

/** Extra handles per listening socket: up to 16 connections accepted per loop iteration. */
export const FANOUT_COPIES = 15;

/** The helper's whole program: send back every handle it is given, `copies` times. */
const HELPER =
  "process.on('message', (m, h) => { for (let i = 0; i < m.copies; i++) process.send({ copy: i }, h); });";

/** What the net.Server constructor kept of its options (net.js Server), for the copies. */
interface KeptOptions {
  readonly allowHalfOpen?: boolean;
  readonly pauseOnConnect?: boolean;
  readonly noDelay?: boolean;
  readonly keepAlive?: boolean;
  /** Seconds (the constructor divides the option's milliseconds by 1000). */
  readonly keepAliveInitialDelay?: number;
  readonly highWaterMark?: number;
}

/** The options `server` was made with: accepted sockets get the same settings. */
export function acceptOptions(server: Server): ServerOpts {
  const k = server as KeptOptions;
  return {
    allowHalfOpen: k.allowHalfOpen === true,
    pauseOnConnect: k.pauseOnConnect === true,
    noDelay: k.noDelay === true,
    keepAlive: k.keepAlive === true,
    ...(k.keepAliveInitialDelay !== undefined
      ? { keepAliveInitialDelay: k.keepAliveInitialDelay * 1000 }
      : {}),
    ...(k.highWaterMark !== undefined ? { highWaterMark: k.highWaterMark } : {}),
  };
}

/** The extra accept handles of one listening server. */
export interface AcceptFanout {
  /** Extra handles listening now. */
  readonly handles: number;
  /** Connections accepted through the extra handles so far. */
  readonly accepted: number;
  /**
   * Settles once the helper is done (every handle arrived, or it failed) and has exited:
   * from then on no other process holds the listening socket.
   */
  readonly ready: Promise<void>;
  /**
   * Stop accepting on every extra handle (and stop the helper if it is still running).
   * Resolves once the connections they accepted are closed, as net.Server.close does.
   */
  close(): Promise<void>;
}

export interface FanoutOptions {
  /** How many extra handles to ask for. */
  readonly copies?: number;
  /** Why the extra handles could not be had (the server works on without them). */
  readonly onError: (message: string) => void;
  /** The node binary the helper runs on (default: this one). */
  readonly execPath?: string;
  /** Give up on the helper after this long (ms). */
  readonly timeoutMs?: number;
}

/** The libuv handle under a listening net.Server (node's own `_handle`). */
function listeningHandle(server: Server): object | null {
  return (server as Server & { _handle?: object | null })._handle ?? null;
}

/**
 * Ask a helper process for `copies` more descriptors of `server`'s listening socket, and
 * accept on each of them into `server`. Returns at once; the handles arrive asynchronously.
 */
export function fanOutAccepts(server: Server, opts: FanoutOptions): AcceptFanout {
  const copies = opts.copies ?? FANOUT_COPIES;
  const extras: Server[] = [];
  let accepted = 0;
  let closed = false;
  let listenFailed = false;
  let helper: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  /** Resolves when the helper (which holds a copy of the socket) has exited. */
  let gone: Promise<void> = Promise.resolve();

  let finished = false;
  const finish = (problem?: string): void => {
    if (finished) return;
    finished = true;
    settle();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const child = helper;
    helper = undefined;
    if (child !== undefined) {
      if (child.connected) child.disconnect();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    if (problem !== undefined) opts.onError(problem);
  };

  const adopt = (handle: unknown): void => {
    const extra = createServer(acceptOptions(server));
    extra.on('connection', (socket: Socket) => {
      accepted++;
      server.emit('connection', socket);
    });
    extra.on('error', (err) => {
      // accept() failing on a copy fails on the original too: the main server reports it.
      if (extra.listening) return;
      // The copy could not listen (the helper sent back something else): drop it.
      const i = extras.indexOf(extra);
      if (i >= 0) extras.splice(i, 1);
      extra.close();
      if (!listenFailed) opts.onError(`cannot listen on a copy: ${err.message}`);
      listenFailed = true;
    });
    extra.listen(handle as never);
    extras.push(extra);
  };

  const handle = listeningHandle(server);
  if (handle === null) {
    finish('the server is not listening');
  } else {
    try {
      helper = spawn(opts.execPath ?? process.execPath, ['-e', HELPER], {
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
        env: {},
      });
    } catch (err) {
      finish(`cannot start the helper: ${(err as Error).message}`);
    }
  }
  if (helper !== undefined) {
    const child = helper;
    let received = 0;
    gone = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // a spawn that failed has no process to wait for
      child.once('error', () => {
        if (child.pid === undefined) resolve();
      });
    });
    child.on('message', (_msg: unknown, h: unknown) => {
      if (h === undefined || h === null) return;
      if (closed) {
        (h as { close?: () => void }).close?.();
        return;
      }
      adopt(h);
      if (++received === copies) finish();
    });
    child.on('error', (err) => finish(`the helper failed: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (helper === child && received < copies)
        finish(
          `the helper exited (${signal ?? `status ${code ?? '?'}`}) after ${received} of ${copies} handles`,
        );
    });
    timer = setTimeout(
      () => finish(`no answer from the helper after ${opts.timeoutMs ?? 10_000} ms`),
      opts.timeoutMs ?? 10_000,
    );
    timer.unref();
    child.send({ copies }, handle as never, (err) => {
      if (err) finish(`cannot send the listening socket to the helper: ${err.message}`);
    });
  }

  return {
    get handles() {
      return extras.length;
    },
    get accepted() {
      return accepted;
    },
    ready: done.then(() => gone),
    close() {
      closed = true;
      finish();
      const all = extras.splice(0);
      return Promise.all([
        gone,
        ...all.map((x) => new Promise<void>((resolve) => x.close(() => resolve()))),
      ]).then(() => undefined);
    },
  };
}
