// mod_reqtimeout (httpd modules/filters/mod_reqtimeout.c): RequestReadTimeout's header and
// body stages. What each case answers was measured first on apache2 2.4 + mod_wsgi 4.9.4
// with the same RequestReadTimeout (header=2-4,MinRate=10 body=2, here scaled to 1 s):
// a stalled head → 408 page + close, AH01382 "Request header read timeout" (info); a
// stalled body → AH01382 "Request body read timeout", 408 + close for a static file and a
// daemon-mode app (whose wsgi.input read fails), the connection closed after the answer of
// an app that never read it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection } from '../support/raw-http.js';
import { WSGI_PREAMBLE, until } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LoadModule reqtimeout_module modules/mod_reqtimeout.so
LogLevel info
CustomLog @DIR@/access.log "%>s %b \\"%r\\""
DocumentRoot @DIR@/htdocs
<Directory @DIR@>
  Require all granted
</Directory>
RequestReadTimeout header=1-2,MinRate=20 body=1
WSGIDaemonProcess rt threads=2
WSGIScriptAlias /echo @DIR@/echo.wsgi process-group=rt
WSGIScriptAlias /noread @DIR@/noread.wsgi process-group=rt
<VirtualHost *:@PORT@>
  ServerName off.example
  DocumentRoot @DIR@/htdocs
</VirtualHost>
`;

const ECHO = `import sys
def application(environ, start_response):
    try:
        data = environ['wsgi.input'].read()
    except OSError as e:
        print('app read failed: %s' % e, file=environ['wsgi.errors'])
        raise
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'got %d\\n' % len(data)]
`;

const NOREAD = `def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ignored body\\n']
`;

/** Milliseconds since `t0`. */
const since = (t0: number): number => Date.now() - t0;

describe('mod_reqtimeout (RequestReadTimeout)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'htdocs/page.txt': 'page\n',
      'echo.wsgi': ECHO,
      'noread.wsgi': NOREAD,
    });
  });
  after(() => h.stop());

  it('answers 408 and closes when the head stalls, logging AH01382 and the access line', async () => {
    const conn = await RawConnection.open(h.port);
    const t0 = Date.now();
    conn.send('GET /page.txt HTTP/1.1\r\nHost: localhost\r\n');
    const res = await conn.read();
    await conn.closed;
    const took = since(t0);
    assert.equal(res.status, 408);
    assert.equal(res.headers['connection'], 'close');
    assert.match(res.body.toString(), /<title>408 Request Timeout<\/title>/);
    // 1 s, plus 36 bytes at 20 bytes/s (capped at 2 s), plus the watch's 100 ms tick.
    assert.ok(took >= 1700 && took < 2600, `answered after ${took} ms`);
    const line = await until(() =>
      h.errorLog().find((l) => l.includes('AH01382: Request header read timeout')),
    );
    assert.match(line, /\[reqtimeout:info\] .*\[client 127\.0\.0\.1:\d+\]/);
    const access = await h.accessLog(1);
    assert.equal(access.at(-1), '408 261 "-"');
  });

  it('gives an idle kept-alive connection KeepAliveTimeout, then times its next head', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('GET /page.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const first = await conn.read();
    assert.equal(first.status, 200);
    assert.equal(first.body.toString(), 'page\n');
    // Idle longer than the header stage: before a byte comes that stage does not run.
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(conn.open, true);
    const t0 = Date.now();
    conn.send('GET /page.txt HTTP/1.1\r\n');
    const res = await conn.read();
    await conn.closed;
    assert.equal(res.status, 408);
    assert.ok(since(t0) >= 1000 && since(t0) < 2400, `answered after ${since(t0)} ms`);
  });

  it('lets a head that keeps coming at MinRate run past the initial timeout', async () => {
    const conn = await RawConnection.open(h.port);
    const t0 = Date.now();
    conn.send('GET /page.txt HTTP/1.1\r\n');
    // 20 bytes every 400 ms (50 bytes/s > MinRate 20), for 1.6 s, then the end of the head.
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 400));
      conn.send(`X-Pad-${i}: 0123456789ab\r\n`);
    }
    conn.send('Host: localhost\r\nConnection: close\r\n\r\n');
    const res = await conn.read();
    assert.ok(since(t0) > 1500, 'past the initial 1 s');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'page\n');
  });

  it('answers 408 when a body to a static file stalls (ap_discard_request_body)', async () => {
    const conn = await RawConnection.open(h.port);
    const t0 = Date.now();
    conn.send(
      'POST /page.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789',
    );
    const res = await conn.read();
    await conn.closed;
    assert.equal(res.status, 408);
    assert.equal(res.headers['connection'], 'close');
    assert.ok(since(t0) >= 1000 && since(t0) < 2000, `answered after ${since(t0)} ms`);
    await until(() => h.errorLog().some((l) => l.includes('AH01382: Request body read timeout')));
    const access = await h.accessLog(1);
    assert.ok(access.includes('408 261 "POST /page.txt HTTP/1.1"'), access.join('\n'));
  });

  it("fails a daemon-mode app's wsgi.input read and answers 408", async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789');
    const res = await conn.read();
    await conn.closed;
    assert.equal(res.status, 408);
    assert.equal(res.headers['connection'], 'close');
    assert.match(res.body.toString(), /<title>408 Request Timeout<\/title>/);
    const log = await until(() => {
      const lines = h.errorLog();
      return lines.some((l) => l.includes('app read failed: mod_wsgi request data read error'))
        ? lines
        : undefined;
    });
    const timeoutAt = log.findIndex((l) => l.includes('AH01382: Request body read timeout'));
    const proxyAt = log.findIndex((l) =>
      /\[wsgi:error\] .*MW00234: mod_wsgi \(pid=\d+\): Request data read error when proxying data to daemon process: The timeout specified has expired\./.test(
        l,
      ),
    );
    assert.ok(timeoutAt >= 0 && proxyAt > timeoutAt, log.join('\n'));
  });

  it('answers an app that never read the body, then closes the connection', async () => {
    const conn = await RawConnection.open(h.port);
    const t0 = Date.now();
    conn.send('POST /noread HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789');
    const res = await conn.read();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'ignored body\n');
    assert.ok(since(t0) < 900, 'answered before the deadline');
    await conn.closed;
    assert.ok(since(t0) >= 1000, `closed after ${since(t0)} ms`);
  });

  it('does not time a body that arrives in time', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 20\r\n\r\n0123456789');
    await new Promise((r) => setTimeout(r, 400));
    conn.send('0123456789');
    const res = await conn.read();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'got 20\n');
    assert.equal(res.headers['connection'], undefined);
    conn.close();
  });
});

describe('mod_reqtimeout turned off (header=0 body=0)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `LoadModule authz_core_module modules/mod_authz_core.so
LoadModule reqtimeout_module modules/mod_reqtimeout.so
ServerName localhost
LogLevel info
Timeout 2
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
RequestReadTimeout header=0 body=0
`,
      { 'htdocs/page.txt': 'page\n' },
    );
  });
  after(() => h.stop());

  it('leaves a stalled head to Timeout (AH00566), not to mod_reqtimeout', async () => {
    const conn = await RawConnection.open(h.port);
    const t0 = Date.now();
    conn.send('GET /page.txt HTTP/1.1\r\nHost: localhost\r\n');
    const res = await conn.read();
    await conn.closed;
    assert.equal(res.status, 408);
    assert.ok(since(t0) >= 1900, `answered after ${since(t0)} ms`);
    await until(() => h.errorLog().some((l) => l.includes('AH00566')));
    assert.equal(
      h.errorLog().some((l) => l.includes('AH01382')),
      false,
    );
  });
});
