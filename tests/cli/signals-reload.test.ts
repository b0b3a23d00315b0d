// httpd: server/mpm/event/event.c (graceful restart vs restart), modules/http/http_protocol.c
// (ap_set_keepalive), server/protocol.c (LimitRequestLine) — what a reload does to the
// connections open at the time, against the real bin/tswsgi. Each expectation was checked
// against apache2 2.4 (event MPM + mod_wsgi daemon mode) with the same config:
// - SIGUSR1: an idle keep-alive connection is closed at once; the in-flight request
//   finishes; new connections get the new KeepAliveTimeout / LimitRequestLine.
// - SIGHUP: the in-flight request is cut (a started chunked body ends without its last
//   chunk, a request without a response yet gets an empty reply) and the old daemon
//   processes go away without waiting for the request.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawConnection } from '../support/raw-http.js';
import { alive, get, spawnServer, stopChild, tempDir, waitFor } from './support.js';

const APP = `import os, time
def stream(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    yield b'first\\n'
    time.sleep(float(environ.get('QUERY_STRING') or '1'))
    yield b'second\\n'

def late(environ, start_response):
    # nothing is sent before the sleep; a marker file says it started
    open(os.path.join(environ['MARKER_DIR'], 'started'), 'w').close()
    time.sleep(float(environ.get('QUERY_STRING') or '1'))
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'done\\n']

def application(environ, start_response):
    path = environ.get('PATH_INFO', '')
    if path == '/stream':
        return stream(environ, start_response)
    if path == '/late':
        return late(environ, start_response)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [str(os.getpid()).encode()]
`;

interface Limits {
  readonly keepAliveTimeout: number;
  readonly limitRequestLine: number;
  /** LimitRequestFields (default 100) and LimitRequestFieldSize (default 8190). */
  readonly fields?: number;
  readonly fieldSize?: number;
}

function conf(dir: string, port: number, l: Limits): string {
  return `ServerRoot ${dir}
Listen 127.0.0.1:${port}
ServerName localhost
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error_log
LogLevel notice
LoadModule wsgi_module builtin:mod_wsgi
LoadModule env_module builtin:mod_env
LoadModule authz_core_module builtin:mod_authz_core
LoadModule alias_module builtin:mod_alias
DocumentRoot ${dir}/htdocs
KeepAliveTimeout ${l.keepAliveTimeout}
LimitRequestLine ${l.limitRequestLine}
LimitRequestFields ${l.fields ?? 100}
LimitRequestFieldSize ${l.fieldSize ?? 8190}
<Directory ${dir}>
  Require all granted
</Directory>
SetEnv MARKER_DIR ${dir}
WSGIDaemonProcess rl processes=1 threads=4 shutdown-timeout=30
WSGIScriptAlias /app ${dir}/app.wsgi process-group=rl application-group=%{GLOBAL}
`;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) await stopChild(c);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(
  l: Limits,
): Promise<{ child: ChildProcess; port: number; dir: string; file: string }> {
  const dir = tempDir({ 'app.wsgi': APP, 'htdocs/who.txt': 'hello\n' });
  dirs.push(dir);
  const file = join(dir, 'httpd.conf');
  const { child, port } = await spawnServer((p) => {
    writeFileSync(file, conf(dir, p, l));
    return ['-f', file, '-DFOREGROUND'];
  });
  children.push(child);
  return { child, port, dir, file };
}

/** Wait for the reload to be in place: the daemon answering /app/pid is not `old`. */
async function reloaded(port: number, old: number): Promise<number> {
  let last = '';
  return waitFor('the new generation to serve', async () => {
    const r = await get(port, '/app/pid').catch((e: unknown) => {
      last = String(e);
      return undefined;
    });
    if (r !== undefined) last = `${r.status} ${r.body}`;
    const pid = r?.status === 200 ? Number(r.body) : old;
    return pid !== old ? pid : undefined;
  }).catch((e: unknown) => {
    throw new Error(`${String(e)}; last answer: ${last}`);
  });
}

/** Everything the server sends on `sock` until it closes it, and when it closed. */
function drain(sock: Socket): Promise<{ data: string; closedAt: number }> {
  return new Promise((resolve) => {
    let data = '';
    sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
    sock.on('error', () => {});
    sock.once('close', () => resolve({ data, closedAt: Date.now() }));
  });
}

async function openRaw(port: number, request: string): Promise<Socket> {
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write(request);
  return sock;
}

const req = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;

describe('a reload applies the new connection settings (as httpd)', () => {
  it('SIGUSR1: KeepAliveTimeout 5 → 1, LimitRequestLine lowered, LimitRequestFields raised', async () => {
    const { child, port, dir, file } = await start({
      keepAliveTimeout: 5,
      limitRequestLine: 8190,
      fields: 8,
      fieldSize: 1000,
    });
    // 20 fields of 900 bytes: more than LimitRequestFields 8 allows (and than the header
    // buffer sized for 8 × 1000 holds), well within the defaults the reload brings back.
    const many = Array.from({ length: 20 }, (_, i) => `X-F${i}: ${'v'.repeat(900)}\r\n`).join('');
    const before = await RawConnection.open(port);
    before.send(req('/who.txt', many));
    assert.equal((await before.read()).status, 400);
    before.close();
    const old = await get(port, '/app/pid');
    const ka = await RawConnection.open(port);
    ka.send(req('/who.txt', 'Connection: keep-alive\r\n'));
    const first = await ka.read();
    assert.equal(first.headers['keep-alive'], 'timeout=5, max=100');
    const long = `/who.txt?${'a'.repeat(200)}`;
    assert.equal((await get(port, long)).status, 200);

    writeFileSync(file, conf(dir, port, { keepAliveTimeout: 1, limitRequestLine: 100 }));
    process.kill(child.pid ?? 0, 'SIGUSR1');
    // httpd closes the idle keep-alive connections of the old generation at once.
    await ka.closed;
    await reloaded(port, Number(old.body));

    const fresh = await RawConnection.open(port);
    fresh.send(req('/who.txt', 'Connection: keep-alive\r\n'));
    const r = await fresh.read();
    const servedAt = Date.now();
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hello\n');
    assert.equal(r.headers['keep-alive'], 'timeout=1, max=100');
    assert.equal(r.headers['connection'], 'Keep-Alive');
    await Promise.race([
      fresh.closed,
      new Promise((_, fail) => setTimeout(() => fail(new Error('not closed in 4 s')), 4000)),
    ]);
    const idle = Date.now() - servedAt;
    assert.ok(idle >= 800 && idle < 3000, `idle connection closed after ${idle} ms`);

    const tooLong = await RawConnection.open(port);
    tooLong.send(req(long));
    const t = await tooLong.read();
    assert.equal(t.status, 414);
    assert.match(t.body.toString(), /Request-URI Too Long/);
    tooLong.close();

    const after = await RawConnection.open(port);
    after.send(req('/who.txt', many));
    const a = await after.read();
    assert.equal(a.status, 200);
    assert.equal(a.body.toString(), 'hello\n');
    after.close();
  });

  it('an in-flight keep-alive request finishes on SIGUSR1, then its connection closes', async () => {
    const { child, port } = await start({ keepAliveTimeout: 5, limitRequestLine: 8190 });
    const old = Number((await get(port, '/app/pid')).body);
    const sock = await openRaw(port, req('/app/stream?1', 'Connection: keep-alive\r\n'));
    const got = drain(sock);
    await waitFor('the first chunk', () => (sock.bytesRead > 0 ? true : undefined));
    process.kill(child.pid ?? 0, 'SIGUSR1');
    const { data } = await got;
    assert.match(data, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(data.endsWith('6\r\nfirst\n\r\n7\r\nsecond\n\r\n0\r\n\r\n'), JSON.stringify(data));
    await reloaded(port, old);
    await waitFor('the old daemon to exit', () => (alive(old) ? undefined : true));
  });
});

describe('SIGHUP cuts in-flight requests, SIGUSR1 drains them (as httpd)', () => {
  it('SIGHUP: a started body is truncated, the old daemon stops at once', async () => {
    const { child, port } = await start({ keepAliveTimeout: 5, limitRequestLine: 8190 });
    const old = Number((await get(port, '/app/pid')).body);
    const sock = await openRaw(port, req('/app/stream?20'));
    const got = drain(sock);
    await waitFor('the first chunk', () => (sock.bytesRead > 0 ? true : undefined));
    const sentAt = Date.now();
    process.kill(child.pid ?? 0, 'SIGHUP');
    const { data, closedAt } = await got;
    assert.match(data, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(data.endsWith('\r\n\r\n6\r\nfirst\n\r\n'), JSON.stringify(data));
    assert.ok(closedAt - sentAt < 2000, `cut after ${closedAt - sentAt} ms`);
    // A restart does not grant shutdown-timeout (30 s here): the old daemon goes at once.
    await waitFor('the old daemon to exit', () => (alive(old) ? undefined : true), 3000);
    const now = await reloaded(port, old);
    assert.notEqual(now, old);
  });

  it('SIGHUP: a request with no response yet gets an empty reply', async () => {
    const { child, port, dir } = await start({ keepAliveTimeout: 5, limitRequestLine: 8190 });
    const old = Number((await get(port, '/app/pid')).body);
    const sock = await openRaw(port, req('/app/late?20'));
    const got = drain(sock);
    await waitFor('the app to start', () => (existsSync(join(dir, 'started')) ? true : undefined));
    process.kill(child.pid ?? 0, 'SIGHUP');
    const { data } = await got;
    assert.equal(data, '');
    await waitFor('the old daemon to exit', () => (alive(old) ? undefined : true), 3000);
    const r = await get(port, '/who.txt');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'hello\n');
  });

  it('SIGUSR1: the same request completes, then the old daemon goes', async () => {
    const { child, port, dir } = await start({ keepAliveTimeout: 5, limitRequestLine: 8190 });
    const old = Number((await get(port, '/app/pid')).body);
    const sock = await openRaw(port, req('/app/late?1.5', 'Connection: close\r\n'));
    const got = drain(sock);
    await waitFor('the app to start', () => (existsSync(join(dir, 'started')) ? true : undefined));
    process.kill(child.pid ?? 0, 'SIGUSR1');
    await reloaded(port, old);
    assert.equal(alive(old), true, 'the old daemon still serves its request');
    const { data } = await got;
    assert.match(data, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(data.endsWith('5\r\ndone\n\r\n0\r\n\r\n'), JSON.stringify(data));
    await waitFor('the old daemon to exit', () => (alive(old) ? undefined : true), 5000);
  });
});
