// A client may shut down its sending side once its request is out (shutdown(SHUT_WR),
// `nc -N`, some proxies' health checks). httpd answers such a request: it never looks at
// the FIN before writing. node's http server aborts it unless told to allow half-open
// connections (listener.ts). A FIN before the request body is complete means the request
// can never be finished: that connection is closed at once, as a client that left.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
Timeout 5
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
WSGIDaemonProcess hc threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIScriptAlias /app @DIR@/dump.wsgi process-group=hc
`;

/** Write `data`, half-close, and read until the server closes; resolves with what came back. */
function halfClose(port: number, data: string): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = connect(port, '127.0.0.1');
    let reply = '';
    s.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => resolve({ reply, ms: Date.now() - t0 }));
    s.end(data);
  });
}

describe('half-closed client connections', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'htdocs/a.txt': 'static\n', 'dump.wsgi': app('dump.wsgi') });
  });
  after(() => h.stop());

  it('answers a WSGI request sent before the FIN, then closes', async () => {
    const { reply } = await halfClose(h.port, 'GET /app/x?y=1 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(reply, /\r\nConnection: close\r\n/);
    const body = reply.slice(reply.indexOf('\r\n\r\n') + 4);
    assert.match(body, /"PATH_INFO": "\/x"/);
    assert.match(body, /"QUERY_STRING": "y=1"/);
  });

  it('answers a static request sent before the FIN', async () => {
    const { reply } = await halfClose(h.port, 'GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(reply.endsWith('\r\n\r\nstatic\n'), reply);
  });

  it('answers a POST whose whole body came before the FIN', async () => {
    const { reply } = await halfClose(
      h.port,
      'POST /app/p HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello',
    );
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(reply, /"body_length": 5/);
  });

  it('answers 400 and closes at once when the FIN cuts the request body short', async () => {
    const { reply, ms } = await halfClose(
      h.port,
      'POST /app/p HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly ten b',
    );
    // As for a chunked body that breaks off (robustness-app.test.ts): the parser's 400.
    assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(reply, /\r\nConnection: close\r\n/);
    assert.ok(ms < 4000, `closed after ${String(ms)} ms, not at once`);
    const ok = await rawRequest(
      h.port,
      'GET /app/after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.equal(ok.statusLine, 'HTTP/1.1 200 OK');
  });
});
