// httpd: server/mpm/event/event.c (the listener thread takes in a burst of connections while
// the workers are busy). A listener with FANOUT_AT open connections gets FANOUT_COPIES more
// descriptors of its socket (src/http/accept-fanout.ts); connections accepted through them
// are served like any other (a client that half-closes after its request included);
// stopping the server closes every one of them.

import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startServer } from '../../src/server/server.js';
import { MemoryLog } from '../../src/wsgi/daemon/testing.js';
import { FANOUT_AT } from '../../src/http/listener.js';
import { FANOUT_COPIES } from '../../src/http/accept-fanout.js';
import { descriptorsOf, listeningInode } from '../support/sockets.js';
import { RawConnection } from '../support/raw-http.js';
import { toEphemeralPorts } from '../support/harness.js';
import { makeCerts } from '../support/certs.js';
import { APPS_DIR } from '../support/wsgi.js';

const GET = (close: boolean): string =>
  `GET /f.txt HTTP/1.1\r\nHost: x\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;

/**
 * A server on an ephemeral port serving DIR/docs/f.txt ("fan\n") with `conf(dir)` after the
 * Listen and LogLevel debug lines, its error log in memory; stopped and removed when the
 * test ends (stop() earlier is fine).
 */
async function serve(
  t: TestContext,
  conf: (dir: string) => string,
): Promise<{ dir: string; port: number; log: MemoryLog; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tswsgi-fanout-'));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'f.txt'), 'fan\n');
  writeFileSync(
    join(dir, 'httpd.conf'),
    `ServerRoot ${dir}\nListen 127.0.0.1:9\nLogLevel debug\n` +
      `LoadModule authz_core_module modules/mod_authz_core.so\n${conf(dir)}`,
  );
  const log = new MemoryLog();
  const srv = await startServer(
    toEphemeralPorts(loadConfig({ file: join(dir, 'httpd.conf'), serverRoot: dir })),
    { log },
  );
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= srv.stop({ graceful: true }));
  t.after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, port: srv.addresses()[0]?.port ?? 0, log, stop };
}

describe('extra accept handles for a busy listener', () => {
  it(`after ${FANOUT_AT} open connections the socket has ${FANOUT_COPIES} more descriptors; a burst through them is served and logged; stop closes them all`, async (t) => {
    const { dir, port, log, stop } = await serve(
      t,
      (d) => `DocumentRoot ${d}/docs\nCustomLog ${d}/access.log "%a %>s %b %r"\n`,
    );
    const inode = listeningInode(port);
    assert.equal(descriptorsOf(inode), 1);

    // FANOUT_AT kept-alive connections, each with one request answered.
    const kept: RawConnection[] = [];
    for (let i = 0; i < FANOUT_AT; i++) {
      const c = await RawConnection.open(port);
      c.send(GET(false));
      const res = await c.read();
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'fan\n');
      kept.push(c);
    }
    const ready = await log.waitFor(/extra accept handles for/);
    assert.equal(ready.id, 'MW00305');
    assert.equal(ready.level, 'debug');
    assert.equal(ready.message, `${FANOUT_COPIES} extra accept handles for 127.0.0.1:${port}`);
    assert.equal(descriptorsOf(inode), 1 + FANOUT_COPIES);

    // A burst of new connections, all queued at once: every one answered in full.
    const burst = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const c = await RawConnection.open(port);
        c.send(GET(true));
        const res = await c.read();
        c.close();
        return `${res.status} ${res.headers['connection'] ?? ''} ${res.body.toString()}`;
      }),
    );
    assert.deepEqual(new Set(burst), new Set(['200 close fan\n']));
    assert.equal(burst.length, 40);
    // The kept-alive ones still work.
    kept[0]?.send(GET(false));
    assert.equal((await kept[0]?.read())?.body.toString(), 'fan\n');
    for (const c of kept) c.close();

    await stop();
    assert.equal(descriptorsOf(inode), 0, 'no descriptor of the socket is left open');
    const lines = readFileSync(join(dir, 'access.log'), 'utf8').trim().split('\n');
    assert.equal(lines.length, FANOUT_AT + 40 + 1);
    assert.ok(lines.every((l) => l === '127.0.0.1 200 4 GET /f.txt HTTP/1.1'));
    assert.deepEqual(log.grep(/no extra accept handles/), []);
    const refused = connect(port, '127.0.0.1');
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
  });

  it('a WSGI request sent just before the client half-closes is answered through every handle', async (t) => {
    // The daemon answers after node has seen the FIN: a socket accepted without the
    // server's allowHalfOpen had already ended its side, and the answer was lost.
    const { port, log } = await serve(
      t,
      () =>
        `LoadModule alias_module modules/mod_alias.so\nLoadModule wsgi_module modules/mod_wsgi.so\n` +
        `WSGIDaemonProcess fan threads=4\n` +
        `WSGIScriptAlias /app ${join(APPS_DIR, '..', '..', '..', 'examples', 'hello', 'hello.wsgi')} process-group=fan\n`,
    );
    const get = (path: string, close: boolean): string =>
      `GET ${path} HTTP/1.1\r\nHost: x\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    const kept: RawConnection[] = [];
    for (let i = 0; i < FANOUT_AT; i++) {
      const c = await RawConnection.open(port);
      c.send(get('/app', false));
      assert.equal((await c.read()).status, 200);
      kept.push(c);
    }
    await log.waitFor(/extra accept handles for/);
    assert.equal(descriptorsOf(listeningInode(port)), 1 + FANOUT_COPIES);
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const c = await RawConnection.open(port);
        c.send(get('/app', i % 2 === 0));
        c.socket.end();
        const res = await c.read();
        await c.closed;
        return `${res.status} ${res.headers['connection'] ?? ''} ${res.body.toString()}`;
      }),
    );
    assert.deepEqual(new Set(answers), new Set(['200 close Hello World!\n']));
    assert.equal(answers.length, 60);
    for (const c of kept) c.close();
  });

  it('TLS: connections accepted through the extra handles go through the handshake (SNI) like the rest', async (t) => {
    const certs = makeCerts(['a.test']);
    t.after(() => certs.remove());
    const { port, log } = await serve(
      t,
      (d) =>
        `LoadModule ssl_module modules/mod_ssl.so\n` +
        `<VirtualHost *:9>\n  ServerName a.test\n  DocumentRoot ${d}/docs\n  SSLEngine on\n` +
        `  SSLCertificateFile ${certs.crt('a.test')}\n  SSLCertificateKeyFile ${certs.key('a.test')}\n` +
        `</VirtualHost>\n<Directory ${d}/docs>\n  Require all granted\n</Directory>\n`,
    );
    const kept: RawConnection[] = [];
    for (let i = 0; i < FANOUT_AT; i++) {
      const c = await RawConnection.openTls(port, { servername: 'a.test' });
      c.send(GET(false));
      assert.equal((await c.read()).body.toString(), 'fan\n');
      kept.push(c);
    }
    await log.waitFor(/extra accept handles for/);
    assert.equal(descriptorsOf(listeningInode(port)), 1 + FANOUT_COPIES);
    const burst = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const c = await RawConnection.openTls(port, { servername: 'a.test' });
        c.send(GET(true));
        const res = await c.read();
        c.close();
        return `${res.status} ${res.body.toString()}`;
      }),
    );
    assert.deepEqual(new Set(burst), new Set(['200 fan\n']));
    assert.equal(burst.length, 30);
    for (const c of kept) c.close();
  });
});
