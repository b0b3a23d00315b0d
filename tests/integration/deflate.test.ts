// mod_deflate's DEFLATE output filter (httpd modules/filters/mod_deflate.c
// deflate_out_filter) behind mod_filter's AddOutputFilterByType, mod_mime's AddOutputFilter
// and core's SetOutputFilter: static files, a streamed WSGI body, HEAD, error pages,
// already-encoded answers, the no-gzip variable, unknown filters and DeflateFilterNote.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE } from '../support/wsgi.js';

const APP = `import gzip, os, time

def wait_for(path):
    for _ in range(1000):
        if os.path.exists(path):
            return
        time.sleep(0.01)

def application(environ, start_response):
    p = environ.get('PATH_INFO', '')
    if p == '/flood':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        def body():
            for _ in range(800):
                yield os.urandom(65536)
            open(environ['QUERY_STRING'], 'w').close()
        return body()
    if p == '/held':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        def body():
            yield b'first part of the body\\n' * 20
            wait_for(environ['QUERY_STRING'])
            yield b'second part\\n' * 20
        return body()
    if p.startswith('/inflate/'):
        body = gzip.compress(b'inflate me ' * 300)
        if p.endswith('bad'):
            body = body[:-8] + b'\\0' * 8
        start_response('200 OK', [('Content-Type', 'application/x-thing'),
                                  ('Content-Encoding', 'gzip')])
        return [body]
    if p == '/stream':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return ((('chunk %d ' % i) * 100 + '\\n').encode() for i in range(3000))
    if p == '/enc':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Encoding', 'br')])
        return [b'x' * 500]
    if p == '/etag':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('ETag', '"abc"')])
        return [b'y' * 500]
    start_response('200 OK', [('Content-Type', 'text/html')])
    return [b'<html>' + b'z' * 1000 + b'</html>']
`;

const PAGE = `<p>${'x'.repeat(200)}</p>\n`;

/** The data of the complete chunks in a chunked body received so far. */
function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(buf.subarray(at, eol).toString(), 16);
    if (!(size > 0) || eol + 2 + size > buf.length) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

const CONF = `${WSGI_PREAMBLE}
LoadModule mime_module modules/mod_mime.so
LoadModule filter_module modules/mod_filter.so
LoadModule deflate_module modules/mod_deflate.so
LoadModule setenvif_module modules/mod_setenvif.so
LoadModule dir_module modules/mod_dir.so
TypesConfig /etc/mime.types
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
WSGIScriptAlias /app @DIR@/app.wsgi
AddOutputFilterByType DEFLATE text/html text/plain
FilterTrace BYTYPE:DEFLATE 1
LogLevel warn filter:debug
DeflateFilterNote Input instream
DeflateFilterNote Output outstream
DeflateFilterNote Ratio ratio
LogFormat "%r %>s %{instream}n/%{outstream}n (%{ratio}n%%)" deflate
CustomLog @DIR@/access.log deflate
SetEnvIf Request_URI ^/nogz no-gzip
<Location /app/inflate>
  SetOutputFilter INFLATE
</Location>
<Directory @DIR@/htdocs/unk>
  SetOutputFilter BOGUS
</Directory>
<Directory @DIR@/htdocs/ext>
  AddOutputFilter DEFLATE .dat
  DirectoryIndex index.dat
</Directory>
<Directory @DIR@/htdocs/provider>
  FilterDeclare GZ
  FilterProvider GZ DEFLATE "%{CONTENT_TYPE} =~ m#^application/#"
  FilterChain GZ
</Directory>
`;

const GET = (path: string, extra = 'Accept-Encoding: gzip\r\n', method = 'GET'): string =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`;

describe('DEFLATE output filter', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'app.wsgi': APP,
      'htdocs/page.html': PAGE,
      'htdocs/small.txt': 'hello world\n',
      'htdocs/pic.png': `\x89PNG${'\0'.repeat(300)}`,
      'htdocs/nogz/page.html': PAGE,
      'htdocs/unk/page.png': 'u'.repeat(300),
      'htdocs/ext/a.dat': 'd'.repeat(300),
      'htdocs/ext/index.dat': 'i'.repeat(300),
      'htdocs/provider/a.json': `{"a": "${'q'.repeat(300)}"}`,
      'htdocs/provider/b.html': PAGE,
    });
  });
  after(() => h.stop());

  it('compresses a static file with the header bytes httpd writes and a Content-Length', async () => {
    const res = await rawRequest(h.port, GET('/page.html'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['vary'], 'Accept-Encoding');
    assert.match(res.headers['etag'] ?? '', /^(W\/)?"[0-9a-f]+-[0-9a-f]+-gzip"$/);
    assert.equal(res.headers['content-length'], String(res.body.length));
    assert.equal(res.headers['transfer-encoding'], undefined);
    assert.deepEqual([...res.body.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    assert.equal(gunzipSync(res.body).toString(), PAGE);
    const names = res.headerList.map(([n]) => n);
    assert.deepEqual(names.slice(names.indexOf('ETag')), [
      'ETag',
      'Accept-Ranges',
      'Vary',
      'Content-Encoding',
      'Content-Length',
      'Connection',
      'Content-Type',
    ]);
    const log = await h.accessLog(1);
    assert.ok(log.includes('GET /page.html HTTP/1.1 200 208/13 (6%)'), log.join('\n'));
  });

  it('traces the smart filter at FilterTrace 1 (AH01375, AH01376)', async () => {
    await rawRequest(h.port, GET('/page.html'));
    const log = h.errorLog();
    assert.ok(
      log.some((l) => l.includes('[filter:debug]') && l.includes('AH01375: BYTYPE:DEFLATE')),
    );
    assert.ok(log.some((l) => l.includes('AH01376: BYTYPE:DEFLATE: type: HEAP, length: 208')));
  });

  it('leaves a very small response alone, without Vary', async () => {
    const res = await rawRequest(h.port, GET('/small.txt'));
    assert.equal(res.body.toString(), 'hello world\n');
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.headers['vary'], undefined);
    assert.equal(res.headers['content-length'], '12');
  });

  it('does not filter a type AddOutputFilterByType does not name', async () => {
    const res = await rawRequest(h.port, GET('/pic.png'));
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.headers['vary'], undefined);
    assert.equal(res.body.length, 305);
  });

  it('adds Vary but does not compress without Accept-Encoding: gzip, or with q=0', async () => {
    for (const extra of ['', 'Accept-Encoding: br\r\n', 'Accept-Encoding: gzip;q=0\r\n']) {
      const res = await rawRequest(h.port, GET('/page.html', extra));
      assert.equal(res.headers['content-encoding'], undefined, extra);
      assert.equal(res.headers['vary'], 'Accept-Encoding', extra);
      assert.equal(res.body.toString(), PAGE, extra);
      assert.equal(res.headers['content-length'], String(PAGE.length));
    }
  });

  it('honours the no-gzip variable', async () => {
    const res = await rawRequest(h.port, GET('/nogz/page.html'));
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.headers['vary'], undefined);
    assert.equal(res.body.toString(), PAGE);
  });

  it('answers HEAD with the compressed length and no body', async () => {
    const get = await rawRequest(h.port, GET('/page.html'));
    const res = await rawRequest(h.port, GET('/page.html', 'Accept-Encoding: gzip\r\n', 'HEAD'), {
      head: true,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['content-length'], String(get.body.length));
    assert.equal(res.body.length, 0);
  });

  it('cuts a Range from the whole compressed body: one part, or multipart/byteranges', async () => {
    const whole = await rawRequest(h.port, GET('/page.html'));
    const res = await rawRequest(
      h.port,
      GET('/page.html', 'Accept-Encoding: gzip\r\nRange: bytes=2-11\r\n'),
    );
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes 2-11/${whole.body.length}`);
    assert.equal(res.headers['content-length'], '10');
    assert.deepEqual(res.body, whole.body.subarray(2, 12));
    const multi = await rawRequest(
      h.port,
      GET('/page.html', 'Accept-Encoding: gzip\r\nRange: bytes=0-1,4-5\r\n'),
    );
    assert.equal(multi.status, 206);
    const boundary = /^multipart\/byteranges; boundary=(\w+)$/.exec(
      multi.headers['content-type'] ?? '',
    )?.[1];
    assert.ok(boundary !== undefined, multi.headers['content-type']);
    assert.equal(multi.headers['content-length'], String(multi.body.length));
    const n = whole.body.length;
    const expected = Buffer.concat([
      Buffer.from(
        `\r\n--${boundary}\r\nContent-type: text/html\r\nContent-range: bytes 0-1/${n}\r\n\r\n`,
      ),
      whole.body.subarray(0, 2),
      Buffer.from(
        `\r\n--${boundary}\r\nContent-type: text/html\r\nContent-range: bytes 4-5/${n}\r\n\r\n`,
      ),
      whole.body.subarray(4, 6),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    assert.deepEqual(multi.body, expected);
    const beyond = await rawRequest(
      h.port,
      GET('/page.html', 'Accept-Encoding: gzip\r\nRange: bytes=5000-\r\n'),
    );
    assert.equal(beyond.status, 200);
    assert.deepEqual(beyond.body, whole.body);
  });

  it('does not compress a canned error page', async () => {
    const res = await rawRequest(h.port, GET('/missing.html'));
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.headers['vary'], undefined);
    assert.match(res.body.toString(), /Not Found/);
  });

  it('streams a large WSGI body compressed chunk by chunk', async () => {
    const res = await rawRequest(h.port, GET('/app/stream'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(res.headers['content-length'], undefined);
    const body = gunzipSync(res.body).toString();
    let want = '';
    for (let i = 0; i < 3000; i++) want += `${`chunk ${i} `.repeat(100)}\n`;
    assert.equal(body.length, want.length);
    assert.equal(body, want);
  });

  it('passes each WSGI write on compressed before the app has finished (no whole-body buffering)', async () => {
    const go = join(h.dir, 'go');
    const sock = connect(h.port, '127.0.0.1');
    await once(sock, 'connect');
    sock.write(GET(`/app/held?${go}`));
    let got = Buffer.alloc(0);
    let text = '';
    // Until the first part can be inflated from what arrived (the app is still waiting).
    while (!text.includes('first part of the body\n'.repeat(20))) {
      const [chunk] = (await Promise.race([
        once(sock, 'data'),
        once(sock, 'end').then(() => {
          throw new Error('the response ended before its first part was passed on');
        }),
      ])) as [Buffer];
      got = Buffer.concat([got, chunk]);
      const at = got.indexOf('\r\n\r\n');
      if (at < 0) continue;
      const body = dechunk(got.subarray(at + 4));
      if (body.length > 10)
        text = gunzipSync(body, { finishFlush: constants.Z_SYNC_FLUSH }).toString();
    }
    assert.equal(existsSync(go), false, 'the app is still blocked');
    assert.equal(got.includes('\r\n0\r\n\r\n'), false, 'the response is not complete yet');
    writeFileSync(go, '');
    sock.resume();
    const rest: Buffer[] = [];
    sock.on('data', (c: Buffer) => rest.push(c));
    await once(sock, 'close');
    const all = Buffer.concat([got, ...rest]);
    const body = gunzipSync(dechunk(all.subarray(all.indexOf('\r\n\r\n') + 4))).toString();
    assert.equal(body, 'first part of the body\n'.repeat(20) + 'second part\n'.repeat(20));
  });

  it('holds a fast WSGI app back while a client does not read (backpressure through DEFLATE)', async () => {
    const done = join(h.dir, 'flood-done');
    const sock = connect(h.port, '127.0.0.1');
    await once(sock, 'connect');
    sock.write(GET(`/app/flood?${done}`));
    await once(sock, 'data');
    sock.pause();
    // 50 MiB of incompressible output cannot fit in socket buffers: unless the server held
    // it all in memory, the app is still blocked in its generator a second later.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(existsSync(done), false, 'the app ran ahead of the client');
    sock.destroy();
  });

  it('keeps a WSGI answer that is already encoded, and suffixes its ETag otherwise', async () => {
    const enc = await rawRequest(h.port, GET('/app/enc'));
    assert.equal(enc.headers['content-encoding'], 'br');
    assert.equal(enc.headers['vary'], undefined);
    assert.equal(enc.body.toString(), 'x'.repeat(500));
    const tagged = await rawRequest(h.port, GET('/app/etag'));
    assert.equal(tagged.headers['etag'], '"abc-gzip"');
    assert.equal(gunzipSync(tagged.body).toString(), 'y'.repeat(500));
  });

  it('INFLATE decompresses a gzip answer, and cuts a broken one short (AH01409)', async () => {
    const res = await rawRequest(h.port, GET('/app/inflate/ok', ''));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.body.toString(), 'inflate me '.repeat(300));
    const conn = await RawConnection.open(h.port);
    conn.send(GET('/app/inflate/bad', ''));
    await conn.closed;
    assert.ok(h.errorLog().some((l) => l.includes('AH01409: Zlib error inflating data')));
  });

  it('logs an unknown filter at request time and serves the file unfiltered', async () => {
    const res = await rawRequest(h.port, GET('/unk/page.png'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'u'.repeat(300));
    assert.ok(
      h.errorLog().some((l) => l.includes('AH00082: an unknown filter was not added: BOGUS')),
    );
  });

  it('applies AddOutputFilter by extension, whatever the type', async () => {
    const res = await rawRequest(h.port, GET('/ext/a.dat'));
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(res.body).toString(), 'd'.repeat(300));
    // DirectoryIndex: the sub-request's filters pass to the request (ap_internal_fast_redirect).
    const index = await rawRequest(h.port, GET('/ext/'));
    assert.equal(index.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(index.body).toString(), 'i'.repeat(300));
  });

  it('picks a FilterProvider by its expression', async () => {
    const json = await rawRequest(h.port, GET('/provider/a.json'));
    assert.equal(json.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(json.body).toString(), `{"a": "${'q'.repeat(300)}"}`);
    // text/html matches the server's BYTYPE:DEFLATE too: the chain has both, one compresses.
    const html = await rawRequest(h.port, GET('/provider/b.html'));
    assert.equal(html.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(html.body).toString(), PAGE);
  });
});
