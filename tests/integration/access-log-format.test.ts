// Access-log items checked against Apache 2.4.71 + mod_wsgi 4.9.4 with the same requests
// (mod_log_config + mod_logio): %I and %O count the request and response bytes on the
// wire (head, body, chunk framing; Apache's %O was larger only by its longer Server
// banner), %{…}o reads the head as sent and escapes it, %C one cookie, %R the handler, %X
// whether the connection stays open, %{…}^ti a request trailer, %L the request's log id
// (the same as mod_wsgi.request_id).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { connect } from 'node:net';
import { rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE } from '../support/wsgi.js';

const APP = `def application(environ, start_response):
    q = environ.get('QUERY_STRING', '')
    if q == 'latin1':
        start_response('200 OK', [('X-A', 'caf\\u00e9')])
        return [b'x']
    if q == 'echo':
        data = environ['wsgi.input'].read()
        start_response('200 OK', [])
        return [data]
    if q == 'id':
        body = environ['mod_wsgi.request_id'].encode()
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [body]
    w = start_response('200 OK', [('Content-Type', 'text/plain')])
    w(b'a')
    return [b'b']
`;

const CONF = `${WSGI_PREAMBLE}
WSGIScriptAlias /app @DIR@/app.wsgi
<Location /app>
  WSGIChunkedRequest On
</Location>
LogFormat "%I %O %S %{X-A}o %{Content-Type}o %{x}C %R %X %{X-T}^ti %{X}^to %L" items
CustomLog @DIR@/access.log items
`;

/** Send `data` (which asks to close) and return every byte the server sent back. */
function exchange(port: number, data: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(data));
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(parts)));
  });
}

describe('access log items', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'app.wsgi': APP });
  });
  after(() => h.stop());

  it('counts wire bytes, reads the sent head, a cookie, the handler and the connection state', async () => {
    const req1 =
      'GET /app?latin1 HTTP/1.1\r\nHost: x\r\nCookie: a=1; x=val\r\nConnection: close\r\n\r\n';
    const r1 = await exchange(h.port, req1);
    assert.match(r1.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/);
    const req2 =
      'POST /app?echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nX-T: trail\r\n\r\n';
    const r2 = await exchange(h.port, req2);
    const req3 = 'GET /app HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const r3 = await exchange(h.port, req3);
    assert.match(r3.toString('latin1'), /\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n$/);
    const keep = await rawRequest(h.port, 'GET /app HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(keep.body.toString(), 'ab');
    keep.conn.close();
    const log = await h.accessLog(4);
    const f1 = (log[0] ?? '').split(' ');
    assert.equal(Number(f1[0]), req1.length, '%I: the request as sent');
    assert.equal(Number(f1[1]), r1.length, '%O: head and body');
    assert.equal(Number(f1[2]), req1.length + r1.length, '%S');
    assert.deepEqual(f1.slice(3, 10), ['caf\\xe9', '-', 'val', 'wsgi-script', '-', '-', '-']);
    const f2 = (log[1] ?? '').split(' ');
    assert.equal(Number(f2[0]), req2.length, '%I of a chunked body: what was read for it');
    assert.equal(Number(f2[1]), r2.length);
    assert.equal(f2[8], 'trail', '%{X-T}^ti');
    const f3 = (log[2] ?? '').split(' ');
    assert.equal(Number(f3[1]), r3.length, '%O counts both chunks and the last one');
    assert.equal(f3[4], 'text/plain', '%{Content-Type}o from the head as sent');
    assert.equal(f3[7], '-', '%X: Connection: close');
    assert.equal((log[3] ?? '').split(' ')[7], '+', '%X: the connection stays open');
  });

  it('logs as %L the id the application saw as mod_wsgi.request_id', async () => {
    const r = await rawRequest(
      h.port,
      'GET /app?id HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const id = r.body.toString();
    assert.match(id, /^[A-Za-z0-9_-]{11}$/);
    const log = await h.accessLog(5);
    assert.ok(log.at(-1)?.endsWith(` ${id}`), log.at(-1));
  });
});
