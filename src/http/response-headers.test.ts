// Tests for Apache's response header order and ap_set_keepalive headers (response-headers.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { apacheOrder, httpDate, type KeepAlivePolicy } from './response-headers.js';
import { CountingResponse } from './server.js';

/** Serve one scripted response and return the raw head bytes for `request`. */
async function head(
  request: string,
  write: (req: IncomingMessage, res: CountingResponse) => void,
): Promise<string> {
  // The server's own response class: its writeHead applies Apache's order and policy.
  const srv = createServer({ ServerResponse: CountingResponse }, write);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  assert.ok(addr !== null && typeof addr === 'object');
  try {
    return await new Promise<string>((res, rej) => {
      const s = connect(addr.port, '127.0.0.1', () => s.write(request));
      let data = '';
      s.on('data', (b: Buffer) => {
        data += b.toString('latin1');
        const end = data.indexOf('\r\n\r\n');
        if (end >= 0) {
          s.destroy();
          res(data.slice(0, end));
        }
      });
      s.on('error', rej);
    });
  } finally {
    srv.closeAllConnections();
    srv.close();
  }
}

const policy: KeepAlivePolicy = { allowed: true, timeout: 5, left: 100 };
const names = (h: string): string[] =>
  h
    .split('\r\n')
    .slice(1)
    .map((l) => l.slice(0, l.indexOf(':')));

function staticLike(p: KeepAlivePolicy) {
  return (_req: IncomingMessage, res: CountingResponse): void => {
    res.keepAlive = p;
    res.setHeader('Server', 'X');
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('Last-Modified', 'Sat, 01 Jan 2000 00:00:00 GMT');
    res.setHeader('Content-Length', 2);
    res.end('ok');
  };
}

describe('Apache header order (CountingResponse.writeHead)', () => {
  it('puts Date and Server first and Connection before a final Content-Type', async () => {
    const h = await head(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      staticLike(policy),
    );
    assert.deepEqual(names(h), [
      'Date',
      'Server',
      'Last-Modified',
      'Content-Length',
      'Connection',
      'Content-Type',
    ]);
    assert.match(h, /\r\nConnection: close\r\n/);
  });
  it('answers the keep-alive token with Keep-Alive: timeout, max and Connection: Keep-Alive', async () => {
    const h = await head(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n',
      staticLike(policy),
    );
    assert.match(
      h,
      /\r\nContent-Length: 2\r\nKeep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\nContent-Type: text\/plain$/,
    );
  });
  it('sends no Connection header for a plain persistent HTTP/1.1 request', async () => {
    const h = await head('GET / HTTP/1.1\r\nHost: x\r\n\r\n', staticLike(policy));
    assert.doesNotMatch(h, /Connection|Keep-Alive/i);
  });
  it('closes when the policy forbids keep-alive or the status forced Connection: close', async () => {
    const off = await head(
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n',
      staticLike({ ...policy, allowed: false }),
    );
    assert.match(off, /\r\nConnection: close\r\n/);
    assert.doesNotMatch(off, /Keep-Alive/);
    const forced = await head('GET / HTTP/1.1\r\nHost: x\r\n\r\n', (_req, res) => {
      res.keepAlive = policy;
      res.setHeader('Connection', 'close');
      res.setHeader('Content-Length', 0);
      res.end();
    });
    assert.match(forced, /\r\nConnection: close$/);
  });
  it('closes an HTTP/1.0 keep-alive answer whose length is unknown', async () => {
    const h = await head('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', (_req, res) => {
      res.keepAlive = policy;
      res.end('x');
    });
    assert.match(h, /\r\nConnection: close/);
  });
});

describe('apacheOrder and httpDate', () => {
  it('formats Date once per second, as toUTCString would', () => {
    const t = Date.UTC(2026, 10, 21, 22, 30, 5, 120);
    assert.equal(httpDate(t), 'Sat, 21 Nov 2026 22:30:05 GMT');
    assert.equal(httpDate(t + 800), 'Sat, 21 Nov 2026 22:30:05 GMT');
    assert.equal(httpDate(t + 900), 'Sat, 21 Nov 2026 22:30:06 GMT');
  });
  it('keeps repeated headers in the order given and adds Date and the server banner first', async () => {
    const h = await head('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', (req, res) => {
      const flat = apacheOrder(
        res,
        req,
        policy,
        [
          ['Content-Type', 'text/plain'],
          ['Set-Cookie', 'a=1'],
          ['X-Mid', 'm'],
          ['Set-Cookie', 'b=2'],
          ['Content-Length', '2'],
        ],
        'Banner/1',
      );
      res.writeHead(200, flat);
      res.end('ok');
    });
    assert.deepEqual(names(h), [
      'Date',
      'Server',
      'Set-Cookie',
      'X-Mid',
      'Set-Cookie',
      'Content-Length',
      'Connection',
      'Content-Type',
    ]);
    assert.match(h, /\r\nServer: Banner\/1\r\nSet-Cookie: a=1\r\nX-Mid: m\r\nSet-Cookie: b=2\r\n/);
  });
});

describe('fixup_vary and Transfer-Encoding placement', () => {
  it('joins every Vary into one header at the first one, each name once, by ","', async () => {
    const h = await head('GET / HTTP/1.1\r\nHost: x\r\n\r\n', (_req, res) => {
      res.keepAlive = policy;
      res.writeHead(200, [
        'Vary',
        'Accept, accept-encoding',
        'X-A',
        '1',
        'vary',
        ' Cookie ,Accept',
        'Content-Length',
        '0',
      ]);
      res.end();
    });
    assert.deepEqual(names(h), ['Date', 'Vary', 'X-A', 'Content-Length']);
    assert.match(h, /\r\nVary: Accept,accept-encoding,Cookie\r\n/);
  });
  it('drops a Vary with no field names', async () => {
    const h = await head('GET / HTTP/1.1\r\nHost: x\r\n\r\n', (_req, res) => {
      res.keepAlive = policy;
      res.writeHead(200, ['Vary', ' , ', 'Content-Length', '0']);
      res.end();
    });
    assert.deepEqual(names(h), ['Date', 'Content-Length']);
  });
  it('puts a Transfer-Encoding given by the handler after Connection, before Content-Type', async () => {
    const h = await head('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', (_req, res) => {
      res.keepAlive = policy;
      res.writeHead(200, [
        'Content-Type',
        'text/plain',
        'Transfer-Encoding',
        'chunked',
        'X-A',
        '1',
      ]);
      res.end('ok');
    });
    assert.deepEqual(names(h), ['Date', 'X-A', 'Connection', 'Transfer-Encoding', 'Content-Type']);
  });
});

describe('204 and 304 responses', () => {
  it('drop Content-Type, Content-Length and Transfer-Encoding, as ap_http_header_filter', async () => {
    const h = await head('GET / HTTP/1.1\r\nHost: x\r\n\r\n', (_req, res) => {
      res.keepAlive = policy;
      res.writeHead(204, ['Content-Type', 'text/plain', 'X-A', '1', 'Content-Length', '5']);
      res.end();
    });
    assert.deepEqual(names(h), ['Date', 'X-A']);
  });
});
