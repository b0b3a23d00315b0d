// mod_proxy + mod_proxy_http: a reverse proxy to a node http backend started here on
// port 0. Asserts what the client gets (status, headers, body) and what the backend
// received (method, path, Host, X-Forwarded-*, body bytes, connection reuse), and every
// error path. Expected answers were taken from Debian's Apache 2.4 with the same conf
// (the python backend of the oracle run answered the same requests).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly bodyMd5: string;
  readonly bodyLength: number;
  readonly conn: number;
}

/** The backend: records each request, answers by path. */
class Backend {
  readonly server: Server;
  readonly seen: Seen[] = [];
  readonly sockets: Socket[] = [];
  readonly oneshot = new Set<Socket>();
  port = 0;
  constructor() {
    this.server = createServer((req, res) => {
      void this.#answer(req, res);
    });
    this.server.on('connection', (s: Socket) => this.sockets.push(s));
    // Expect: 100-continue: /b/nocontinue refuses the body with a final answer.
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if ((req.url ?? '').startsWith('/b/nocontinue')) {
        this.seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          rawHeaders: req.rawHeaders,
          bodyMd5: '',
          bodyLength: 0,
          conn: this.sockets.indexOf(req.socket),
        });
        res.writeHead(417, { 'Content-Length': '0', Connection: 'close' });
        res.end();
        return;
      }
      res.writeContinue();
      void this.#answer(req, res);
    });
  }
  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }
  last(): Seen {
    const s = this.seen.at(-1);
    assert.ok(s !== undefined, 'the backend saw a request');
    return s;
  }
  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? '';
    this.seen.push({
      method: req.method ?? '',
      url,
      rawHeaders: req.rawHeaders,
      bodyMd5: createHash('md5').update(body).digest('hex'),
      bodyLength: body.length,
      conn: this.sockets.indexOf(req.socket),
    });
    const sock = req.socket;
    // A connection marked by /b/oneshot is dropped at its next request, unanswered: the
    // race of a kept-alive backend connection closed just as it is reused.
    if (this.oneshot.has(sock)) {
      sock.destroy();
      return;
    }
    if (url.startsWith('/b/oneshot')) this.oneshot.add(sock);
    if (url.includes('/slow')) return; // never answers
    if (url.includes('/stall')) {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\npart');
      return; // and then nothing
    }
    if (url.startsWith('/b/die')) {
      sock.write(
        'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\npartial',
      );
      setImmediate(() => sock.destroy());
      return;
    }
    if (url.startsWith('/b/chunkdie')) {
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\npartial\r\n');
      setImmediate(() => sock.destroy());
      return;
    }
    if (url.startsWith('/b/badhdr')) {
      sock.end(
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nBad Header Line\r\nContent-Length: 2\r\n\r\nok',
      );
      return;
    }
    if (url.startsWith('/b/redir')) {
      res.writeHead(302, {
        Location: `http://127.0.0.1:${String(this.port)}/b/target?x=1`,
        'Content-Location': `http://127.0.0.1:${String(this.port)}/b/cl`,
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    if (url.startsWith('/b/err')) {
      res.writeHead(500, { 'Content-Type': 'text/plain', 'Content-Length': '19' });
      res.end('backend error body\n');
      return;
    }
    if (url.startsWith('/b/hop')) {
      res.writeHead(200, [
        ['Content-Type', 'text/plain'],
        ['Connection', 'X-Private'],
        ['X-Private', 'secret'],
        ['Keep-Alive', 'timeout=5'],
        ['Upgrade', 'h2c'],
        ['X-Public', 'yes'],
        ['Server', 'backend/1'],
        ['Content-Length', '3'],
      ]);
      res.end('hop');
      return;
    }
    if (url.startsWith('/b/big')) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (let i = 0; i < 16; i++) if (!res.write(chunk)) await once(res, 'drain');
      res.end();
      return;
    }
    const out = `${req.method ?? ''} ${url} ${String(body.length)}\n`;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(out.length) });
    res.end(out);
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** A port nothing listens on (listen, note the port, close). */
async function deadPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

/** header value by name from a raw header list (first one). */
function field(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === name.toLowerCase()) return raw[i + 1];
  return undefined;
}
const names = (raw: readonly string[]): string[] =>
  raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

const conf = (bport: number, dead: number): string => `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
LoadModule rewrite_module modules/mod_rewrite.so
LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_http_module modules/mod_proxy_http.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@>
  Require all granted
</Directory>
ErrorDocument 500 "custom 500"
Alias /p/alias @DIR@/htdocs
ProxyPass /p/ex !
ProxyPass /p/ http://127.0.0.1:${String(bport)}/b/
ProxyPassReverse /p/ http://127.0.0.1:${String(bport)}/b/
ProxyPass /nq/ http://127.0.0.1:${String(bport)}/b/nq/ noquery
ProxyPass /refused http://127.0.0.1:${String(dead)}/ retry=5
ProxyPass /slow http://127.0.0.1:${String(bport)}/slow timeout=1
ProxyPass /stall http://127.0.0.1:${String(bport)}/stall timeout=1
<Location /p/limited>
  LimitRequestBody 10
</Location>
ProxyPass /fresh/ http://127.0.0.1:${String(bport)}/fresh/ disablereuse=On
ProxyPassMatch ^/m/(\\w+)\\.json$ http://127.0.0.1:${String(bport)}/b/json/$1
<Location /eo>
  ProxyPass http://127.0.0.1:${String(bport)}/b/err
  ProxyErrorOverride On
</Location>
<Location /eo404>
  ProxyPass http://127.0.0.1:${String(bport)}/b/err
  ProxyErrorOverride On 404
</Location>
<Location /p/no100>
  Proxy100Continue Off
</Location>
<Location /ph>
  ProxyPass http://127.0.0.1:${String(bport)}/b/ph
  ProxyPreserveHost On
  ProxyAddHeaders Off
</Location>
RewriteEngine On
RewriteRule ^/rw/(.*)$ http://127.0.0.1:${String(bport)}/b/$1 [P]
`;

describe('mod_proxy reverse proxy to an HTTP backend', () => {
  let h: Harness;
  const b = new Backend();
  let dead = 0;
  before(async () => {
    await b.start();
    dead = await deadPort();
    h = await startServer(conf(b.port, dead), { 'htdocs/index.html': 'local\n' });
  });
  after(async () => {
    await h.stop();
    await b.stop();
  });

  it('maps the path remainder and query string, and answers with the backend response', async () => {
    const res = await rawRequest(
      h.port,
      'GET /p/x%20y/%C3%A9?q=1&r=%41 HTTP/1.1\r\nHost: front.example\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n',
    );
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'GET /b/x%20y/%C3%A9?q=1&r=%41 0\n');
    // The backend sent no Server: this server's own goes out (as Apache's does).
    assert.deepEqual(res.headerNames, ['content-length', 'content-type', 'date', 'server']);
    const seen = b.last();
    assert.equal(seen.url, '/b/x%20y/%C3%A9?q=1&r=%41');
    assert.equal(field(seen.rawHeaders, 'Host'), `127.0.0.1:${String(b.port)}`);
    assert.equal(seen.rawHeaders[0], 'Host', 'Host goes first');
    assert.equal(field(seen.rawHeaders, 'X-Forwarded-For'), '1.2.3.4, 127.0.0.1');
    assert.equal(field(seen.rawHeaders, 'X-Forwarded-Host'), 'front.example');
    assert.equal(field(seen.rawHeaders, 'X-Forwarded-Server'), 'localhost');
    assert.equal(field(seen.rawHeaders, 'Connection'), 'Keep-Alive');
  });

  it('wins over Alias (proxy_trans runs first) and honours a ! exclusion', async () => {
    const r1 = await rawRequest(h.port, 'GET /p/alias/index.html HTTP/1.1\r\nHost: x\r\n\r\n');
    r1.conn.close();
    assert.equal(r1.body.toString(), 'GET /b/alias/index.html 0\n');
    const r2 = await rawRequest(h.port, 'GET /p/ex HTTP/1.1\r\nHost: x\r\n\r\n');
    r2.conn.close();
    assert.equal(r2.status, 404);
    assert.notEqual(b.last().url, '/b/ex');
  });

  it('streams a request body to the backend, byte for byte', async () => {
    const body = Buffer.alloc(300_000, 0x62);
    const conn = await RawConnection.open(h.port);
    conn.send(
      `POST /p/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${String(body.length)}\r\n\r\n`,
    );
    conn.send(body);
    const res = await conn.read();
    conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), `POST /b/upload ${String(body.length)}\n`);
    const seen = b.last();
    assert.equal(seen.method, 'POST');
    assert.equal(seen.bodyMd5, createHash('md5').update(body).digest('hex'));
    assert.equal(field(seen.rawHeaders, 'Content-Length'), String(body.length));
  });

  it('sends a small chunked request body with a Content-Length (prefetched, as httpd)', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(
      'PUT /p/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    );
    const res = await conn.read();
    conn.close();
    assert.equal(res.body.toString(), 'PUT /b/chunked 11\n');
    const seen = b.last();
    assert.equal(seen.bodyMd5, createHash('md5').update('hello world').digest('hex'));
    assert.equal(field(seen.rawHeaders, 'Content-Length'), '11');
    assert.equal(field(seen.rawHeaders, 'Transfer-Encoding'), undefined);
  });

  it('streams a chunked request body longer than the prefetch chunked', async () => {
    const part = Buffer.alloc(10_000, 0x63);
    const conn = await RawConnection.open(h.port);
    conn.send('POST /p/longchunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 5; i++) {
      conn.send(`${part.length.toString(16)}\r\n`);
      conn.send(part);
      conn.send('\r\n');
    }
    conn.send('0\r\n\r\n');
    const res = await conn.read();
    conn.close();
    assert.equal(res.body.toString(), 'POST /b/longchunked 50000\n');
    const seen = b.last();
    assert.equal(field(seen.rawHeaders, 'Transfer-Encoding'), 'chunked');
    assert.equal(seen.bodyMd5, createHash('md5').update(Buffer.alloc(50_000, 0x63)).digest('hex'));
  });

  it('sends no body framing for a request without a body, and Content-Length: 0 when given', async () => {
    const r1 = await rawRequest(h.port, 'POST /p/nobody HTTP/1.1\r\nHost: x\r\n\r\n');
    r1.conn.close();
    assert.equal(r1.status, 200);
    const s1 = b.last().rawHeaders;
    assert.equal(field(s1, 'Content-Length'), undefined);
    assert.equal(field(s1, 'Transfer-Encoding'), undefined);
    const r2 = await rawRequest(
      h.port,
      'POST /p/zero HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
    );
    r2.conn.close();
    assert.equal(field(b.last().rawHeaders, 'Content-Length'), '0');
  });

  it('forwards Expect: 100-continue and sends the body once the backend says Continue', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(
      'POST /p/expect HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n',
    );
    conn.send('abc');
    let res = await conn.read();
    if (res.status === 100) res = await conn.read();
    conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'POST /b/expect 3\n');
    assert.equal(field(b.last().rawHeaders, 'Expect'), '100-continue');
  });

  it("answers the backend's final status when it refuses a 100-continue body", async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(
      'POST /p/nocontinue HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n',
    );
    conn.send('abc');
    let res = await conn.read();
    if (res.status === 100) res = await conn.read();
    assert.equal(res.status, 417);
    const refused = b.last().conn;
    conn.send('GET /p/next HTTP/1.1\r\nHost: x\r\n\r\n');
    const next = await conn.read();
    conn.close();
    assert.equal(next.body.toString(), 'GET /b/next 0\n');
    assert.notEqual(b.last().conn, refused, 'the refused connection was not reused');
  });

  it('does not forward Expect under Proxy100Continue Off', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(
      'POST /p/no100 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
    );
    let res = await conn.read();
    if (res.status === 100) res = await conn.read();
    conn.close();
    assert.equal(res.body.toString(), 'POST /b/no100 3\n');
    assert.equal(field(b.last().rawHeaders, 'Expect'), undefined);
  });

  it('drops Expect when there is no body to send', async () => {
    const res = await rawRequest(
      h.port,
      'GET /p/noexp HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n',
    );
    res.conn.close();
    assert.equal(field(b.last().rawHeaders, 'Expect'), undefined);
  });

  it('retries on a new connection when a reused one turns out closed', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('GET /p/oneshot HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal((await conn.read()).status, 200);
    const marked = b.last().conn;
    conn.send('GET /p/after HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await conn.read();
    conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'GET /b/after 0\n');
    assert.notEqual(b.last().conn, marked);
  });

  it('removes hop-by-hop request headers and keeps end-to-end ones', async () => {
    const res = await rawRequest(
      h.port,
      'GET /p/hdr HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Foo\r\nX-Foo: 1\r\nTE: trailers\r\nKeep-Alive: 300\r\nUpgrade: h2c\r\nProxy-Authorization: xx\r\nVia: 1.0 other\r\nX-Forwarded-Host: orig\r\nX-Keep: k\r\n\r\n',
    );
    res.conn.close();
    assert.equal(res.status, 200);
    const seen = b.last().rawHeaders;
    assert.deepEqual(names(seen), [
      'host',
      'proxy-authorization',
      'via',
      'x-forwarded-host',
      'x-keep',
      'x-forwarded-for',
      'x-forwarded-server',
      'connection',
    ]);
    assert.equal(field(seen, 'X-Forwarded-Host'), 'orig, x');
    assert.equal(field(seen, 'Via'), '1.0 other');
  });

  it('removes hop-by-hop response headers and keeps the backend Server', async () => {
    const res = await rawRequest(h.port, 'GET /p/hop HTTP/1.1\r\nHost: x\r\n\r\n');
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hop');
    assert.deepEqual(res.headerNames, [
      'content-length',
      'content-type',
      'date',
      'server',
      'x-public',
    ]);
    assert.equal(res.headers['server'], 'backend/1');
  });

  it('maps Location and Content-Location back through ProxyPassReverse', async () => {
    const res = await rawRequest(h.port, 'GET /p/redir HTTP/1.1\r\nHost: front:8080\r\n\r\n');
    res.conn.close();
    assert.equal(res.status, 302);
    assert.equal(res.headers['location'], 'http://front:8080/p/target?x=1');
    assert.equal(res.headers['content-location'], 'http://front:8080/p/cl');
  });

  it('passes the query string even with noquery (httpd 2.4 mod_proxy_http ignores it)', async () => {
    const res = await rawRequest(h.port, 'GET /nq/a?secret=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(b.last().url, '/b/nq/a?secret=1');
  });

  it('maps ProxyPassMatch captures', async () => {
    const res = await rawRequest(h.port, 'GET /m/abc.json?z=2 HTTP/1.1\r\nHost: x\r\n\r\n');
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(b.last().url, '/b/json/abc?z=2');
  });

  it('keeps the client Host with ProxyPreserveHost and adds no X-Forwarded-* with ProxyAddHeaders Off', async () => {
    const res = await rawRequest(h.port, 'GET /ph/q HTTP/1.1\r\nHost: front.example:81\r\n\r\n');
    res.conn.close();
    assert.equal(res.status, 200);
    const seen = b.last();
    assert.equal(seen.url, '/b/ph/q');
    assert.equal(field(seen.rawHeaders, 'Host'), 'front.example:81');
    assert.deepEqual(names(seen.rawHeaders), ['host', 'connection']);
  });

  it('proxies a RewriteRule [P] target', async () => {
    const res = await rawRequest(h.port, 'GET /rw/zz?k=v HTTP/1.1\r\nHost: x\r\n\r\n');
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'GET /b/zz?k=v 0\n');
  });

  it('reuses the backend connection, unless disablereuse=On', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('GET /p/one HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.read();
    const first = b.last().conn;
    conn.send('GET /p/two HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.read();
    assert.equal(b.last().conn, first, 'the second request came on the same connection');
    conn.send('GET /fresh/a HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.read();
    const a = b.last();
    assert.equal(field(a.rawHeaders, 'Connection'), 'close');
    conn.send('GET /fresh/b HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.read();
    assert.notEqual(b.last().conn, a.conn, 'disablereuse opens a new connection');
    conn.close();
  });

  it('streams a large backend response with backpressure', async () => {
    const res = await rawRequest(h.port, 'GET /p/big HTTP/1.1\r\nHost: x\r\n\r\n');
    res.conn.close();
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 16 * 64 * 1024);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
  });

  it('passes a backend error through as is without ProxyErrorOverride', async () => {
    const res = await rawRequest(h.port, 'GET /p/err HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(res.status, 500);
    assert.equal(res.body.toString(), 'backend error body\n');
    assert.equal(res.headers['connection'], 'close');
    await res.conn.closed;
  });

  it('answers a backend error with the ErrorDocument under ProxyErrorOverride', async () => {
    const res = await rawRequest(h.port, 'GET /eo HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(res.status, 500);
    assert.equal(res.body.toString(), 'custom 500');
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    await res.conn.closed;
    // Only the listed codes are overridden.
    const r2 = await rawRequest(h.port, 'GET /eo404 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(r2.body.toString(), 'backend error body\n');
    r2.conn.close();
  });

  it('answers 503 when the backend refuses the connection (AH00957, AH01114)', async () => {
    const res = await rawRequest(h.port, 'GET /refused/a HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(res.status, 503);
    assert.equal(res.reason, 'Service Unavailable');
    assert.equal(res.headers['connection'], 'close');
    assert.match(res.body.toString(), /<title>503 Service Unavailable<\/title>/);
    await res.conn.closed;
    const log = h.errorLog().join('\n');
    assert.match(
      log,
      new RegExp(
        `\\[proxy:error\\] \\[pid \\d+:tid \\d+\\] \\(111\\)Connection refused: AH00957: http: attempt to connect to 127\\.0\\.0\\.1:${String(dead)} \\(127\\.0\\.0\\.1:${String(dead)}\\) failed`,
      ),
    );
    assert.match(
      log,
      /\[proxy_http:error\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] AH01114: HTTP: failed to make connection to backend: 127\.0\.0\.1/,
    );
    // A ProxyPass worker ignores errors (no retry window): the next request tries again.
    const before = h.errorLog().filter((l) => l.includes('AH00957')).length;
    const r2 = await rawRequest(h.port, 'GET /refused/b HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(r2.status, 503);
    await r2.conn.closed;
    assert.equal(h.errorLog().filter((l) => l.includes('AH00957')).length, before + 1);
  });

  it('answers 502 Proxy Error when the backend sends no status line in time (AH01102)', async () => {
    const res = await rawRequest(h.port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    res.conn.close();
    assert.equal(res.statusLine, 'HTTP/1.1 502 Proxy Error');
    assert.match(res.body.toString(), /<title>502 Proxy Error<\/title>/);
    assert.match(res.body.toString(), /<h1>Proxy Error<\/h1>/);
    assert.match(
      res.body.toString(),
      /The proxy server could not handle the request<p>Reason: <strong>Error reading from remote server<\/strong><\/p>/,
    );
    const log = h.errorLog().join('\n');
    assert.match(
      log,
      new RegExp(
        `\\[proxy_http:error\\] \\[pid \\d+:tid \\d+\\] \\(70007\\)The timeout specified has expired: \\[client [^\\]]+\\] AH01102: error reading status line from remote server 127\\.0\\.0\\.1:${String(b.port)}`,
      ),
    );
    assert.match(
      log,
      /\[proxy:error\] .*AH00898: Error reading from remote server returned by \/slow/,
    );
  });

  it('cuts the client response short when the backend dies mid-body', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('GET /p/die HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.closed;
    const raw = conn.received().toString('latin1');
    assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(raw, /\r\nContent-Length: 100\r\n/);
    assert.ok(raw.endsWith('\r\n\r\npartial'), 'the body stops where the backend stopped');
    assert.match(
      h.errorLog().join('\n'),
      /\(70008\)Partial results are valid but processing is incomplete: \[client [^\]]+\] AH01110: error reading response/,
    );
  });

  it('cuts the client response short when the backend stalls mid-body past timeout=', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('GET /stall HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.closed;
    const raw = conn.received().toString('latin1');
    assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(raw.endsWith('\r\n\r\npart'));
    assert.match(
      h.errorLog().join('\n'),
      /\(70007\)The timeout specified has expired: \[client [^\]]+\] AH01110: error reading response/,
    );
  });

  // A deliberate difference (docs/differences.md): httpd's HTTP_IN filter does not apply
  // LimitRequestBody to proxied requests (http_filters.c, `if (!f->r->proxyreq)`); tswsgi does.
  it('answers 413 to a chunked body past LimitRequestBody without contacting the backend', async () => {
    const before = b.seen.length;
    const conn = await RawConnection.open(h.port);
    conn.send(
      'POST /p/limited HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n',
    );
    const res = await conn.read();
    conn.close();
    assert.equal(res.status, 413);
    assert.equal(b.seen.length, before);
    assert.match(
      h.errorLog().join('\n'),
      /AH00539: Read content-length of \d+ is larger than the configured limit of 10/,
    );
  });

  it('does not complete a chunked response whose backend died mid-body', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('GET /p/chunkdie HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.closed;
    const raw = conn.received().toString('latin1');
    assert.match(raw, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.ok(!raw.endsWith('0\r\n\r\n'), 'no last chunk');
  });

  it('answers 502 to a bad header line from the backend (AH01106)', async () => {
    const res = await rawRequest(h.port, 'GET /p/badhdr HTTP/1.1\r\nHost: x\r\n\r\n');
    res.conn.close();
    assert.equal(res.statusLine, 'HTTP/1.1 502 Bad Gateway');
    assert.match(res.body.toString(), /<h1>Bad Gateway<\/h1>/);
    assert.match(
      h.errorLog().join('\n'),
      /\[proxy_http:warn\] .*AH01106: bad HTTP\/1\.1 header returned by \/p\/badhdr \(GET\)/,
    );
  });
});

describe('mod_proxy without mod_proxy_http', () => {
  it('answers 500 with AH01144 (no protocol handler for http)', async () => {
    const h = await startServer(`
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule proxy_module modules/mod_proxy.so
ServerName localhost
ProxyPass /p/ http://127.0.0.1:9/
`);
    try {
      const res = await rawRequest(h.port, 'GET /p/x HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal(res.status, 500);
      await res.conn.closed;
      assert.match(
        h.errorLog().join('\n'),
        /\[proxy:warn\] .*AH01144: No protocol handler was valid for the URL \/p\/x \(scheme 'http'\)/,
      );
    } finally {
      await h.stop();
    }
  });
});

describe('ProxyVia, HEAD and <VirtualHost> ProxyPass', () => {
  let h: Harness;
  const b = new Backend();
  before(async () => {
    await b.start();
    h = await startServer(`
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_http_module modules/mod_proxy_http.so
ServerName localhost
ProxyPass /v/ http://127.0.0.1:${String(b.port)}/b/
<VirtualHost *:@PORT@>
  ServerName via.example
  ProxyVia On
</VirtualHost>
<VirtualHost *:@PORT@>
  ServerName blocked.example
  ProxyVia Block
  ProxyPass /v/ http://127.0.0.1:${String(b.port)}/b/vhost/
  ProxyPass /w/ http://127.0.0.1:${String(b.port)}/b/w/
</VirtualHost>
`);
  });
  after(async () => {
    await h.stop();
    await b.stop();
  });

  it('adds Via to the request and the response with ProxyVia On', async () => {
    const res = await rawRequest(
      h.port,
      'GET /v/x HTTP/1.1\r\nHost: front:81\r\nVia: 1.0 other\r\n\r\n',
    );
    res.conn.close();
    assert.equal(res.status, 200);
    // The first virtual host answers for a Host no ServerName matches; its name goes in.
    assert.equal(res.headers['via'], '1.1 via.example:81');
    assert.equal(field(b.last().rawHeaders, 'Via'), '1.0 other, 1.1 via.example:81');
  });

  it('answers HEAD with the backend headers and no body', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send('HEAD /v/head HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await conn.read({ head: true });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String('HEAD /b/head 0\n'.length));
    assert.equal(b.last().method, 'HEAD');
    conn.send('GET /v/after HTTP/1.1\r\nHost: x\r\n\r\n');
    const next = await conn.read();
    assert.equal(next.body.toString(), 'GET /b/after 0\n', 'no body bytes were left over');
    conn.close();
  });

  it("runs the main server's ProxyPass before a virtual host's, and ProxyVia Block strips Via", async () => {
    const r1 = await rawRequest(
      h.port,
      'GET /v/x HTTP/1.1\r\nHost: blocked.example\r\nVia: 1.0 other\r\n\r\n',
    );
    r1.conn.close();
    assert.equal(b.last().url, '/b/x', 'the inherited main-server entry matches first');
    assert.equal(field(b.last().rawHeaders, 'Via'), undefined);
    assert.equal(r1.headers['via'], undefined);
    const r2 = await rawRequest(h.port, 'GET /w/y HTTP/1.1\r\nHost: blocked.example\r\n\r\n');
    r2.conn.close();
    assert.equal(b.last().url, '/b/w/y');
  });
});

describe('RewriteRule [P] without mod_proxy', () => {
  it('answers 403 with AH00669', async () => {
    const h = await startServer(`
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule rewrite_module modules/mod_rewrite.so
ServerName localhost
RewriteEngine On
RewriteRule ^/rw/(.*)$ http://127.0.0.1:9/$1 [P]
`);
    try {
      const res = await rawRequest(h.port, 'GET /rw/x HTTP/1.1\r\nHost: x\r\n\r\n');
      res.conn.close();
      assert.equal(res.status, 403);
      assert.match(
        h.errorLog().join('\n'),
        /\[rewrite:error\] .*AH00669: attempt to make remote request from mod_rewrite without proxy enabled: proxy:http:\/\/127\.0\.0\.1:9\/x/,
      );
    } finally {
      await h.stop();
    }
  });
});
