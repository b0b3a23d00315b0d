// mod_filter's request side: filter_insert, filter_lookup's provider choice, the
// FilterProtocol header rules and what a FilterProvider expression reads.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { config, fakeRequest, generation, server } from '../../../tests/support/record.js';
import { coreModule } from '../../core/index.js';
import { commitOutputFilters, hasOutputFilters } from '../../request/output-filter.js';
import { deflateModule } from '../deflate/index.js';
import { parseProto, type FilterProviderConf, type SmartFilterConf } from './config.js';
import { tryParseExpr } from '../../expr/parse.js';
import { exprContext, filterInsert, harness } from './harness.js';

async function request(headers: [string, string][] = [['Accept-Encoding', 'gzip']]) {
  const { gen, log } = await generation(config(server()), [coreModule, deflateModule]);
  const r = fakeRequest(gen, { headers: [['Host', 'x'], ...headers], target: '/a/b?q=1' });
  r.res.setHeader('Content-Type', 'text/html; charset=utf-8');
  r.res.setHeader('ETag', '"t"');
  r.res.setHeader('Last-Modified', 'Thu, 01 Jan 2026 00:00:00 GMT');
  r.res.setHeader('Content-Length', '1000');
  return { r, log };
}

const byType = (types: string[], proto?: string): FilterProviderConf => ({
  filter: 'DEFLATE',
  types,
  expr: undefined,
  proto: proto === undefined ? undefined : parseProto(proto),
});
const smart = (providers: FilterProviderConf[], proto?: string): SmartFilterConf => ({
  name: 'S',
  providers,
  proto: proto === undefined ? undefined : parseProto(proto),
  trace: 0,
  ftype: undefined,
});
const WHOLE = { ended: true, length: 1000 };

describe('filter_lookup', () => {
  it('matches the content type up to ";", exactly, and becomes the provider', async () => {
    const { r } = await request();
    const stage = harness(smart([byType(['text/html'])])).start(r, WHOLE);
    assert.ok(stage !== undefined);
    assert.equal(r.res.getHeader('content-encoding'), 'gzip');
    stage.stream.destroy();
    const other = await request();
    assert.equal(
      harness(smart([byType(['TEXT/HTML', 'text/plain'])])).start(other.r, WHOLE),
      undefined,
    );
    assert.equal(other.r.res.getHeader('vary'), undefined);
  });
  it('needs a Content-Type for a type provider', async () => {
    const { r } = await request();
    r.res.removeHeader('Content-Type');
    assert.equal(harness(smart([byType(['text/html'])])).start(r, WHOLE), undefined);
  });
  it('only filters a 200 answer unless filter-errordocs is set', async () => {
    const { r } = await request();
    r.res.statusCode = 404;
    assert.equal(harness(smart([byType(['text/html'])])).start(r, WHOLE), undefined);
    const e = await request();
    e.r.res.statusCode = 404;
    e.r.env.set('filter-errordocs', '1');
    const stage = harness(smart([byType(['text/html'])])).start(e.r, WHOLE);
    assert.ok(stage !== undefined);
    stage.stream.destroy();
  });
  it('applies FilterProtocol: change=yes, cache=no, byteranges=no', async () => {
    const { r } = await request([]);
    harness(smart([byType(['text/html'], 'change=yes cache=no')], 'byteranges=no')).start(r, WHOLE);
    assert.equal(r.res.getHeader('etag'), undefined);
    assert.equal(r.res.getHeader('content-length'), undefined);
    assert.equal(r.res.getHeader('last-modified'), undefined);
    assert.deepEqual(r.res.getHeader('cache-control'), 'no-cache');
    const b = await request([]);
    harness(smart([byType(['text/html'])], 'byteranges=no change=1:1')).start(b.r, WHOLE);
    assert.equal(b.r.res.getHeader('accept-ranges'), 'none');
    assert.equal(b.r.res.getHeader('etag'), undefined);
    assert.equal(b.r.res.getHeader('content-length'), '1000');
  });
  it('tries providers in order and takes the first whose expression holds', async () => {
    const { r } = await request();
    const expr = (text: string): FilterProviderConf => {
      const p = tryParseExpr(text);
      assert.ok('expr' in p);
      return { filter: 'INFLATE', types: undefined, expr: p.expr, proto: undefined };
    };
    // INFLATE matches first and declines (not gzip-encoded): the filter removes itself.
    assert.equal(harness(smart([expr('true'), byType(['text/html'])])).start(r, WHOLE), undefined);
    assert.equal(r.res.getHeader('content-encoding'), undefined);
  });
});

describe('FilterProvider expression context', () => {
  it('reads the response, the request and the record', async () => {
    const { r } = await request([
      ['Accept', 'text/*'],
      ['X-Some-Thing', 'v'],
    ]);
    r.handler = 'wsgi-script';
    r.filename = '/srv/a.wsgi';
    r.env.set('e', '1');
    r.notes.set('n', '2');
    r.res.setHeader('X-Multi', ['a', 'b']);
    const c = exprContext(r);
    assert.equal(c.variable('CONTENT_TYPE'), 'text/html; charset=utf-8');
    assert.equal(c.variable('HANDLER'), 'wsgi-script');
    assert.equal(c.variable('REQUEST_URI'), '/a/b');
    assert.equal(c.variable('REQUEST_METHOD'), 'GET');
    assert.equal(c.variable('QUERY_STRING'), 'q=1');
    assert.equal(c.variable('REQUEST_FILENAME'), '/srv/a.wsgi');
    assert.equal(c.variable('REQUEST_SCHEME'), 'http');
    assert.equal(c.header('Accept'), 'text/*');
    assert.equal(c.header('x-some-thing'), 'v');
    assert.equal(c.respHeader('X-Multi'), 'a');
    assert.equal(c.respHeader('X-None'), undefined);
    assert.equal(c.env('e'), '1');
    assert.equal(c.note('n'), '2');
    assert.equal(c.env('none'), undefined);
    assert.equal(c.note('none'), undefined);
    r.handler = undefined;
    r.filename = undefined;
    assert.equal(exprContext(r).variable('HANDLER'), '');
    assert.equal(exprContext(r).variable('REQUEST_FILENAME'), '');
  });
});

describe('filter_insert', () => {
  it('adds the chain, skipping reset marks, and warns of an undeclared name (AH01380)', async () => {
    const { r, log } = await request();
    filterInsert(r, { live: { S: smart([byType(['text/html'])]) }, chain: [null, 'S', 'NOPE'] });
    assert.ok(
      log.lines.some(
        (l) => l.includes('[filter:warn]') && l.includes('AH01380: Unknown filter NOPE not added'),
      ),
    );
    commitOutputFilters(r);
    assert.equal(hasOutputFilters(r.res), true);
  });
  it('adds nothing without a chain', async () => {
    const { r } = await request();
    filterInsert(r, { live: {}, chain: undefined });
    commitOutputFilters(r);
    assert.equal(hasOutputFilters(r.res), false);
  });
});
