// mod_deflate's deflate_out_filter decision and gzip framing (httpd modules/filters/mod_deflate.c).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { config, fakeRequest, generation, server } from '../../../tests/support/record.js';
import { coreModule } from '../../core/index.js';
import { DEFLATE_DEFAULTS, atoi, type DeflateServerConf } from './config.js';
import { GzipStage, acceptsGzip, alterEtag, getToken, startDeflate } from './filter.js';
import { deflateModule } from './index.js';

const CONF: DeflateServerConf = {
  windowSize: undefined,
  memLevel: undefined,
  compressionLevel: undefined,
  bufferSize: undefined,
  noteRatio: 'ratio',
  noteInput: 'in',
  noteOutput: 'out',
  etag: undefined,
};

async function request(headers: [string, string][] = [['Accept-Encoding', 'gzip']]) {
  const { gen, log } = await generation(config(server()), [coreModule, deflateModule]);
  const r = fakeRequest(gen, { headers: [['Host', 'x'], ...headers] });
  r.res.setHeader('Content-Type', 'text/html');
  r.res.setHeader('Content-Length', '5000');
  r.res.setHeader('ETag', '"abc"');
  return { r, log };
}

const WHOLE = { ended: true, length: 5000 };

/** Run a stage over `parts` and collect its output. */
async function run(stage: GzipStage, parts: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  stage.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => stage.on('end', resolve));
  for (const p of parts) stage.write(p);
  stage.end();
  await done;
  return Buffer.concat(out);
}

describe('getToken (ap_get_token)', () => {
  it('stops at , and ; and trims blanks', () => {
    assert.deepEqual(getToken('  gzip ;q=1', false), { token: 'gzip', rest: ';q=1' });
    assert.deepEqual(getToken('br, gzip', false), { token: 'br', rest: ', gzip' });
    assert.deepEqual(getToken('q=0 x', true), { token: 'q=0', rest: 'x' });
    assert.deepEqual(getToken('"a,b";x', false), { token: '"a,b"', rest: ';x' });
  });
});

describe('acceptsGzip (deflate_out_filter Accept-Encoding test)', () => {
  it('finds gzip among other codings, any case', () => {
    for (const h of ['gzip', 'GZIP', 'br, gzip', 'deflate;q=0.5, gzip', 'gzip;q=0.5', 'gzip;q=1'])
      assert.equal(acceptsGzip(h), true, h);
  });
  it('refuses no gzip, x-gzip only, and q=0 forms', () => {
    for (const h of ['', 'br', 'x-gzip', 'gzip;q=0', 'gzip; q=0.0', 'gzip;q=0.000', 'br;q=1'])
      assert.equal(acceptsGzip(h), false, h);
  });
  it('reads only the first parameter after gzip, as httpd does', () => {
    assert.equal(acceptsGzip('gzip;level=1;q=0'), true);
    assert.equal(acceptsGzip('gzip;q=0.001'), true);
  });
});

describe('alterEtag (deflate_check_etag)', () => {
  it('adds -gzip inside the closing quote, weak or strong', () => {
    assert.equal(alterEtag('"abc"', 'AddSuffix'), '"abc-gzip"');
    assert.equal(alterEtag('W/"abc"', 'AddSuffix'), 'W/"abc-gzip"');
  });
  it('leaves malformed or short tags, and Remove drops the tag', () => {
    assert.equal(alterEtag('abc', 'AddSuffix'), 'abc');
    assert.equal(alterEtag('""', 'AddSuffix'), '""');
    assert.equal(alterEtag(undefined, 'AddSuffix'), undefined);
    assert.equal(alterEtag('"abc"', 'Remove'), undefined);
  });
});

describe('atoi', () => {
  it('reads a leading number as C does', () => {
    assert.equal(atoi('12abc'), 12);
    assert.equal(atoi(' -3'), -3);
    assert.equal(atoi('x'), 0);
  });
});

describe('startDeflate', () => {
  it('compresses: Content-Encoding gzip, Vary, no Content-Length, ETag suffixed', async () => {
    const { r } = await request();
    const stage = startDeflate(r, WHOLE, CONF);
    assert.ok(stage !== undefined);
    assert.equal(r.res.getHeader('content-encoding'), 'gzip');
    assert.equal(r.res.getHeader('vary'), 'Accept-Encoding');
    assert.equal(r.res.getHeader('content-length'), undefined);
    assert.equal(r.res.getHeader('etag'), '"abc-gzip"');
    stage.stream.destroy();
  });
  it('leaves a response of at most 68 bytes alone, without Vary', async () => {
    const { r, log } = await request();
    assert.equal(startDeflate(r, { ended: true, length: 68 }, CONF), undefined);
    assert.equal(r.res.getHeader('vary'), undefined);
    assert.ok(
      log.lines.some((l) => l.includes('Not compressing (very small response of 68 bytes)')),
    );
    const big = await request();
    const stage = startDeflate(big.r, { ended: true, length: 69 }, CONF);
    assert.ok(stage !== undefined);
    stage.stream.destroy();
  });
  it('does not decide "small" before the end is seen', async () => {
    const { r } = await request();
    const stage = startDeflate(r, { ended: false, length: 3 }, CONF);
    assert.ok(stage !== undefined);
    stage.stream.destroy();
  });
  it('adds Vary but declines without gzip in Accept-Encoding', async () => {
    for (const h of [[], [['Accept-Encoding', 'br']]] as [string, string][][]) {
      const { r } = await request(h);
      assert.equal(startDeflate(r, WHOLE, CONF), undefined);
      assert.equal(r.res.getHeader('vary'), 'Accept-Encoding');
      assert.equal(r.res.getHeader('content-length'), '5000');
    }
  });
  it('merges Vary with what the response already has', async () => {
    const { r } = await request([['Accept-Encoding', 'br']]);
    r.res.setHeader('Vary', 'Cookie');
    startDeflate(r, WHOLE, CONF);
    assert.equal(r.res.getHeader('vary'), 'Cookie, Accept-Encoding');
  });
  it('declines for no-gzip, 204, Content-Range and an existing encoding', async () => {
    const a = await request();
    a.r.env.set('no-gzip', '1');
    assert.equal(startDeflate(a.r, WHOLE, CONF), undefined);
    assert.equal(a.r.res.getHeader('vary'), undefined);
    const b = await request();
    b.r.res.statusCode = 204;
    assert.equal(startDeflate(b.r, WHOLE, CONF), undefined);
    const c = await request();
    c.r.res.setHeader('Content-Range', 'bytes 0-1/2');
    assert.equal(startDeflate(c.r, WHOLE, CONF), undefined);
    const d = await request();
    d.r.res.setHeader('Content-Encoding', 'br');
    assert.equal(startDeflate(d.r, WHOLE, CONF), undefined);
    assert.equal(d.r.res.getHeader('content-encoding'), 'br');
  });
  it('replaces an identity encoding and stacks on 7bit', async () => {
    const a = await request();
    a.r.res.setHeader('Content-Encoding', 'identity');
    startDeflate(a.r, WHOLE, CONF)?.stream.destroy();
    assert.equal(a.r.res.getHeader('content-encoding'), 'gzip');
    const b = await request();
    b.r.res.setHeader('Content-Encoding', '7bit');
    startDeflate(b.r, WHOLE, CONF)?.stream.destroy();
    assert.equal(b.r.res.getHeader('content-encoding'), '7bit, gzip');
  });
  it('honours gzip-only-text/html=1 for other types, and force-gzip without Accept-Encoding', async () => {
    const a = await request();
    a.r.res.setHeader('Content-Type', 'text/plain');
    a.r.env.set('gzip-only-text/html', '1');
    assert.equal(startDeflate(a.r, WHOLE, CONF), undefined);
    const b = await request([]);
    b.r.env.set('force-gzip', '1');
    const stage = startDeflate(b.r, WHOLE, CONF);
    assert.ok(stage !== undefined);
    stage.stream.destroy();
  });
  it('only changes the headers of a 304', async () => {
    const { r } = await request();
    r.res.statusCode = 304;
    assert.equal(startDeflate(r, { ended: false, length: 0 }, CONF), undefined);
    assert.equal(r.res.getHeader('content-encoding'), 'gzip');
    assert.equal(r.res.getHeader('etag'), '"abc-gzip"');
  });
  it('keeps or removes the ETag as DeflateAlterETag says', async () => {
    const a = await request();
    startDeflate(a.r, WHOLE, { ...CONF, etag: 'NoChange' })?.stream.destroy();
    assert.equal(a.r.res.getHeader('etag'), '"abc"');
    const b = await request();
    startDeflate(b.r, WHOLE, { ...CONF, etag: 'Remove' })?.stream.destroy();
    assert.equal(b.r.res.getHeader('etag'), undefined);
  });
});

describe('GzipStage', () => {
  const body = Buffer.from('hello hello hello hello\n'.repeat(2000));

  it("writes httpd's gzip header, a stream gunzip accepts, and the notes", async () => {
    const { r } = await request();
    const out = await run(new GzipStage(r, CONF), [body.subarray(0, 1000), body.subarray(1000)]);
    assert.deepEqual([...out.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    assert.deepEqual(gunzipSync(out), body);
    assert.equal(out.readUInt32LE(out.length - 4), body.length);
    assert.equal(r.notes.get('in'), String(body.length));
    const deflated = out.length - 18;
    assert.equal(r.notes.get('out'), String(deflated));
    assert.equal(r.notes.get('ratio'), String(Math.trunc((deflated * 100) / body.length)));
  });

  it('notes "-" for an empty body', async () => {
    const { r } = await request();
    const out = await run(new GzipStage(r, CONF), []);
    assert.equal(gunzipSync(out).length, 0);
    assert.equal(r.notes.get('in'), '-');
    assert.equal(r.notes.get('ratio'), '-');
  });

  it('passes output in DeflateBufferSize pieces and at a sync flush', async () => {
    const { r } = await request();
    const random = Buffer.alloc(20000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919) % 251;
    const stage = new GzipStage(r, { ...CONF, bufferSize: 4096, compressionLevel: 1 });
    const pieces: number[] = [];
    stage.on('data', (b: Buffer) => pieces.push(b.length));
    stage.write(random.subarray(0, 100));
    await new Promise<void>((resolve) => stage.syncFlush(resolve));
    assert.ok(pieces.length >= 1, 'a flush passes what is buffered');
    const afterFlush = pieces.length;
    const done = new Promise((resolve) => stage.on('end', resolve));
    stage.end(random.subarray(100));
    await done;
    assert.ok(
      pieces.slice(afterFlush, -1).every((n) => n >= 4096),
      pieces.join(','),
    );
  });

  it('uses the configured level, window and memory level', async () => {
    const { r } = await request();
    const out = await run(
      new GzipStage(r, { ...CONF, compressionLevel: 9, windowSize: 9, memLevel: 1 }),
      [body],
    );
    assert.deepEqual(gunzipSync(out), body);
  });

  it('defaults as httpd does', () => {
    assert.equal(DEFLATE_DEFAULTS.bufferSize, 8096);
    assert.equal(DEFLATE_DEFAULTS.memLevel, 9);
    assert.equal(DEFLATE_DEFAULTS.windowSize, 15);
  });
});
