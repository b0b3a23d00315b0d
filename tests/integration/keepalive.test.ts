// Persistent connections as ap_set_keepalive decides them: kept for HTTP/1.1, closed for
// Connection: close, for HTTP/1.0 without keep-alive, and after MaxKeepAliveRequests
// (httpd serves max+1 requests on a connection); KeepAlive Off closes every time.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection } from '../support/raw-http.js';

const FILES = { 'htdocs/a.txt': 'hello\n' };
const get = (extra = '', proto = 'HTTP/1.1'): string =>
  `GET /a.txt ${proto}\r\nHost: localhost\r\n${extra}\r\n`;

describe('keep-alive', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `LoadModule authz_core_module modules/mod_authz_core.so\nDocumentRoot @DIR@/htdocs\nKeepAliveTimeout 5\nMaxKeepAliveRequests 2\nCustomLog @DIR@/access.log combined\n`,
      FILES,
    );
  });
  after(() => h.stop());

  it('keeps an HTTP/1.1 connection open between requests', async () => {
    const c = await RawConnection.open(h.port);
    try {
      c.send(get());
      const a = await c.read();
      assert.equal(a.status, 200);
      assert.notEqual(a.headers['connection'], 'close');
      c.send(get());
      const b = await c.read();
      assert.equal(b.body.toString(), 'hello\n');
      assert.equal(c.open, true);
    } finally {
      c.close();
    }
  });

  it('closes after MaxKeepAliveRequests + 1 responses, saying Connection: close on the last', async () => {
    const c = await RawConnection.open(h.port);
    c.send(get() + get() + get() + get());
    const r1 = await c.read();
    const r2 = await c.read();
    const r3 = await c.read();
    assert.notEqual(r1.headers['connection'], 'close');
    assert.notEqual(r2.headers['connection'], 'close');
    assert.equal(r3.headers['connection'], 'close');
    await c.closed;
    assert.equal(c.open, false);
  });

  it('closes when the client sends Connection: close', async () => {
    const c = await RawConnection.open(h.port);
    c.send(get('Connection: close\r\n'));
    const r = await c.read();
    assert.equal(r.headers['connection'], 'close');
    await c.closed;
  });

  it('closes an HTTP/1.0 request without keep-alive', async () => {
    const c = await RawConnection.open(h.port);
    c.send('GET /a.txt HTTP/1.0\r\n\r\n');
    const r = await c.read();
    assert.equal(r.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(r.headers['connection'], 'close');
    await c.closed;
  });

  it('answers an HTTP/1.0 keep-alive request with Keep-Alive: timeout, max', async () => {
    const c = await RawConnection.open(h.port);
    try {
      c.send('GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      const r = await c.read();
      assert.equal(r.headers['connection'], 'Keep-Alive');
      assert.equal(r.headers['keep-alive'], 'timeout=5, max=2');
      assert.equal(c.open, true);
    } finally {
      c.close();
    }
  });

  it('logs each request in the combined format', async () => {
    const c = await RawConnection.open(h.port);
    c.send(get('Referer: http://ref.example/\r\nUser-Agent: raw-test/1\r\nConnection: close\r\n'));
    const res = await c.read();
    await c.closed;
    // %O (mod_logio) counts the whole response on the wire: status line, head and body.
    const wire =
      res.statusLine.length +
      2 +
      res.headerList.reduce((n, [k, v]) => n + k.length + v.length + 4, 0) +
      2 +
      res.body.length;
    const lines = await h.accessLog(8);
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(
        `^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "GET /a\\.txt HTTP/1\\.1" 200 ${String(wire)} "http://ref\\.example/" "raw-test/1"$`,
      ),
    );
  });
});

describe('KeepAlive Off', () => {
  it('closes after every response', async (t) => {
    const h = await startServer(
      `LoadModule authz_core_module modules/mod_authz_core.so\nDocumentRoot @DIR@/htdocs\nKeepAlive Off\n`,
      FILES,
    );
    t.after(() => h.stop());
    const c = await RawConnection.open(h.port);
    c.send(get());
    const r = await c.read();
    assert.equal(r.headers['connection'], 'close');
    await c.closed;
  });
});
