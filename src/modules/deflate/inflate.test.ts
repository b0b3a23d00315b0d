// mod_deflate's INFLATE output filter (httpd modules/filters/mod_deflate.c
// inflate_out_filter, check_gzip, check_ratio).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { config, fakeRequest, generation, server } from '../../../tests/support/record.js';
import { coreModule } from '../../core/index.js';
import type { DeflateDirConf, DeflateServerConf } from './config.js';
import { GunzipStage, startInflate, stripGzip } from './inflate.js';
import { deflateModule } from './index.js';

const SERVER: DeflateServerConf = {
  windowSize: undefined,
  memLevel: undefined,
  compressionLevel: undefined,
  bufferSize: undefined,
  noteRatio: undefined,
  noteInput: undefined,
  noteOutput: undefined,
  etag: undefined,
};
const DIR: DeflateDirConf = {
  inflateLimit: undefined,
  ratioLimit: undefined,
  ratioBurst: undefined,
};

async function request(encoding: string | undefined) {
  const { gen, log } = await generation(config(server()), [coreModule, deflateModule]);
  const r = fakeRequest(gen);
  if (encoding !== undefined) r.res.setHeader('Content-Encoding', encoding);
  r.res.setHeader('Content-Length', '99');
  r.res.setHeader('ETag', '"e"');
  return { r, log };
}

async function run(stage: GunzipStage, data: Buffer): Promise<{ out: Buffer; error?: Error }> {
  const out: Buffer[] = [];
  stage.on('data', (b: Buffer) => out.push(b));
  return new Promise((resolve) => {
    stage.on('end', () => resolve({ out: Buffer.concat(out) }));
    stage.on('error', (error) => resolve({ out: Buffer.concat(out), error }));
    stage.end(data);
  });
}

describe('stripGzip (check_gzip)', () => {
  it('takes a final gzip or x-gzip token off', () => {
    assert.equal(stripGzip('gzip'), '');
    assert.equal(stripGzip('X-GZIP'), '');
    assert.equal(stripGzip('br, gzip'), 'br');
    assert.equal(stripGzip('gzip, identity'), '');
    assert.equal(stripGzip('br,gzip, identity,'), 'br');
  });
  it('leaves other encodings alone', () => {
    for (const e of [undefined, '', 'br', 'gzip, br', 'deflate'])
      assert.equal(stripGzip(e), undefined);
  });
});

describe('startInflate', () => {
  it('takes gzip off, drops the length and suffixes the ETag', async () => {
    const { r } = await request('gzip');
    const stage = startInflate(r, SERVER, DIR);
    assert.ok(stage !== undefined);
    assert.equal(r.res.getHeader('content-encoding'), undefined);
    assert.equal(r.res.getHeader('content-length'), undefined);
    assert.equal(r.res.getHeader('etag'), '"e-gunzip"');
    stage.stream.destroy();
  });
  it('keeps the encodings before gzip, and honours DeflateAlterETag', async () => {
    const { r } = await request('br, gzip');
    startInflate(r, { ...SERVER, etag: 'NoChange' }, DIR)?.stream.destroy();
    assert.equal(r.res.getHeader('content-encoding'), 'br');
    assert.equal(r.res.getHeader('etag'), '"e"');
    const b = await request('gzip');
    startInflate(b.r, { ...SERVER, etag: 'Remove' }, DIR)?.stream.destroy();
    assert.equal(b.r.res.getHeader('etag'), undefined);
  });
  it('declines for other encodings, 204 and Content-Range; only edits a 304 head', async () => {
    assert.equal(startInflate((await request(undefined)).r, SERVER, DIR), undefined);
    assert.equal(startInflate((await request('br')).r, SERVER, DIR), undefined);
    const nc = await request('gzip');
    nc.r.res.statusCode = 204;
    assert.equal(startInflate(nc.r, SERVER, DIR), undefined);
    const cr = await request('gzip');
    cr.r.res.setHeader('Content-Range', 'bytes 0-1/9');
    assert.equal(startInflate(cr.r, SERVER, DIR), undefined);
    const nm = await request('gzip');
    nm.r.res.statusCode = 304;
    assert.equal(startInflate(nm.r, SERVER, DIR), undefined);
    assert.equal(nm.r.res.getHeader('content-encoding'), undefined);
  });
});

describe('GunzipStage', () => {
  it('inflates a gzip body', async () => {
    const { r, log } = await request('gzip');
    const { out, error } = await run(new GunzipStage(r, DIR), gzipSync('abc'.repeat(100)));
    assert.equal(error, undefined);
    assert.equal(out.toString(), 'abc'.repeat(100));
    assert.ok(log.lines.some((l) => l.includes('AH01398: Zlib: Inflated')));
  });
  it('fails on a broken stream (AH01409)', async () => {
    const { r, log } = await request('gzip');
    const bad = gzipSync('hello world');
    bad.writeUInt8(bad.readUInt8(bad.length - 6) ^ 0xff, bad.length - 6); // break the CRC
    const { error } = await run(new GunzipStage(r, DIR), bad);
    assert.ok(error !== undefined);
    assert.ok(log.lines.some((l) => l.includes('AH01409: Zlib error inflating data')));
  });
  it('stops a body that inflates past the ratio limit more than the burst (AH02650)', async () => {
    const { r, log } = await request('gzip');
    const bomb = gzipSync(Buffer.alloc(1_000_000));
    const stage = new GunzipStage(r, { ...DIR, ratioLimit: 10, ratioBurst: 1 });
    const out: Buffer[] = [];
    stage.on('data', (b: Buffer) => out.push(b));
    const failed = new Promise<Error>((resolve) => stage.on('error', resolve));
    for (let i = 0; i < bomb.length; i += 64) stage.write(bomb.subarray(i, i + 64));
    stage.end();
    assert.match((await failed).message, /ratio/);
    assert.ok(
      log.lines.some((l) =>
        l.includes(
          'AH02650: Inflated content ratio is larger than the configured limit 10 by 1 time(s)',
        ),
      ),
    );
  });
});
