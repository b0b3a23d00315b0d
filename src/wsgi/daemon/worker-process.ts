// mod_wsgi: src/server/wsgi_daemon.c (wsgi_start_process: fork + setuid + chdir, and the
// per-request connection). Here: one Python worker process and its one persistent,
// multiplexed channel (a connected socket handed over as fd 3, see docs/protocol.md and
// channel-pair.ts). Its request streams are worker-stream.ts.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { FrameDecoder, decodeFromWorker } from '../protocol/decode.js';
import { encodeToWorker } from '../protocol/encode.js';
import { FrameType, ProtocolError } from '../protocol/frames.js';
import type { FromWorker, HelloInfo } from '../protocol/messages.js';
import type { RawFrame } from '../protocol/frames.js';
import type { ErrorLog, LogLevel } from '../../logging/error-log.js';
import { WorkerStream } from './worker-stream.js';
import type { StreamHandler } from './worker-stream.js';
import { StreamTable } from './stream-table.js';
import type { ChannelPair } from './channel-pair.js';
import type { SlabReader } from './slab-reader.js';

export { WorkerStream } from './worker-stream.js';
export type { StreamHandler } from './worker-stream.js';

/** The argv JSON document the Python worker reads (python/tswsgi_worker/__main__.py). */
export interface WorkerConfig {
  readonly fd: 3;
  readonly threads: number;
  readonly processGroup: string;
  readonly applicationGroup: string;
  readonly pythonPath: readonly string[];
  readonly home: string;
  readonly displayName: string | null;
  readonly preload: readonly { readonly script: string; readonly callable: string }[];
  readonly multithread: boolean;
  readonly multiprocess: boolean;
  readonly runOnce: boolean;
  readonly maximumProcesses: number;
  readonly threadsPerProcess: number;
  readonly restrictStdout: boolean;
  readonly lang: string | null;
  readonly locale: string | null;
  /** Restart (drain, exit 0) when any loaded module's file changes. */
  readonly reloadOnChanges: boolean;
  /** Seconds a worker-initiated graceful stop may take. */
  readonly shutdownTimeout: number;
  /** SO_SNDBUF / SO_RCVBUF for the worker's end of the channel; 0 = the OS default. */
  readonly sendBufferSize: number;
  readonly receiveBufferSize: number;
  /** mod_wsgi.server_metrics() asks the front end (METRICS_QUERY) instead of answering None. */
  readonly serverMetrics?: boolean;
  /** New Relic agent config file (and environment): initialise the agent at start. */
  readonly newrelicConfigFile?: string;
  readonly newrelicEnvironment?: string | null;
}

/** How to start one worker. */
export interface SpawnOptions {
  readonly python: string;
  /** Absolute path of the directory that holds tswsgi_worker/. */
  readonly packageDir: string;
  readonly config: WorkerConfig;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The channel (channel-pair.ts): its `theirs` end becomes the worker's fd 3. */
  readonly channel: ChannelPair;
  readonly log: ErrorLog;
  /**
   * The scoreboard mod_wsgi.server_metrics() reports (METRICS_QUERY → METRICS), as a JSON
   * value; undefined or a null result answers `null`. Called only when the worker asks.
   */
  readonly serverMetrics?: (() => unknown) | undefined;
}

/** Exit codes of the Python worker (docs/protocol.md, Lifecycle). */
export const WorkerExit = { BOOT_ERROR: 3, PRELOAD_FAILED: 4 } as const;

/** Human meaning of a worker exit, for log lines. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `exited with signal ${signal}`;
  if (code === WorkerExit.BOOT_ERROR)
    return 'exited with status 3 (boot error: bad arguments, python-path or home)';
  if (code === WorkerExit.PRELOAD_FAILED)
    return 'exited with status 4 (a preloaded script failed to import)';
  return `exited with status ${String(code)}`;
}

const BOOT =
  'import sys;sys.path.insert(0,sys.argv[1]);import tswsgi_worker.__main__ as m;m.main(sys.argv[2:])';

const SYSLOG_LEVEL: Readonly<Record<number, LogLevel>> = {
  0: 'emerg',
  1: 'alert',
  2: 'crit',
  3: 'error',
  4: 'warn',
  5: 'notice',
  6: 'info',
  7: 'debug',
};

/** Worker lifecycle state. */
export type WorkerState = 'starting' | 'ready' | 'exited';

/** A spawned Python worker and its channel. Created by the pool (supervisor.ts). */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  state: WorkerState = 'starting';
  hello: HelloInfo | undefined;
  /** Requests dispatched to it (for maximum-requests). */
  dispatched = 0;
  /** No new requests; SHUTDOWN once drained. */
  retiring = false;
  /** Replaced by restart(): used only while no fresh worker is ready. */
  superseded = false;
  /** Script path → mtime (ms) as served by this worker (daemon-mode reloading). */
  readonly scripts = new Map<string, number>();
  readonly spawnedAt = Date.now();
  /** When HELLO arrived (ms since epoch). */
  readyAt: number | undefined;
  /** Requests finished by END or ERROR. */
  served = 0;
  /** Last request-stream frame in either direction (PING/PONG and process LOGs do not count). */
  lastActivity = Date.now();
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  /** Debug/test tap: every frame read ('in') and every frame buffer written ('out'). */
  tap: ((dir: 'in' | 'out', frame: Buffer | RawFrame) => void) | undefined;

  readonly #streams = new StreamTable<WorkerStream>();
  readonly #channel: Socket;
  readonly #reader: SlabReader;
  /** Hands a RESP_DATA handler the way to keep its bytes past onData (SlabReader.retain). */
  readonly #keep = (): (() => void) => this.#reader.retain();
  // Response body bytes go to the client as they arrive, not once a whole frame is in.
  readonly #decoder = new FrameDecoder({ pieces: new Set([FrameType.RESP_DATA]) });
  readonly #log: ErrorLog;
  readonly #serverMetrics: (() => unknown) | undefined;
  #failCause: string | undefined;
  #onHello: (w: WorkerProcess) => void = () => undefined;
  #onExit: (w: WorkerProcess) => void = () => undefined;
  #onStreamClosed: (w: WorkerProcess) => void = () => undefined;
  #onPong: (w: WorkerProcess) => void = () => undefined;
  #onStopping: (w: WorkerProcess, why: string) => void = () => undefined;
  #pings = 0;
  readonly exited: Promise<void>;

  constructor(opts: SpawnOptions) {
    this.#log = opts.log;
    this.#serverMetrics = opts.serverMetrics;
    const spawnOpts: Parameters<typeof spawn>[2] = {
      stdio: ['ignore', 'pipe', 'pipe', opts.channel.theirs],
      cwd: opts.cwd,
      env: opts.env,
    };
    if (opts.uid !== undefined) spawnOpts.uid = opts.uid;
    if (opts.gid !== undefined) spawnOpts.gid = opts.gid;
    try {
      this.child = spawn(
        opts.python,
        ['-c', BOOT, opts.packageDir, JSON.stringify(opts.config)],
        spawnOpts,
      );
    } finally {
      // The worker has its own copy of fd 3 now (or never will).
      opts.channel.theirs.destroy();
    }
    this.pid = this.child.pid;
    this.#channel = opts.channel.ours;
    this.#reader = opts.channel.reader;
    opts.channel.sink.onRead = (chunk) => this.#onBytes(chunk);
    this.#channel.on('error', () => undefined); // exit handling reports the cause
    this.#pipeLines(this.child.stdout);
    this.#pipeLines(this.child.stderr);
    this.exited = new Promise((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (done) return;
        done = true;
        this.state = 'exited';
        this.exitCode = code;
        this.exitSignal = signal;
        this.#failAll(this.#failCause ?? describeExit(code, signal));
        this.#channel.destroy();
        this.#onExit(this);
        resolve();
      };
      this.child.on('exit', finish);
      this.child.on('error', (err) => {
        this.#failCause = `could not be started: ${err.message}`;
        this.#log.log(
          'error',
          'wsgi',
          'MW00201',
          `daemon process could not be started: ${opts.python}: ${err.message}`,
        );
        if (this.child.pid === undefined) finish(null, null);
      });
    });
  }

  /** Register the pool's callbacks (one listener each). */
  bind(cb: {
    readonly hello: (w: WorkerProcess) => void;
    readonly exit: (w: WorkerProcess) => void;
    readonly streamClosed: (w: WorkerProcess) => void;
    readonly pong?: (w: WorkerProcess) => void;
    /** The worker stopped (or is stopping) by itself: route nothing more to it. */
    readonly stopping?: (w: WorkerProcess, why: string) => void;
  }): void {
    this.#onHello = cb.hello;
    this.#onExit = cb.exit;
    this.#onStreamClosed = cb.streamClosed;
    if (cb.pong) this.#onPong = cb.pong;
    if (cb.stopping) this.#onStopping = cb.stopping;
  }

  /** Number of open request streams. */
  get inFlight(): number {
    return this.#streams.size;
  }

  /** The open request streams (a copy). */
  openStreams(): WorkerStream[] {
    return this.#streams.values();
  }

  /** Open streams whose request-timeout has not expired. */
  get liveInFlight(): number {
    let n = 0;
    for (const s of this.#streams.values()) if (!s.timedOut) n++;
    return n;
  }

  /** The cause string used when streams fail ('exited with signal SIGKILL', …). */
  get failCause(): string | undefined {
    return this.#failCause;
  }

  /** The supervisor is killing this worker for `cause` (streams fail with it). */
  markFailed(cause: string): void {
    this.#failCause ??= cause;
  }

  /** Heartbeat: PING on stream 0 (answered by PONG from the reader thread). */
  ping(): void {
    const data = Buffer.alloc(8);
    data.writeBigUInt64BE(BigInt(++this.#pings));
    this.send(encodeToWorker({ kind: 'ping', data }), false);
  }

  /** Open a new stream (the caller sends REQUEST on it). */
  openStream(handler: StreamHandler): WorkerStream {
    if (this.state !== 'ready') throw new Error('worker is not ready');
    const s = this.#streams.open((id) => new WorkerStream(this, id, handler));
    this.dispatched++;
    this.lastActivity = Date.now();
    return s;
  }

  /** Write raw frame bytes to the channel; `activity` = counts against inactivity-timeout. */
  send(frame: Buffer, activity = true): void {
    this.sendParts(frame, undefined, activity);
  }

  /**
   * Send one frame given as its header and its payload: both go into the same corked
   * writev, so a request-body chunk is never copied behind a header.
   */
  sendParts(head: Buffer, payload: Buffer | undefined, activity = true): void {
    if (this.state !== 'exited' && !this.#channel.destroyed) {
      if (activity) this.lastActivity = Date.now();
      if (this.tap) this.tap('out', payload === undefined ? head : Buffer.concat([head, payload]));
      // Coalesce: every frame written in this event-loop turn (all the requests parsed from
      // one poll, under load) leaves in one writev once the I/O callbacks are done, so the
      // worker wakes once per batch, not per frame. setImmediate, not nextTick: nextTick
      // would flush after each socket's callback, one syscall per request.
      if (!this.#corked) {
        this.#corked = true;
        this.#channel.cork();
        setImmediate(this.#uncork);
      }
      this.#channel.write(head);
      if (payload !== undefined) this.#channel.write(payload);
    }
  }

  #corked = false;
  readonly #uncork = (): void => {
    this.#corked = false;
    this.#channel.uncork();
  };

  /** Ask the worker to finish in-flight streams and exit within `timeoutMs`. */
  shutdown(timeoutMs: number): void {
    this.send(
      encodeToWorker({ kind: 'shutdown', timeoutMs: Math.max(0, Math.round(timeoutMs)) }),
      false,
    );
  }

  /** Signal this worker (by its own pid only). */
  kill(signal: NodeJS.Signals): void {
    if (this.state !== 'exited' && this.pid !== undefined) {
      try {
        process.kill(this.pid, signal);
      } catch {
        // already gone
      }
    }
  }

  #pipeLines(r: Readable | null): void {
    if (!r) return;
    const rl = createInterface({ input: r, crlfDelay: Infinity });
    rl.on('line', (line) => {
      const fields = this.pid !== undefined ? { pid: this.pid } : {};
      this.#log.log('error', 'wsgi', 'MW00202', line, fields);
    });
  }

  #onBytes(chunk: Buffer): void {
    let frames;
    try {
      frames = this.#decoder.push(chunk);
    } catch (e) {
      this.#protocolError(e);
      return;
    }
    for (const f of frames) {
      this.tap?.('in', f);
      let m: FromWorker;
      try {
        m = decodeFromWorker(f);
      } catch (e) {
        this.#protocolError(e);
        return;
      }
      this.#dispatch(m);
    }
    // The chunk's memory is reused once this returns: a partial frame must not point into it.
    this.#decoder.ownLeftover();
  }

  #protocolError(e: unknown): void {
    const msg = e instanceof ProtocolError ? `${e.code}: ${e.message}` : String(e);
    this.#failCause = `broke the protocol (${msg})`;
    this.#log.log(
      'error',
      'wsgi',
      'MW00203',
      `daemon process (pid ${String(this.pid)}) broke the protocol: ${msg}; killing it`,
    );
    // No new request may be routed here while the kill is in flight (the exit event that
    // marks it 'exited' comes later): retiring takes it out of the pool's pick at once.
    this.retiring = true;
    this.#failAll(this.#failCause);
    this.#channel.destroy();
    this.kill('SIGKILL');
  }

  #dispatch(m: FromWorker): void {
    switch (m.kind) {
      case 'hello':
        this.hello = m.info;
        if (this.state === 'starting') {
          this.state = 'ready';
          this.readyAt = Date.now();
          this.#onHello(this);
        }
        return;
      case 'pong':
        this.#onPong(this);
        return;
      case 'metrics-query': {
        let json = 'null';
        try {
          json = JSON.stringify(this.#serverMetrics?.() ?? null);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          this.#log.log('error', 'wsgi', 'MW00580', `server metrics could not be built: ${msg}`);
        }
        this.send(encodeToWorker({ kind: 'metrics', token: m.token, json }), false);
        return;
      }
      case 'log': {
        const level = SYSLOG_LEVEL[m.level] ?? 'error';
        const s = m.stream !== 0 ? this.#streams.get(m.stream) : undefined;
        const fields: { pid?: number; client?: string } = {};
        if (this.pid !== undefined) fields.pid = this.pid;
        if (s?.handler.client !== undefined) fields.client = s.handler.client;
        this.#log.log(level, 'wsgi', 'MW00204', m.message.replace(/\n+$/, ''), fields);
        if (this.#log.enabled(level, 'wsgi')) s?.handler.onLog?.();
        return;
      }
      case 'error':
        // ERROR on stream 0: the worker decided to stop (docs/protocol.md, Lifecycle);
        // it serves what was routed to it until our SHUTDOWN. A stream refused with
        // "503 " means it is stopping too (a worker that predates the notice).
        if (m.stream === 0) {
          this.#onStopping(this, m.message.replace(/^503 /, ''));
          return;
        }
        if (m.message.startsWith('503 ')) this.#onStopping(this, m.message.slice(4));
        break;
      default:
        break;
    }
    const s = this.#streams.get(m.stream);
    if (!s) return; // a late frame for a stream we already failed; ignore
    this.lastActivity = s.lastIo = Date.now();
    switch (m.kind) {
      case 'start':
        s.handler.onStart(m.status, m.headers);
        return;
      case 'data':
        s.handler.onData(m.data, this.#keep);
        return;
      case 'window':
        s.sendCredit += m.increment;
        s.handler.onWindow(m.increment);
        return;
      case 'end':
        this.served++;
        this.#close(s).onEnd();
        return;
      case 'error':
        this.served++;
        this.#close(s).onError(m.message);
        return;
    }
  }

  /** Finish `s`: out of the table, its watch cancelled, the pool told; returns its handler. */
  #close(s: WorkerStream): StreamHandler {
    s.closed = true;
    this.#streams.delete(s);
    s.onClosed?.();
    const h = s.release();
    this.#onStreamClosed(this);
    return h;
  }

  #failAll(cause: string): void {
    const streams = this.#streams.clear();
    for (const s of streams) {
      s.closed = true;
      s.onClosed?.();
      s.release().onFail(cause, this.pid);
    }
    if (streams.length > 0) this.#onStreamClosed(this);
  }
}
