// httpd: server/listen.c (ap_setup_listeners on restart: keep the sockets of Listens that
// stay, bind new ones, close dropped ones). RunningServer.reload with a changed Listen set,
// and the rollback when a new Listen cannot be bound.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigIR } from '../../src/config/ir.js';
import { startServer } from '../../src/server/server.js';
import { BindError } from '../../src/server/listeners.js';
import { MemoryErrorLog } from '../../src/logging/error-log-file.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { MemoryLog } from '../../src/wsgi/daemon/testing.js';
import { FANOUT_AT } from '../../src/http/listener.js';
import { FANOUT_COPIES } from '../../src/http/accept-fanout.js';
import { descriptorsOf, listeningInode } from '../support/sockets.js';

/** A config whose Listens are `hosts` (each on port 0 once loaded) serving DIR/<root>. */
function load(dir: string, root: string, ports: readonly number[]): ConfigIR {
  const p = join(dir, 'httpd.conf');
  writeFileSync(
    p,
    `ServerRoot ${dir}\n${ports.map((n) => `Listen 127.0.0.1:${n}\n`).join('')}LoadModule authz_core_module modules/mod_authz_core.so\nDocumentRoot ${join(dir, root)}\n`,
  );
  return loadConfig({ file: p, serverRoot: dir });
}

/** Ports the OS hands out now (all held at once, so they are distinct), then released. */
async function freePorts(n: number): Promise<number[]> {
  const held = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      return s;
    }),
  );
  const ports = held.map((s) => (s.address() as { port: number }).port);
  await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

const GET = 'GET /who.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const body = async (port: number): Promise<string> => (await rawRequest(port, GET)).body.toString();

describe('reload with a changed Listen set', () => {
  it('binds added Listens, keeps retained sockets (closing their idle keep-alive connections, as httpd), closes dropped ones', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tswsgi-listen-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const d of ['one', 'two', 'three']) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, 'who.txt'), `${d}\n`);
    }
    const [a = 0, b = 0] = await freePorts(2);
    const srv = await startServer(load(dir, 'one', [a]), { log: new MemoryErrorLog() });
    let stopped = false;
    t.after(async () => {
      if (!stopped) await srv.stop({ graceful: false });
    });
    assert.deepEqual(srv.addresses(), [{ host: '127.0.0.1', port: a }]);
    const ka = await RawConnection.open(a);
    ka.send('GET /who.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await ka.read()).body.toString(), 'one\n');
    await assert.rejects(RawConnection.open(b), /ECONNREFUSED/);

    // Listen A and B: both answer with the new config; the idle keep-alive connection on A
    // is closed, as httpd 2.4's graceful restart closes the old children's (checked)
    await srv.reload(load(dir, 'two', [a, b]));
    assert.deepEqual(srv.addresses(), [
      { host: '127.0.0.1', port: a },
      { host: '127.0.0.1', port: b },
    ]);
    assert.equal(await body(a), 'two\n');
    assert.equal(await body(b), 'two\n');
    await ka.closed;
    const kb = await RawConnection.open(b);
    kb.send('GET /who.txt HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await kb.read()).body.toString(), 'two\n');

    // Listen B only: A refuses new connections, B answers
    await srv.reload(load(dir, 'three', [b]));
    assert.deepEqual(srv.addresses(), [{ host: '127.0.0.1', port: b }]);
    await assert.rejects(RawConnection.open(a), /ECONNREFUSED/);
    assert.equal(await body(b), 'three\n');
    // the idle keep-alive connection on a retained listener was closed too
    await kb.closed;

    await srv.stop({ graceful: true });
    stopped = true;
    await assert.rejects(RawConnection.open(b), /ECONNREFUSED/);
  });

  it('a new Listen that cannot be bound fails the reload with BindError and changes nothing', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tswsgi-listen-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const d of ['one', 'two']) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, 'who.txt'), `${d}\n`);
    }
    const [a = 0, b = 0, c = 0] = await freePorts(3);
    const srv = await startServer(load(dir, 'one', [a]), { log: new MemoryErrorLog() });
    t.after(() => srv.stop({ graceful: false }));
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(c, '127.0.0.1', () => r()));
    t.after(() => new Promise<void>((r) => busy.close(() => r())));

    const before = srv.generation;
    // B binds, C is taken: the reload fails, B is closed again, A and the old config stay
    await assert.rejects(srv.reload(load(dir, 'two', [a, b, c])), (e: unknown) => {
      assert.ok(e instanceof BindError);
      assert.equal(e.errno.code, 'EADDRINUSE');
      assert.equal(
        e.message,
        `(98)Address already in use: AH00072: make_sock: could not bind to address 127.0.0.1:${c}`,
      );
      return true;
    });
    assert.equal(srv.generation, before);
    assert.deepEqual(srv.addresses(), [{ host: '127.0.0.1', port: a }]);
    assert.equal(await body(a), 'one\n');
    await assert.rejects(RawConnection.open(b), /ECONNREFUSED/);
  });

  it('a dropped Listen that had extra accept handles closes every descriptor of its socket', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tswsgi-listen-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const d of ['one', 'two']) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, 'who.txt'), `${d}\n`);
    }
    const [a = 0, b = 0] = await freePorts(2);
    const log = new MemoryLog();
    const srv = await startServer(load(dir, 'one', [a]), { log });
    t.after(() => srv.stop({ graceful: false }));
    const inode = listeningInode(a);
    const kept = await Promise.all(
      Array.from({ length: FANOUT_AT }, async () => {
        const c = await RawConnection.open(a);
        c.send('GET /who.txt HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.equal((await c.read()).body.toString(), 'one\n');
        return c;
      }),
    );
    await log.waitFor(/extra accept handles for/);
    assert.equal(descriptorsOf(inode), 1 + FANOUT_COPIES);

    await srv.reload(load(dir, 'two', [b]));
    await Promise.all(kept.map((c) => c.closed)); // idle: closed by the graceful reload
    for (let i = 0; i < 20 && descriptorsOf(inode) > 0; i++)
      await new Promise((r) => setImmediate(r));
    assert.equal(descriptorsOf(inode), 0);
    await assert.rejects(RawConnection.open(a), /ECONNREFUSED/);
    assert.equal(await body(b), 'two\n');
  });
});
