// Robustness against bad WSGI app and worker output (mod_wsgi Adapter_start_response,
// Adapter_output, wsgi_execute_remote; reference mod_wsgi.md §3.4, §8) and bad request
// bodies to an app (WSGIChunkedRequest, short bodies). Each case checks the answer, the
// error log, and that the next normal request is served.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app, req, until } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LogLevel info
WSGIDaemonProcess rob processes=1 threads=4 graceful-timeout=1 shutdown-timeout=1
WSGIProcessGroup rob
WSGIScriptAlias /r @DIR@/robust.wsgi
<Location /r>
  WSGIChunkedRequest On
  SetEnv SIDE_EFFECT @DIR@/side
</Location>
`;

describe('app and worker robustness', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'robust.wsgi': app('robust.wsgi') });
    mkdirSync(`${h.dir}/side`);
  });
  after(() => h.stop());

  async function stillServes(): Promise<void> {
    const ok = await rawRequest(h.port, req('/r/ok'));
    assert.equal(ok.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(ok.body.toString(), 'ok');
  }
  const logged = (re: RegExp): Promise<string> => until(() => h.errorLog().find((l) => re.test(l)));

  async function expectError(path: string, status: number): Promise<void> {
    const res = await rawRequest(h.port, req(path, { keep: true }));
    assert.equal(res.status, status, `${path} → ${res.statusLine} ${res.body.toString()}`);
    assert.equal(res.headers['connection'], 'close');
    assert.equal(res.headers['x-injected'], undefined);
    assert.match(res.body.toString('latin1'), /^<!DOCTYPE HTML/);
    await res.conn.closed;
    await stillServes();
  }

  describe('bad app output', () => {
    it('a status without 3 digits → 500 with the ValueError logged', async () => {
      await expectError('/r/status-word', 500);
      await expectError('/r/status-2digit', 500);
      await logged(/ValueError: .*status/i);
    });
    it('CRLF in a header value → 500, never an injected header', async () => {
      await expectError('/r/crlf-header', 500);
      await logged(/ValueError: .*(carriage|control|CR|newline|X-A)/i);
    });
    it('an app returning a str → 500 with a TypeError logged', async () => {
      await expectError('/r/str', 500);
      await logged(/TypeError/);
    });
    it('10,000 tiny chunks arrive whole', async () => {
      const res = await rawRequest(h.port, req('/r/tiny'));
      const want = Array.from({ length: 10000 }, (_, i) => `${i},`).join('');
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
      assert.equal(res.body.toString(), want);
    });
    it('Content-Length 5 with 10 bytes yielded → exactly 5 bytes', async () => {
      const c = await RawConnection.open(h.port);
      c.send(req('/r/over', { keep: true }) + req('/r/ok'));
      const res = await c.read();
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
      assert.equal(res.headers['content-length'], '5');
      assert.equal(res.body.toString(), '01234');
      // The next response on the connection is not polluted by the 5 surplus bytes.
      const next = await c.read().catch(() => undefined);
      if (next !== undefined) assert.equal(next.body.toString(), 'ok');
      c.close();
    });
    it('no start_response and [] returned → 500', async () => {
      await expectError('/r/no-start', 500);
    });
    it('close() that raises: the body is sent, the error logged, close() ran', async () => {
      const res = await rawRequest(h.port, req('/r/raise-close'));
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
      assert.equal(res.body.toString(), 'body');
      await logged(/RuntimeError: boom in close/);
      assert.ok(existsSync(`${h.dir}/side/raise-close.closed`));
      await stillServes();
    });
  });

  describe('worker failures', () => {
    it('os._exit(1) mid-request → 502, the exit logged, the next request served', async () => {
      const res = await rawRequest(h.port, req('/r/exit'));
      assert.equal(res.statusLine, 'HTTP/1.1 502 Bad Gateway');
      assert.match(res.body.toString('latin1'), /^<!DOCTYPE HTML/);
      await logged(/(exit|exited|died|code 1|status 1)/i);
      await stillServes();
    });
    it('garbage on fd 3 → 502, protocol error logged, worker replaced', async () => {
      const res = await rawRequest(h.port, req('/r/fd3'));
      assert.equal(res.statusLine, 'HTTP/1.1 502 Bad Gateway');
      await logged(/broke the protocol \(bad-magic/);
    });
    it('a request sent right after the protocol error waits for a fresh worker, not the dying one', async () => {
      // processes=1: the only worker breaks the protocol. A request sent as soon as the 502
      // is out must not be routed to it while its SIGKILL is in flight; it waits for the
      // replacement and succeeds.
      const res = await rawRequest(h.port, req('/r/fd3'));
      assert.equal(res.statusLine, 'HTTP/1.1 502 Bad Gateway');
      await stillServes();
    });
  });

  describe('bad request bodies to an app', () => {
    const chunked = (body: string): string =>
      `POST /r/read HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
    for (const [name, body] of [
      ['bad hex size', 'zz\r\nhello\r\n0\r\n\r\n'],
      ['missing CRLF after data', '5\r\nhelloXX0\r\n\r\n'],
    ] as const) {
      it(`invalid chunked encoding (${name}) → 400, closed, server fine`, async () => {
        const res = await rawRequest(h.port, chunked(body));
        assert.equal(res.status, 400, res.statusLine);
        await res.conn.closed;
        await stillServes();
      });
    }
    it('truncated chunked body then close: the app sees a read error, nothing crashes', async () => {
      const c = await RawConnection.open(h.port);
      c.send(chunked('5\r\nhel'));
      c.socket.end();
      await c.closed.catch(() => undefined);
      c.close();
      const err = await until(() =>
        existsSync(`${h.dir}/side/read-error`)
          ? readFileSync(`${h.dir}/side/read-error`, 'utf8')
          : undefined,
      );
      assert.match(err, /Error/);
      await stillServes();
    });
    it('a body shorter than Content-Length then close: read error in the app, logged', async () => {
      const c = await RawConnection.open(h.port);
      c.send('POST /r/read HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly ten b');
      c.socket.end();
      await c.closed;
      c.close();
      await until(() => existsSync(`${h.dir}/side/read-error`));
      await stillServes();
    });
  });

  it('a client vanishing mid WSGI stream: close() is called, the server keeps serving', async () => {
    const c = await RawConnection.open(h.port);
    let n = 0;
    const some = new Promise<void>((resolve) =>
      c.socket.on('data', (d: Buffer) => {
        n += d.length;
        if (n > 200_000) resolve();
      }),
    );
    c.send(req('/r/stream'));
    await some;
    c.close();
    await until(() => existsSync(`${h.dir}/side/stream.closed`), 10_000);
    await stillServes();
  });
});
