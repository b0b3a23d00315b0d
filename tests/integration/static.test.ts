// Static files through the whole pipeline (core translate → map_to_storage → mime → dir →
// default handler), asserted at the wire against what Apache 2.4.71 sends (captured from
// the Debian apache2 on this machine with the same files and config).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CONF = `
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule authz_core_module modules/mod_authz_core.so
ServerName localhost
ServerSignature On
DocumentRoot @DIR@/htdocs
LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog @DIR@/access.log common
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
`;

const FILES = {
  'htdocs/a.txt': 'hello\n',
  'htdocs/sub/index.html': 'index\n',
  'htdocs/noindex/x.bin': 'x',
};

const STATIC_HEADERS = [
  'accept-ranges',
  'content-length',
  'content-type',
  'date',
  'etag',
  'last-modified',
  'server',
];
const get = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;

describe('static files (default handler)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, FILES);
  });
  after(() => h.stop());

  it('serves a file with the header set Apache sends, and the body', async () => {
    const res = await rawRequest(h.port, get('/a.txt', 'Connection: close\r\n'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.deepEqual(res.headerNames, [...STATIC_HEADERS, 'connection'].sort());
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.headers['content-length'], '6');
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal(res.headers['connection'], 'close');
    assert.match(res.headers['server'] ?? '', /^Apache\/2\.4\.\d+ \(tswsgi\)$/);
    assert.match(res.headers['etag'] ?? '', /^(W\/)?"6-[0-9a-f]+"$/);
    assert.equal(res.body.toString(), 'hello\n');
    await res.conn.closed;
    const log = await h.accessLog();
    assert.match(
      log.at(-1) ?? '',
      /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET \/a\.txt HTTP\/1\.1" 200 6$/,
    );
  });

  it('answers 304 to a matching If-None-Match, keeping the validators and no body', async () => {
    const first = await rawRequest(h.port, get('/a.txt', 'Connection: close\r\n'));
    const etag = first.headers['etag'] ?? '';
    const res = await rawRequest(
      h.port,
      get('/a.txt', `If-None-Match: ${etag}\r\nConnection: close\r\n`),
    );
    assert.equal(res.statusLine, 'HTTP/1.1 304 Not Modified');
    assert.deepEqual(res.headerNames, [
      'accept-ranges',
      'connection',
      'date',
      'etag',
      'last-modified',
      'server',
    ]);
    assert.equal(res.headers['etag'], etag);
    assert.equal(res.body.length, 0);
    const log = await h.accessLog(3);
    assert.match(log.at(-1) ?? '', /"GET \/a\.txt HTTP\/1\.1" 304 -$/);
  });

  it('answers 304 to an If-Modified-Since at or after Last-Modified', async () => {
    const first = await rawRequest(h.port, get('/a.txt', 'Connection: close\r\n'));
    const lm = first.headers['last-modified'] ?? '';
    const res = await rawRequest(
      h.port,
      get('/a.txt', `If-Modified-Since: ${lm}\r\nConnection: close\r\n`),
    );
    assert.equal(res.status, 304);
    const old = await rawRequest(
      h.port,
      get('/a.txt', 'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\nConnection: close\r\n'),
    );
    assert.equal(old.status, 200);
    assert.equal(old.body.toString(), 'hello\n');
  });

  it('answers one Range with 206 and Content-Range', async () => {
    const res = await rawRequest(
      h.port,
      get('/a.txt', 'Range: bytes=1-2\r\nConnection: close\r\n'),
    );
    assert.equal(res.statusLine, 'HTTP/1.1 206 Partial Content');
    assert.deepEqual(res.headerNames, [...STATIC_HEADERS, 'connection', 'content-range'].sort());
    assert.equal(res.headers['content-range'], 'bytes 1-2/6');
    assert.equal(res.headers['content-length'], '2');
    assert.equal(res.body.toString(), 'el');
  });

  it('answers an unsatisfiable Range with 416', async () => {
    const res = await rawRequest(
      h.port,
      get('/a.txt', 'Range: bytes=10-20\r\nConnection: close\r\n'),
    );
    assert.equal(res.status, 416);
    assert.equal(res.reason, 'Requested Range Not Satisfiable');
  });

  it('answers HEAD with the GET headers and no body, keeping the connection open', async () => {
    const conn = await RawConnection.open(h.port);
    try {
      conn.send('HEAD /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
      const res = await conn.read({ head: true });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-length'], '6');
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.body.length, 0);
      conn.send(get('/a.txt'));
      const second = await conn.read();
      assert.equal(
        second.body.toString(),
        'hello\n',
        'no stray body bytes after the HEAD response',
      );
      assert.equal(conn.open, true);
    } finally {
      conn.close();
    }
  });

  it('redirects a directory without trailing slash (DirectorySlash) with 301 and the canned body', async () => {
    const res = await rawRequest(
      h.port,
      'GET /sub HTTP/1.1\r\nHost: example.test:81\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.statusLine, 'HTTP/1.1 301 Moved Permanently');
    assert.equal(res.headers['location'], 'http://example.test:81/sub/');
    assert.deepEqual(res.headerNames, [
      'connection',
      'content-length',
      'content-type',
      'date',
      'location',
      'server',
    ]);
    assert.equal(
      res.body.toString('latin1'),
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href="http://example.test:81/sub/">here</a>.</p>\n' +
        `<hr>\n<address>${res.headers['server'] ?? ''} Server at example.test Port 81</address>\n</body></html>\n`,
    );
  });

  it('serves the DirectoryIndex file for a directory URL', async () => {
    const res = await rawRequest(h.port, get('/sub/', 'Connection: close\r\n'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html');
    assert.equal(res.body.toString(), 'index\n');
  });

  it("answers 404 with Apache's canned page byte for byte", async () => {
    const res = await rawRequest(
      h.port,
      'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.deepEqual(res.headerNames, [
      'connection',
      'content-length',
      'content-type',
      'date',
      'server',
    ]);
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    const body =
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n' +
      `<hr>\n<address>${res.headers['server'] ?? ''} Server at x Port 80</address>\n</body></html>\n`;
    assert.equal(res.body.toString('latin1'), body);
    assert.equal(res.headers['content-length'], String(body.length));
  });

  it('refuses path_info on a static file with 404 (AcceptPathInfo default)', async () => {
    const res = await rawRequest(h.port, get('/a.txt/extra', 'Connection: close\r\n'));
    assert.equal(res.status, 404);
  });
});

describe('a directory without DirectoryIndex file (no mod_autoindex)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF + 'LogLevel info\n', FILES);
  });
  after(() => h.stop());

  it("answers 404 from the default handler with Apache's canned page and logs AH00129 at info", async () => {
    // httpd 2.4.71 (same config, mod_autoindex not loaded): core.c default_handler refuses
    // the directory; the 403 AH01276 only comes from mod_autoindex's handler.
    const res = await rawRequest(h.port, get('/noindex/', 'Connection: close\r\n'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.deepEqual(res.headerNames, [
      'connection',
      'content-length',
      'content-type',
      'date',
      'server',
    ]);
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    const body =
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n' +
      `<hr>\n<address>${res.headers['server'] ?? ''} Server at localhost Port 80</address>\n</body></html>\n`;
    assert.equal(res.body.toString('latin1'), body);
    assert.equal(res.headers['content-length'], '311');
    await res.conn.closed;
    const log = await h.accessLog();
    assert.match(
      log.at(-1) ?? '',
      /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/noindex\/ HTTP\/1\.1" 404 311$/,
    );
    const dir = `${h.dir}/htdocs/noindex/`;
    const errors = h.errorLog().filter((l) => l.includes('AH00129') || l.includes('AH01276'));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(
      errors[0] ?? '',
      /^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[core:info\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] AH00129: Attempt to serve directory: (.*)$/,
    );
    assert.ok(errors[0]?.endsWith(`AH00129: Attempt to serve directory: ${dir}`), errors[0]);
  });
});

describe('UseCanonicalName DNS', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      CONF.replace('ServerName localhost', 'ServerName canon.example\nUseCanonicalName DNS'),
      FILES,
    );
  });
  after(() => h.stop());

  it('names the server by the reverse lookup of the local address from the first request on', async () => {
    // httpd 2.4.71 does the same: 127.0.0.1 → localhost (from /etc/hosts), the port from Host.
    const res = await rawRequest(
      h.port,
      'GET /sub HTTP/1.1\r\nHost: example.test:81\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.statusLine, 'HTTP/1.1 301 Moved Permanently');
    assert.equal(res.headers['location'], 'http://localhost:81/sub/');
  });
});

// The default handler reads a file of up to 64 KiB with one synchronous read, and streams a
// larger one. These pin what both ways send, and what happens when the size fstat reports
// is not what a read returns.
describe('static files: small, large, and files whose size is not what reads return', () => {
  let h: Harness;
  const big = Buffer.alloc(200 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 0xff;
  const sysfs = '/sys/class/net/lo/address'; // stat says 4096 bytes; a read returns 18
  before(async () => {
    h = await startServer(CONF, FILES);
    writeFileSync(join(h.dir, 'htdocs/big.bin'), big);
    execFileSync('mkfifo', [join(h.dir, 'htdocs/pipe.txt')]);
    if (existsSync(sysfs)) symlinkSync(sysfs, join(h.dir, 'htdocs/lo.txt'));
  });
  after(() => h.stop());

  it('streams a file above the whole-read size byte for byte, with its length', async () => {
    const res = await rawRequest(h.port, get('/big.bin', 'Connection: close\r\n'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.headers['content-length'], String(big.length));
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.ok(res.body.equals(big), 'body differs from the file');
  });

  it('answers a Range inside the large file from that offset', async () => {
    const res = await rawRequest(
      h.port,
      get('/big.bin', 'Range: bytes=70000-70009\r\nConnection: close\r\n'),
    );
    assert.equal(res.statusLine, 'HTTP/1.1 206 Partial Content');
    assert.equal(res.headers['content-range'], `bytes 70000-70009/${big.length}`);
    assert.ok(res.body.equals(big.subarray(70000, 70010)));
  });

  it('answers a Range of the large file that is itself small (one read at the offset)', async () => {
    const res = await rawRequest(
      h.port,
      get('/big.bin', `Range: bytes=-5\r\nConnection: close\r\n`),
    );
    assert.equal(res.statusLine, 'HTTP/1.1 206 Partial Content');
    assert.equal(
      res.headers['content-range'],
      `bytes ${big.length - 5}-${big.length - 1}/${big.length}`,
    );
    assert.ok(res.body.equals(big.subarray(big.length - 5)));
  });

  it('answers a FIFO in the tree at once with an empty body instead of waiting for a writer', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(get('/pipe.txt'));
    const res = await conn.read();
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.headers['content-length'], '0');
    assert.equal(res.body.length, 0);
    // The event loop was not held: the same connection serves the next request.
    conn.send(get('/a.txt', 'Connection: close\r\n'));
    const next = await conn.read();
    assert.equal(next.body.toString(), 'hello\n');
  });

  it('cuts the connection, sending nothing, when the file reads shorter than its size (as Apache)', async (t) => {
    if (!existsSync(sysfs)) return t.skip(`${sysfs} is not on this machine`);
    const conn = await RawConnection.open(h.port);
    const got: Buffer[] = [];
    conn.socket.on('data', (d: Buffer) => got.push(d));
    conn.send(get('/lo.txt'));
    await conn.closed;
    assert.equal(Buffer.concat(got).length, 0, 'a response promising 4096 bytes was started');
    // The server goes on.
    const res = await rawRequest(h.port, get('/a.txt', 'Connection: close\r\n'));
    assert.equal(res.body.toString(), 'hello\n');
  });
});
