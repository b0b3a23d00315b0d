// The output filter chain (httpd server/util_filter.c, ap_content_length_filter): the
// interposition on r.res only when a filter is added, the first-brigade decision,
// Content-Length vs chunked framing, pending writeHead, HEAD, backpressure.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { Duplex, Transform } from 'node:stream';
import { config, fakeRequest, generation, server } from '../../tests/support/record.js';
import { coreModule } from '../core/index.js';
import {
  addOutputFilters,
  commitOutputFilters,
  dropOutputFilters,
  flushOutput,
  hasOutputFilters,
  installOutputFilters,
  outputStarted,
  FTYPE,
  startOutputFilters,
  type AddedFilter,
  type FirstBrigade,
} from './output-filter.js';
import type { ModuleDef } from '../modules/module.js';

/** Upper-cases the body; records what it saw at its first brigade. */
function upper(seen: FirstBrigade[] = [], highWaterMark?: number): AddedFilter {
  return {
    name: 'UPPER',
    def: {
      start: (r, first) => {
        seen.push(first);
        r.res.setHeader('X-Filtered', 'upper');
        const stream = new Transform({
          ...(highWaterMark === undefined ? {} : { highWaterMark }),
          transform(chunk: Buffer, _e, cb) {
            const out = Buffer.from(chunk.toString().toUpperCase());
            // A slow filter (with a small buffer) answers later, so writes back up.
            if (highWaterMark === undefined) cb(null, out);
            else setImmediate(() => cb(null, out));
          },
        });
        return { stream, flush: (done) => setImmediate(done) };
      },
      ftype: FTYPE.CONTENT_SET,
    },
  };
}
const decline: AddedFilter = {
  name: 'NOPE',
  def: { start: () => undefined, ftype: FTYPE.CONTENT_SET },
};
/** Appends `tag` to the body; RESOURCE type unless given. */
function tagger(tag: string, ftype: number = FTYPE.RESOURCE): AddedFilter {
  return {
    name: tag,
    def: {
      ftype,
      start: () => ({
        stream: new Transform({
          transform(chunk: Buffer, _e, cb) {
            cb(null, chunk);
          },
          flush(cb) {
            cb(null, Buffer.from(tag));
          },
        }),
      }),
    },
  };
}

const upperModule: ModuleDef = {
  name: 'upper',
  outputFilters: { upper: upper().def },
};

/** A record whose response writes into memory; `wire()` is what went out. */
async function setup(method = 'GET') {
  const { gen, log } = await generation(config(server()), [coreModule, upperModule]);
  const r = fakeRequest(gen, { method });
  const out: Buffer[] = [];
  const sock = new Duplex({
    read() {},
    write(chunk: Buffer, _e, cb) {
      out.push(chunk);
      cb();
    },
  });
  r.res.assignSocket(sock as unknown as Socket);
  // fakeRequest's IncomingMessage has no parsed version, so node took it for HTTP/1.0.
  r.res.useChunkedEncodingByDefault = true;
  const wire = () => Buffer.concat(out).toString('latin1');
  const finished = once(r.res, 'finish');
  return { r, log, wire, finished };
}

const headOf = (w: string): string => w.slice(0, w.indexOf('\r\n\r\n'));
const bodyOf = (w: string): string => w.slice(w.indexOf('\r\n\r\n') + 4);

describe('output filter chain', () => {
  it('interposes nothing when no filter is added', async () => {
    const { r } = await setup();
    installOutputFilters(r, []);
    commitOutputFilters(r);
    assert.equal(Object.hasOwn(r.res, 'write'), false);
    assert.equal(hasOutputFilters(r.res), false);
  });

  it('steps aside when every filter declines: headers and body as the handler wrote them', async () => {
    const { r, wire, finished } = await setup();
    installOutputFilters(r, [decline]);
    assert.equal(Object.hasOwn(r.res, 'write'), true);
    r.res.setHeader('Content-Length', '5');
    r.res.end('hello');
    await finished;
    assert.equal(Object.hasOwn(r.res, 'write'), false);
    assert.match(headOf(wire()), /Content-Length: 5/);
    assert.equal(bodyOf(wire()), 'hello');
  });

  it('gives a body that ended in its first brigade a Content-Length of the filtered length', async () => {
    const seen: FirstBrigade[] = [];
    const { r, wire, finished } = await setup();
    installOutputFilters(r, [upper(seen)]);
    r.res.setHeader('Content-Length', '5');
    r.res.end('hello');
    await finished;
    assert.deepEqual(seen, [{ ended: true, length: 5 }]);
    assert.match(headOf(wire()), /X-Filtered: upper/);
    assert.match(headOf(wire()), /Content-Length: 5/);
    assert.doesNotMatch(headOf(wire()), /Transfer-Encoding/);
    assert.equal(bodyOf(wire()), 'HELLO');
  });

  it('sends a streamed body chunked, and keeps a pending writeHead status and headers', async () => {
    const { r, wire, finished } = await setup();
    installOutputFilters(r, [upper()]);
    r.res.writeHead(201, 'Made', ['X-A', '1', 'Content-Length', '10']);
    assert.equal(r.res.headersSent, false);
    r.res.write('abcde');
    flushOutput(r.res);
    assert.equal(outputStarted(r.res), true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(wire(), /^HTTP\/1\.1 201 Made\r\n/);
    r.res.end('fghij');
    await finished;
    const head = headOf(wire());
    assert.match(head, /X-A: 1/);
    assert.match(head, /Transfer-Encoding: chunked/);
    assert.doesNotMatch(head, /Content-Length/);
    assert.equal(
      bodyOf(wire()).replace(/\r\n[0-9a-f]+\r\n|^[0-9a-f]+\r\n|\r\n$/g, ''),
      'ABCDEFGHIJ',
    );
  });

  it('lets the handler decide first (startOutputFilters), seeing the whole length', async () => {
    const seen: FirstBrigade[] = [];
    const { r, finished } = await setup();
    installOutputFilters(r, [upper(seen)]);
    assert.equal(startOutputFilters(r.res, { ended: true, length: 42 }), true);
    r.res.end('x');
    await finished;
    assert.deepEqual(seen, [{ ended: true, length: 42 }]);
    const other = await setup();
    installOutputFilters(other.r, [decline]);
    assert.equal(startOutputFilters(other.r.res, { ended: true, length: 1 }), false);
    assert.equal(hasOutputFilters(other.r.res), false);
  });

  it('answers HEAD with the filtered length and no body', async () => {
    const { r, wire, finished } = await setup('HEAD');
    installOutputFilters(r, [upper()]);
    r.res.end('hello world');
    await finished;
    assert.match(headOf(wire()), /Content-Length: 11/);
    assert.equal(bodyOf(wire()), '');
  });

  it('answers HEAD without a body written with no Content-Length', async () => {
    const { r, wire, finished } = await setup('HEAD');
    installOutputFilters(r, [upper()]);
    flushOutput(r.res);
    r.res.end();
    await finished;
    assert.doesNotMatch(headOf(wire()), /Content-Length/);
  });

  it('reports backpressure and emits drain once the filter has room again', async () => {
    const { r, finished } = await setup();
    installOutputFilters(r, [upper([], 4)]);
    const ok = r.res.write('x'.repeat(64));
    assert.equal(ok, false);
    assert.ok(r.res.writableLength >= 0);
    await once(r.res, 'drain');
    r.res.end();
    await finished;
  });

  it('is taken off before it started (error page, internal redirect), not after', async () => {
    const { r } = await setup();
    installOutputFilters(r, [upper()]);
    dropOutputFilters(r.res);
    assert.equal(Object.hasOwn(r.res, 'write'), false);
    const s = await setup();
    installOutputFilters(s.r, [upper()]);
    s.r.res.write('abc');
    dropOutputFilters(s.r.res);
    assert.equal(outputStarted(s.r.res), true);
    s.r.res.end();
    await s.finished;
  });

  it('leaves a wrapper put over its writeHead working once the chain is off', async () => {
    const { r, wire, finished } = await setup();
    installOutputFilters(r, [upper()]);
    const inner = r.res.writeHead.bind(r.res);
    r.res.writeHead = ((...args: Parameters<typeof inner>) => {
      r.res.setHeader('X-Wrapped', 'yes');
      return inner(...args);
    }) as typeof r.res.writeHead;
    dropOutputFilters(r.res);
    r.res.end('plain');
    await finished;
    assert.match(headOf(wire()), /X-Wrapped: yes/);
    assert.equal(bodyOf(wire()), 'plain');
  });

  it('destroys its stages when the client goes away mid-response', async () => {
    const { r } = await setup();
    const seen: FirstBrigade[] = [];
    const f = upper(seen, 4);
    let stage: Transform | undefined;
    const spy: AddedFilter = {
      name: f.name,
      def: {
        ftype: f.def.ftype,
        start: (rr, first) => {
          const st = f.def.start(rr, first);
          stage = st?.stream;
          return st;
        },
      },
    };
    installOutputFilters(r, [spy]);
    r.res.write('abc');
    r.res.destroy();
    await once(r.res, 'close');
    assert.equal(stage?.destroyed, true);
  });

  it('runs filters by type, then in the order they were added', async () => {
    const { r, wire, finished } = await setup();
    installOutputFilters(r, [tagger('c', FTYPE.CONTENT_SET), tagger('a'), tagger('b')]);
    r.res.end('x');
    await finished;
    assert.equal(bodyOf(wire()), 'xabc');
  });

  it('resolves names at commit, logging an unknown one (AH00082)', async () => {
    const { r, log, wire, finished } = await setup();
    addOutputFilters(r, 'BOGUS;UPPER;');
    commitOutputFilters(r);
    assert.ok(log.lines.some((l) => l.includes('AH00082: an unknown filter was not added: BOGUS')));
    r.res.end('abc');
    await finished;
    assert.equal(bodyOf(wire()), 'ABC');
  });
});
