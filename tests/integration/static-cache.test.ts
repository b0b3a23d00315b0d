// The default handler's small-file cache (src/core/small-file-cache.ts) through the whole
// pipeline: a cached file is answered exactly as one read from disk (validators, ranges,
// conditional requests, HEAD), and every change to the file shows in the next response.
// The settle delay is off here (files written by a test are never two seconds old), except
// in the test of that delay.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { smallFiles } from '../../src/core/default-handler.js';
import { SETTLED_MS } from '../../src/core/small-file-cache.js';

const CONF = `
LoadModule mime_module modules/mod_mime.so
LoadModule authz_core_module modules/mod_authz_core.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<Directory @DIR@/htdocs/nfs>
  EnableMMAP Off
</Directory>
`;

const get = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
const VALIDATORS = ['content-length', 'content-type', 'etag', 'last-modified'] as const;
const pick = (h: Readonly<Record<string, string>>): Record<string, string | undefined> =>
  Object.fromEntries(VALIDATORS.map((k) => [k, h[k]]));

describe('static files from the small-file cache', () => {
  let h: Harness;
  let file: string;
  const cached = (): string | undefined => smallFiles.get(file, statSync(file))?.body.toString();
  before(async () => {
    smallFiles.settledMs = 0;
    h = await startServer(CONF, {
      'htdocs/a.txt': 'hello, world\n',
      'htdocs/nfs/b.txt': 'on a network mount\n',
    });
    file = join(h.dir, 'htdocs', 'a.txt');
  });
  after(async () => {
    smallFiles.settledMs = SETTLED_MS;
    await h.stop();
  });

  it('the second answer comes from the cache and is the same as the first, headers and body', async () => {
    const first = await rawRequest(h.port, get('/a.txt'));
    assert.equal(cached(), 'hello, world\n', 'kept after the first read');
    const second = await rawRequest(h.port, get('/a.txt'));
    assert.equal(second.statusLine, 'HTTP/1.1 200 OK');
    assert.deepEqual(pick(second.headers), pick(first.headers));
    assert.equal(second.headers['content-length'], '13');
    assert.match(second.headers['etag'] ?? '', /^(W\/)?"d-[0-9a-f]+"$/);
    assert.equal(second.body.toString(), 'hello, world\n');
  });

  it('ranges, If-None-Match and HEAD are answered from the cached bytes as from the file', async () => {
    await rawRequest(h.port, get('/a.txt'));
    assert.equal(cached(), 'hello, world\n');
    const range = await rawRequest(h.port, get('/a.txt', 'Range: bytes=7-11\r\n'));
    assert.equal(range.status, 206);
    assert.equal(range.headers['content-range'], 'bytes 7-11/13');
    assert.equal(range.headers['content-length'], '5');
    assert.equal(range.body.toString(), 'world');
    const etag = range.headers['etag'] ?? '';
    const cond = await rawRequest(h.port, get('/a.txt', `If-None-Match: ${etag}\r\n`));
    assert.equal(cond.status, 304);
    assert.equal(cond.headers['etag'], etag);
    assert.equal(cond.body.length, 0);
    const head = await rawRequest(
      h.port,
      `HEAD /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      { head: true },
    );
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '13');
    assert.equal(head.body.length, 0);
  });

  it('a file rewritten with the same size, or replaced by rename, is read again', async () => {
    await rawRequest(h.port, get('/a.txt'));
    writeFileSync(file, 'HELLO, WORLD\n');
    const rewritten = await rawRequest(h.port, get('/a.txt'));
    assert.equal(rewritten.body.toString(), 'HELLO, WORLD\n');
    assert.equal(cached(), 'HELLO, WORLD\n');
    const tmp = join(h.dir, 'htdocs', 'b.tmp');
    writeFileSync(tmp, 'replaced by rename\n');
    renameSync(tmp, file);
    const replaced = await rawRequest(h.port, get('/a.txt'));
    assert.equal(replaced.headers['content-length'], '19');
    assert.equal(replaced.body.toString(), 'replaced by rename\n');
  });

  it('a file grown past the cached size limit is streamed in full and no longer kept', async () => {
    await rawRequest(h.port, get('/a.txt'));
    const big = 'x'.repeat(100 * 1024);
    writeFileSync(file, big);
    const res = await rawRequest(h.port, get('/a.txt'));
    assert.equal(res.headers['content-length'], String(big.length));
    assert.equal(res.body.toString(), big);
    assert.equal(cached(), undefined);
    writeFileSync(file, 'hello, world\n');
  });

  it(`with the settle delay on, a file changed less than ${SETTLED_MS} ms ago is not kept`, async () => {
    smallFiles.settledMs = SETTLED_MS;
    try {
      writeFileSync(file, 'fresh\n');
      const res = await rawRequest(h.port, get('/a.txt'));
      assert.equal(res.body.toString(), 'fresh\n');
      assert.equal(cached(), undefined);
    } finally {
      smallFiles.settledMs = 0;
    }
  });

  it('EnableMMAP Off: files there are read from disk every time, never kept', async () => {
    const b = join(h.dir, 'htdocs', 'nfs', 'b.txt');
    for (let i = 0; i < 2; i++) {
      const res = await rawRequest(h.port, get('/nfs/b.txt'));
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'on a network mount\n');
      assert.equal(smallFiles.get(b, statSync(b)), undefined);
    }
  });
});
