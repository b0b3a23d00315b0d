// Methods other than GET/HEAD on static files, TRACE, and multi-range requests, asserted at
// the wire against what Apache 2.4.71 sends with the same files and config (captured from
// the Debian apache2 on this machine). httpd's method hash order is random per process, so
// this fixes one of its Allow orders; its multipart boundary is random, so only its shape
// is asserted.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const conf = (extra = ''): string => `
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule authz_core_module modules/mod_authz_core.so
ServerName localhost
LogLevel info
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
${extra}
`;

const FILES = {
  'htdocs/t.txt': 'hello world 0123456789\n',
  'htdocs/index.html': 'hi\n',
  'htdocs/sub/index.html': 'sub\n',
  'htdocs/empty.txt': '',
};

const req = (method: string, path: string, extra = ''): string =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
/** Header names in wire order, Date and Server left out. */
const names = (list: readonly (readonly [string, string])[]): string[] =>
  list.map(([n]) => n).filter((n) => n !== 'Date' && n !== 'Server');
const page405 = (m: string): string =>
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n' +
  '<html><head>\n<title>405 Method Not Allowed</title>\n</head><body>\n<h1>Method Not Allowed</h1>\n' +
  `<p>The requested method ${m} is not allowed for this URL.</p>\n</body></html>\n`;

describe('static files: POST, OPTIONS, PUT/DELETE, unknown methods', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(conf(), FILES);
  });
  after(() => h.stop());

  it('serves the file to a POST without a body (deliver_script is always on)', async () => {
    const res = await rawRequest(h.port, req('POST', '/index.html'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.deepEqual(names(res.headerList), [
      'Last-Modified',
      'ETag',
      'Accept-Ranges',
      'Content-Length',
      'Connection',
      'Content-Type',
    ]);
    assert.equal(res.body.toString(), 'hi\n');
    assert.ok(!h.errorLog().some((l) => l.includes('AH00131')));
  });

  it('reads and drops a POST body (plain and chunked) and serves the file', async () => {
    for (const framing of [
      'Content-Length: 3\r\n\r\nabc',
      'Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    ]) {
      const res = await rawRequest(
        h.port,
        `POST /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${framing}`,
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'hi\n');
    }
  });

  it('answers a POST whose If-None-Match matches with 412 and an empty body', async () => {
    const etag = (await rawRequest(h.port, req('HEAD', '/t.txt'), { head: true })).headers['etag'];
    const res = await rawRequest(h.port, req('POST', '/t.txt', `If-None-Match: ${etag ?? ''}\r\n`));
    assert.equal(res.statusLine, 'HTTP/1.1 412 Precondition Failed');
    assert.deepEqual(names(res.headerList), [
      'Last-Modified',
      'ETag',
      'Accept-Ranges',
      'Content-Length',
      'Connection',
      'Content-Type',
    ]);
    assert.equal(res.headers['content-length'], '0');
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.body.length, 0);
  });

  it('answers OPTIONS with Allow, Content-Length 0 and the file type', async () => {
    const res = await rawRequest(h.port, req('OPTIONS', '/index.html'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.deepEqual(names(res.headerList), [
      'Allow',
      'Content-Length',
      'Connection',
      'Content-Type',
    ]);
    assert.equal(res.headers['allow'], 'GET,POST,OPTIONS,HEAD,TRACE');
    assert.equal(res.headers['content-length'], '0');
    assert.equal(res.headers['content-type'], 'text/html');
    assert.equal(res.body.length, 0);
  });

  it('answers OPTIONS on a missing file without a Content-Type, on a directory with its index type', async () => {
    const missing = await rawRequest(h.port, req('OPTIONS', '/nonexist'));
    assert.equal(missing.status, 200);
    assert.deepEqual(names(missing.headerList), ['Allow', 'Content-Length', 'Connection']);
    const dir = await rawRequest(h.port, req('OPTIONS', '/sub/'));
    assert.equal(dir.headers['content-type'], 'text/html');
  });

  it('answers OPTIONS * with Content-Length 0 and no Allow', async () => {
    const res = await rawRequest(h.port, req('OPTIONS', '*'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.deepEqual(names(res.headerList), ['Content-Length', 'Connection']);
  });

  for (const m of ['PUT', 'DELETE', 'PATCH']) {
    it(`answers ${m} with 405, the canned page and Allow`, async () => {
      const res = await rawRequest(h.port, req(m, '/t.txt', 'Content-Length: 0\r\n'));
      assert.equal(res.statusLine, 'HTTP/1.1 405 Method Not Allowed');
      assert.equal(res.body.toString('latin1'), page405(m));
      assert.equal(res.headers['allow'], 'GET,POST,OPTIONS,HEAD,TRACE');
      assert.deepEqual(names(res.headerList), [
        'Allow',
        'Content-Length',
        'Connection',
        'Content-Type',
      ]);
    });
  }

  it('answers a method httpd does not register with 501 and logs AH00135', async () => {
    const res = await rawRequest(h.port, req('PURGE', '/t.txt'));
    assert.equal(res.statusLine, 'HTTP/1.1 501 Not Implemented');
    assert.match(res.body.toString(), /<p>PURGE not supported for current URL\.<br \/>\n<\/p>/);
    assert.equal(res.headers['allow'], 'GET,POST,OPTIONS,HEAD,TRACE');
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /\[core:error\].*AH00135: Invalid method in request PURGE \/t\.txt HTTP\/1\.1$/.test(l),
        ),
    );
  });
});

describe('TRACE', () => {
  let on: Harness;
  let off: Harness;
  let ext: Harness;
  before(async () => {
    [on, off, ext] = await Promise.all([
      startServer(conf(), FILES),
      startServer(conf('TraceEnable off'), FILES),
      startServer(conf('TraceEnable extended'), FILES),
    ]);
  });
  after(() => Promise.all([on.stop(), off.stop(), ext.stop()]));

  it('echoes the request as message/http, chunked, duplicates merged', async () => {
    const raw =
      'TRACE /t.txt?a=b HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-b:   2  \r\nx-a: 3\r\n' +
      'Cookie: c=1\r\nCookie: d=2\r\nConnection: close\r\n\r\n';
    const res = await rawRequest(on.port, raw);
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.deepEqual(names(res.headerList), ['Connection', 'Transfer-Encoding', 'Content-Type']);
    assert.equal(res.headers['content-type'], 'message/http');
    assert.equal(
      res.body.toString('latin1'),
      'TRACE /t.txt?a=b HTTP/1.1\r\nHost: x\r\nX-A: 1, 3\r\nx-b: 2\r\nCookie: c=1, d=2\r\nConnection: close\r\n\r\n',
    );
  });

  it('echoes a TRACE for a missing file too, and closes after an HTTP/1.0 one', async () => {
    const res = await rawRequest(on.port, 'TRACE /nonexist HTTP/1.0\r\n\r\n');
    assert.equal(res.status, 200);
    assert.deepEqual(names(res.headerList), ['Connection', 'Content-Type']);
    assert.equal(res.headers['connection'], 'close');
    assert.equal(res.body.toString(), 'TRACE /nonexist HTTP/1.0\r\n\r\n');
  });

  it('refuses a TRACE with a body with 413 and logs AH01595 at info', async () => {
    for (const framing of [
      'Content-Length: 3\r\n\r\nabc',
      'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ]) {
      const res = await rawRequest(on.port, `TRACE /t.txt HTTP/1.1\r\nHost: x\r\n${framing}`);
      assert.equal(res.statusLine, 'HTTP/1.1 413 Request Entity Too Large');
      assert.match(res.body.toString(), /does not allow request data with TRACE requests/);
      assert.equal(res.headers['connection'], 'close');
    }
    assert.ok(
      on
        .errorLog()
        .some((l) =>
          /\[http:info\].*AH01595: TRACE with body is not allowed for \/t\.txt$/.test(l),
        ),
    );
  });

  it('under TraceEnable Off answers 405 with an empty Allow, and OPTIONS leaves TRACE out', async () => {
    const res = await rawRequest(off.port, req('TRACE', '/t.txt'));
    assert.equal(res.statusLine, 'HTTP/1.1 405 Method Not Allowed');
    assert.equal(res.body.toString('latin1'), page405('TRACE'));
    assert.equal(res.headers['allow'], '');
    const opts = await rawRequest(off.port, req('OPTIONS', '/t.txt'));
    assert.equal(opts.headers['allow'], 'GET,POST,OPTIONS,HEAD');
  });

  it('under TraceEnable extended echoes the body, de-chunked', async () => {
    const plain = await rawRequest(
      ext.port,
      'TRACE /t.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
    );
    assert.equal(plain.status, 200);
    assert.equal(
      plain.body.toString(),
      'TRACE /t.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
    );
    const chunked = await rawRequest(
      ext.port,
      'TRACE /t.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    assert.equal(
      chunked.body.toString(),
      'TRACE /t.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nabc',
    );
  });

  it('under TraceEnable extended refuses a body over 64 KiB with 413', async () => {
    const res = await rawRequest(
      ext.port,
      'TRACE /t.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\nabc',
    );
    assert.equal(res.status, 413);
  });
});

describe('Range requests', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(conf(), {
      ...FILES,
      'htdocs/big.txt': 'a'.repeat(300),
    });
  });
  after(() => h.stop());
  const get = (path: string, range: string, method = 'GET'): string =>
    req(method, path, `Range: bytes=${range}\r\n`);
  /** The multipart body's structure: boundary, part heads and data, the closing line. */
  const parts = (ct: string, body: string): { boundary: string; parts: string[][] } => {
    const m = /^multipart\/byteranges; boundary=([0-9a-f]{16})$/.exec(ct);
    assert.ok(m, ct);
    const b = m[1] ?? '';
    assert.ok(body.startsWith(`\r\n--${b}\r\n`) && body.endsWith(`\r\n--${b}--\r\n`), body);
    const inner = body.slice(0, -`\r\n--${b}--\r\n`.length).split(`\r\n--${b}\r\n`).slice(1);
    return { boundary: b, parts: inner.map((p) => p.split('\r\n')) };
  };

  it('answers several ranges with 206 multipart/byteranges and the whole length', async () => {
    const res = await rawRequest(h.port, get('/t.txt', '0-0,2-2'));
    assert.equal(res.statusLine, 'HTTP/1.1 206 Partial Content');
    assert.deepEqual(names(res.headerList), [
      'Last-Modified',
      'ETag',
      'Accept-Ranges',
      'Content-Length',
      'Connection',
      'Content-Type',
    ]);
    assert.equal(res.headers['content-length'], '184'); // Apache's, boundaries are 16 long
    assert.equal(res.body.length, 184);
    const got = parts(res.headers['content-type'] ?? '', res.body.toString('latin1'));
    assert.deepEqual(got.parts, [
      ['Content-type: text/plain', 'Content-range: bytes 0-0/23', '', 'h'],
      ['Content-type: text/plain', 'Content-range: bytes 2-2/23', '', 'l'],
    ]);
  });

  it('keeps the order asked for, merging only overlapping or adjacent ranges', async () => {
    const res = await rawRequest(h.port, get('/t.txt', '0-1,5-6,2-3'));
    const got = parts(res.headers['content-type'] ?? '', res.body.toString('latin1'));
    assert.deepEqual(
      got.parts.map((p) => [p[1], p[3]]),
      [
        ['Content-range: bytes 0-1/23', 'he'],
        ['Content-range: bytes 5-6/23', ' w'],
        ['Content-range: bytes 2-3/23', 'll'],
      ],
    );
    const merged = await rawRequest(h.port, get('/t.txt', '0-1,2-3'));
    assert.equal(merged.status, 206);
    assert.equal(merged.headers['content-range'], 'bytes 0-3/23');
    assert.equal(merged.body.toString(), 'hell');
  });

  it('sends Content-Length before Content-Range for one range', async () => {
    const res = await rawRequest(h.port, get('/t.txt', '0-0,100-200'));
    assert.equal(res.status, 206);
    assert.deepEqual(names(res.headerList), [
      'Last-Modified',
      'ETag',
      'Accept-Ranges',
      'Content-Length',
      'Content-Range',
      'Connection',
      'Content-Type',
    ]);
    assert.equal(res.body.toString(), 'h');
  });

  it('gives HEAD the multipart headers and length without a body', async () => {
    const res = await rawRequest(h.port, get('/t.txt', '0-0,2-2', 'HEAD'), { head: true });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-length'], '184');
    assert.match(res.headers['content-type'] ?? '', /^multipart\/byteranges; boundary=/);
  });

  it('goes chunked past 32 parts, as httpd drops the length there', async () => {
    const spec = Array.from({ length: 33 }, (_, i) => `${i * 2}-${i * 2}`).join(',');
    const res = await rawRequest(h.port, get('/big.txt', spec));
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-length'], undefined);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    const got = parts(res.headers['content-type'] ?? '', res.body.toString('latin1'));
    assert.equal(got.parts.length, 33);
    assert.deepEqual(got.parts[32], [
      'Content-type: text/plain',
      'Content-range: bytes 64-64/300',
      '',
      'a',
    ]);
  });

  for (const spec of ['9-1', '-0', 'abc', ' 0-1', '0-1, 3-4', ',0-1']) {
    it(`ignores the invalid Range "bytes=${spec}" and serves 200`, async () => {
      const res = await rawRequest(h.port, get('/t.txt', spec));
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
      assert.equal(res.headers['content-range'], undefined);
      assert.equal(res.body.toString(), 'hello world 0123456789\n');
    });
  }

  it('answers 416 only when every valid range starts past the end', async () => {
    const res = await rawRequest(h.port, get('/t.txt', '100-200'));
    assert.equal(res.statusLine, 'HTTP/1.1 416 Requested Range Not Satisfiable');
    assert.equal(res.headers['content-range'], undefined);
    assert.match(res.body.toString(), /None of the range-specifier values in the Range/);
    const empty = await rawRequest(h.port, get('/empty.txt', '5-6'));
    assert.equal(empty.status, 200);
  });

  it('honours If-Range: a matching ETag keeps the range, another one gets the whole file', async () => {
    const etag =
      (await rawRequest(h.port, req('HEAD', '/t.txt'), { head: true })).headers['etag'] ?? '';
    const hit = await rawRequest(
      h.port,
      req('GET', '/t.txt', `If-Range: ${etag}\r\nRange: bytes=0-0\r\n`),
    );
    assert.equal(hit.status, etag.startsWith('W/') ? 200 : 206);
    const miss = await rawRequest(
      h.port,
      req('GET', '/t.txt', 'If-Range: "nope"\r\nRange: bytes=0-0\r\n'),
    );
    assert.equal(miss.status, 200);
    assert.equal(miss.body.toString(), 'hello world 0123456789\n');
  });
});
