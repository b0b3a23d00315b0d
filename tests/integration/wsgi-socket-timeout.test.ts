// WSGIDaemonProcess socket-timeout through the real server (reference mod_wsgi.md §2: "per
// read/write on the child↔daemon socket"; mod_wsgi wsgi_remote.c). A request whose daemon
// process sends no response head for socket-timeout gets 504 and mod_wsgi's "Timeout when
// reading response headers from daemon process" line; one whose response stops mid-body is
// cut short (no last chunk) with "Failed to proxy response from daemon" (Apache 2.4 +
// mod_wsgi 4.9.4 log the same two lines; Apache ends the cut body with a last chunk). Waiting
// on the client (a slow reader, a slow upload) is not the daemon's silence, and gaps
// shorter than the limit never add up. request-timeout is off here, so only socket-timeout
// can end a request.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { exchange } from '../support/fuzz.js';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app, req, until } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LogFormat "%U|%>s" st
CustomLog @DIR@/access.log st
WSGIDaemonProcess st threads=4 socket-timeout=1 request-timeout=0 graceful-timeout=1 shutdown-timeout=1
WSGIDaemonProcess off threads=2 socket-timeout=0 request-timeout=0 graceful-timeout=1 shutdown-timeout=1
WSGIScriptAlias /st @DIR@/app.wsgi process-group=st
WSGIScriptAlias /off @DIR@/app.wsgi process-group=off
`;

describe('WSGIDaemonProcess socket-timeout', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'app.wsgi': app('socket-timeout.wsgi') });
  });
  after(() => h.stop());

  const lines = (re: RegExp): string[] => h.errorLog().filter((l) => re.test(l));

  it("no response head within socket-timeout: 504, mod_wsgi's line, and the process serves on", async () => {
    const t0 = Date.now();
    const res = await rawRequest(h.port, req('/st/sleep?2500'));
    const took = Date.now() - t0;
    assert.equal(res.statusLine, 'HTTP/1.1 504 Gateway Timeout');
    assert.match(res.body.toString('latin1'), /<title>504 Gateway Timeout<\/title>/);
    assert.ok(took >= 1000 && took < 2400, `answered after ${String(took)} ms`);
    const line = await until(() => lines(/MW00235/)[0]);
    assert.match(
      line,
      new RegExp(
        `\\[wsgi:error\\] .*\\[client 127\\.0\\.0\\.1:\\d+\\] MW00235: Timeout when reading response headers from daemon process 'st': ${h.dir}/app\\.wsgi$`,
      ),
    );
    const log = await h.accessLog(1);
    assert.ok(log.includes('/st/sleep|504'), log.join('\n'));
    const next = await rawRequest(h.port, req('/st/hello'));
    assert.equal(next.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(next.body.toString(), 'hello');
  });

  it('a response that stops for socket-timeout is cut short: no last chunk, the line logged', async () => {
    const { reply, timedOut } = await exchange(
      h.port,
      Buffer.from(req('/st/start-sleep?2500'), 'latin1'),
    );
    assert.equal(timedOut, false);
    const text = reply.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.ok(text.includes('first chunk;'), text);
    assert.ok(!text.includes('too late'), text);
    assert.ok(!text.endsWith('0\r\n\r\n'), 'the response must not look complete');
    const line = await until(() => lines(/MW00236/)[0]);
    assert.match(
      line,
      /MW00236: \(70007\)The timeout specified has expired: mod_wsgi \(pid=\d+\): Failed to proxy response from daemon\.$/,
    );
  });

  it('gaps shorter than socket-timeout never add up (2 s in all, 0.5 s apart)', async () => {
    const res = await rawRequest(h.port, req('/st/gaps?5,500'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;');
  });

  it('a client that stops reading for longer than socket-timeout still gets the whole response', async () => {
    const before = lines(/MW0023[56]/).length;
    const sock = connect(h.port, '127.0.0.1');
    sock.pause();
    sock.write(req('/st/big?32'));
    // 32 MiB is more than the socket buffers hold: the daemon is held back by flow control
    // while the client does not read.
    await new Promise((r) => setTimeout(r, 2500));
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.resume();
    await once(sock, 'close');
    const reply = Buffer.concat(chunks);
    const head = reply.indexOf('\r\n\r\n');
    assert.match(reply.toString('latin1', 0, head), /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(reply.length - head - 4, 32 << 20);
    assert.equal(lines(/MW0023[56]/).length, before);
  });

  it('a client that pauses its upload for longer than socket-timeout is not timed out', async () => {
    const c = await RawConnection.open(h.port);
    c.send(
      'POST /st/upload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 100\r\n\r\n' +
        'a'.repeat(50),
    );
    await new Promise((r) => setTimeout(r, 2500));
    c.send('b'.repeat(50));
    const res = await c.read();
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), '100');
    c.close();
  });

  it('an app that leaves its upload unread for socket-timeout: 504', async () => {
    const body = Buffer.alloc(8 << 20, 0x61);
    const c = await RawConnection.open(h.port);
    c.send(
      `POST /st/ignore?2500 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${String(body.length)}\r\n\r\n`,
    );
    c.send(body);
    const res = await c.read();
    assert.equal(res.statusLine, 'HTTP/1.1 504 Gateway Timeout');
    c.close();
  });

  it('socket-timeout=0 turns the check off', async () => {
    const res = await rawRequest(h.port, req('/off/sleep?1500'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'slept');
  });
});
