// Test support for the daemon/dispatch tests (no httpd counterpart): an in-memory
// ErrorLog, a DaemonGroupSpec builder and an HTTP server that dispatches to a pool.

import { createServer } from 'node:http';
import type { IncomingHttpHeaders, RequestOptions, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import type { ErrorLog, LogFields, LogLevel } from '../../logging/error-log.js';
import type { DaemonGroupSpec } from './spec.js';
import { packageRoot } from './python.js';
import { dispatch } from '../dispatch.js';
import type { DispatchResult } from '../dispatch.js';
import { ProcessPool } from './supervisor.js';
import type { PoolOptions } from './supervisor.js';
import type { TestContext } from 'node:test';
import type { WorkerProcess } from './worker-process.js';

/** One captured log line. */
export interface LogLine {
  readonly at: number;
  readonly level: LogLevel;
  readonly module: string;
  readonly id: string;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

/** ErrorLog that records lines and lets tests await one. */
export class MemoryLog implements ErrorLog {
  readonly lines: LogLine[] = [];
  #waiters: { re: RegExp; resolve: (l: LogLine) => void }[] = [];

  log(level: LogLevel, module: string, id: string, message: string, fields?: LogFields): void {
    const line: LogLine = { at: Date.now(), level, module, id, message, fields };
    this.lines.push(line);
    if (process.env['TSWSGI_TEST_LOG']) process.stderr.write(`[${level}] ${id} ${message}\n`);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.re.test(message)) return true;
      w.resolve(line);
      return false;
    });
  }
  enabled(): boolean {
    return true;
  }
  /** Lines whose message matches. */
  grep(re: RegExp): LogLine[] {
    return this.lines.filter((l) => re.test(l.message));
  }
  /** Resolve with the first (past or future) line matching `re`. */
  waitFor(re: RegExp): Promise<LogLine> {
    const seen = this.lines.find((l) => re.test(l.message));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ re, resolve }));
  }
}

/** A DaemonGroupSpec with test-friendly defaults. */
export function groupSpec(over: Partial<DaemonGroupSpec> = {}): DaemonGroupSpec {
  return {
    name: 'test',
    processes: 1,
    processesExplicit: false,
    threads: 4,
    user: undefined,
    group: undefined,
    home: undefined,
    pythonHome: undefined,
    pythonPath: [],
    displayName: undefined,
    lang: undefined,
    locale: undefined,
    maximumRequests: 0,
    reloadOnChanges: false,
    restartInterval: 0,
    inactivityTimeout: 0,
    requestTimeout: 0,
    startupTimeout: 0,
    gracefulTimeout: 15,
    shutdownTimeout: 5,
    queueTimeout: 0,
    connectTimeout: 15,
    socketTimeout: 60,
    preload: [],
    origin: { file: 'test.conf', line: 1 },
    ...over,
  };
}

/** Absolute path of a fixture app. */
export function fixtureApp(name: string): string {
  return path.join(packageRoot(), 'tests', 'fixtures', 'apps', name);
}

/** An HTTP server on 127.0.0.1:0 whose every request is dispatched to `pool`. */
export async function serveWithPool(
  pool: () => ProcessPool,
  log: ErrorLog,
  script: string,
  opts: { mtime?: () => number; results?: DispatchResult[] } = {},
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const environ: [string, string][] = [
      ['REQUEST_METHOD', req.method ?? 'GET'],
      ['SCRIPT_NAME', ''],
      ['PATH_INFO', url.pathname],
      ['QUERY_STRING', url.search.slice(1)],
      ['REQUEST_URI', req.url ?? '/'],
      ['SERVER_NAME', 'localhost'],
      ['SERVER_PORT', '80'],
      ['SERVER_PROTOCOL', 'HTTP/1.1'],
      ['SCRIPT_FILENAME', script],
      ['wsgi.url_scheme', 'http'],
    ];
    if (req.headers['content-length'] !== undefined)
      environ.push(['CONTENT_LENGTH', req.headers['content-length']]);
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    void dispatch(
      pool(),
      {
        environ,
        body: hasBody ? req : null,
        scriptFilename: script,
        scriptMtimeMs: opts.mtime?.() ?? 1,
        headOnly: req.method === 'HEAD',
      },
      res,
      log,
      { client: `${req.socket.remoteAddress ?? ''}:${String(req.socket.remotePort)}` },
    ).then((r) => opts.results?.push(r));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A finished HTTP exchange, as the client saw it. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  /** The response ended cleanly (false = connection aborted mid-body). */
  readonly complete: boolean;
}

/** One request on a fresh connection; never rejects on a truncated response. */
export function request(
  port: number,
  pathAndQuery: string,
  opts: {
    method?: string;
    body?: Buffer;
    slowReadMs?: number;
    signal?: AbortSignal;
    onResponse?: () => void;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    void import('node:http').then(({ request: httpRequest }) => {
      const reqOpts: RequestOptions = {
        port,
        host: '127.0.0.1',
        path: pathAndQuery,
        method: opts.method ?? 'GET',
        agent: false,
      };
      if (opts.signal) reqOpts.signal = opts.signal;
      const req = httpRequest(reqOpts, (res) => {
        opts.onResponse?.();
        const chunks: Buffer[] = [];
        let complete = false;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          if (opts.slowReadMs !== undefined) {
            res.pause();
            setTimeout(() => res.resume(), opts.slowReadMs);
          }
        });
        res.on('end', () => (complete = true));
        res.on('error', () => undefined);
        res.on('close', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
            complete: complete && res.complete,
          }),
        );
      });
      req.on('error', reject);
      req.end(opts.body);
    }, reject);
  });
}

/** Resolves when the next REQUEST frame is written to any worker in `spawned` (now or later). */
export function requestSent(spawned: WorkerProcess[]): Promise<WorkerProcess> {
  return new Promise((resolve) => {
    let done = false;
    const hook = (w: WorkerProcess): void => {
      const prev = w.tap;
      w.tap = (dir, f) => {
        prev?.(dir, f);
        if (!done && dir === 'out' && Buffer.isBuffer(f) && f[3] === 0x01) {
          done = true;
          resolve(w);
        }
      };
    };
    spawned.forEach(hook);
    const push = spawned.push.bind(spawned);
    spawned.push = (...ws: WorkerProcess[]) => {
      ws.forEach(hook);
      return push(...ws);
    };
  });
}

/**
 * A ProcessPool of `groupSpec(spec)` serving `script` over HTTP for one test: workers and
 * server are stopped (and any pid it spawned SIGKILLed) when the test ends.
 */
export async function poolHarness(
  t: TestContext,
  script: string,
  spec: Partial<DaemonGroupSpec>,
  opts: Partial<PoolOptions> = {},
  extra: { mtime?: () => number; stopMs?: number } = {},
): Promise<{ log: MemoryLog; pool: ProcessPool; port: number; spawned: WorkerProcess[] }> {
  const log = new MemoryLog();
  const spawned: WorkerProcess[] = [];
  const pool = new ProcessPool(groupSpec(spec), '', {
    log,
    onSpawn: (w) => spawned.push(w),
    ...opts,
  });
  const srv = await serveWithPool(
    () => pool,
    log,
    script,
    extra.mtime ? { mtime: extra.mtime } : {},
  );
  t.after(async () => {
    await srv.close();
    await pool.stop(extra.stopMs ?? 3000);
    for (const w of spawned) w.kill('SIGKILL'); // belt and braces: own pids only
  });
  return { log, pool, port: srv.port, spawned };
}
