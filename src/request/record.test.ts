// RequestRecord basics: target parsing, Host → hostname, and LimitRequestBody enforced
// while the body streams (readBody).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import {
  hostnameOf,
  LimitedBody,
  refusedScheme,
  RequestBodyTooLargeError,
  splitTarget,
} from './record.js';
import { config, fakeRequest, generation, server } from '../../tests/support/record.js';
import { createCoreDir } from '../core/config.js';

describe('splitTarget', () => {
  it('splits path and query, and takes the path of an absolute-form target', () => {
    assert.deepEqual(splitTarget('/a%20b?x=1&y'), {
      path: '/a%20b',
      args: 'x=1&y',
      host: undefined,
    });
    assert.deepEqual(splitTarget('http://Example.com:8080/p?q'), {
      path: '/p',
      args: 'q',
      host: 'Example.com:8080',
    });
    assert.deepEqual(splitTarget('/p#frag'), { path: '/p', args: '', host: undefined });
  });
});

describe('Request from an absolute-form target', () => {
  it('gives the handler uri "/" and the query of `GET http://host?q=1`', async () => {
    const { gen } = await generation(config(server({})), []);
    const r = fakeRequest(gen, { target: 'http://Host.example?q=1' });
    assert.deepEqual(
      [r.uri, r.args, r.hostname, r.unparsedUri],
      ['/', 'q=1', 'host.example', 'http://Host.example?q=1'],
    );
    const o = fakeRequest(gen, { method: 'OPTIONS', target: 'http://host?x' });
    assert.deepEqual([o.uri, o.args], ['*', 'x']);
  });
});

describe('hostnameOf', () => {
  it('lower-cases and strips the port and a trailing dot', () => {
    assert.equal(hostnameOf('WWW.Example.COM.:81'), 'www.example.com');
    assert.equal(hostnameOf('[::1]:8080'), '[::1]');
    assert.equal(hostnameOf(undefined), '');
  });
});

describe('readBody', () => {
  async function record(limit: number, chunks: string[]) {
    const { gen, log } = await generation(
      config(server({ dirDefaults: { core: { ...createCoreDir(), limitRequestBody: limit } } })),
      [],
    );
    const r = fakeRequest(gen, { method: 'POST' });
    for (const c of chunks) r.headersIn.push(Buffer.from(c));
    r.headersIn.push(null);
    return { r, log };
  }
  it('yields the body when it stays within LimitRequestBody', async () => {
    const { r } = await record(10, ['hello', 'world']);
    const parts: Buffer[] = [];
    for await (const b of r.readBody()) parts.push(b);
    assert.equal(Buffer.concat(parts).toString(), 'helloworld');
  });
  it('throws RequestBodyTooLargeError and logs AH00539 past the limit', async () => {
    const { r, log } = await record(8, ['hello', 'world']);
    await assert.rejects(async () => {
      for await (const b of r.readBody()) void b;
    }, RequestBodyTooLargeError);
    assert.ok(
      log.lines.some((l) =>
        l.includes('AH00539: Read content-length of 10 is larger than the configured limit of 8'),
      ),
    );
  });
});

describe('splitTarget / hostnameOf edge cases', () => {
  it('gives an absolute-form target without a path the path "/"', () => {
    assert.deepEqual(splitTarget('http://example.com'), {
      path: '/',
      args: '',
      host: 'example.com',
    });
  });
  it('gives an absolute-form target with a query but no path "/" (or "*" for OPTIONS)', () => {
    // httpd 2.4.71: `GET http://host?q=1` logs %U "/" and %q "?q=1" (a 404 with no index);
    // `OPTIONS http://host?x` logs %U "*" and answers 200 (ap_parse_uri).
    assert.deepEqual(splitTarget('http://host?q=1'), { path: '/', args: 'q=1', host: 'host' });
    assert.deepEqual(splitTarget('http://host?q=1', 'OPTIONS'), {
      path: '*',
      args: 'q=1',
      host: 'host',
    });
    assert.deepEqual(splitTarget('http://host', 'OPTIONS'), { path: '*', args: '', host: 'host' });
    assert.deepEqual(splitTarget('http://host/a?b', 'OPTIONS'), {
      path: '/a',
      args: 'b',
      host: 'host',
    });
  });
  it('collapses a leading run of slashes before parsing (not a scheme-relative URL)', () => {
    // httpd: `GET //x//b.txt` under MergeSlashes Off has r->uri "/x//b.txt".
    assert.deepEqual(splitTarget('//x//b.txt?q'), {
      path: '/x//b.txt',
      args: 'q',
      host: undefined,
    });
    assert.deepEqual(splitTarget('///?q'), { path: '/', args: 'q', host: undefined });
  });
  it('keeps an unterminated IPv6 literal as it is (lower-cased)', () => {
    assert.equal(hostnameOf('[::1'), '[::1');
    assert.equal(hostnameOf(' [FE80::1]:80 '), '[fe80::1]');
  });
});

describe('refusedScheme (ap_post_read_request)', () => {
  it('refuses a scheme other than http or https, in any case', () => {
    for (const t of ['ftp://h/x', 'FTP://h', 'httpx://h/x', 'a+b://h/x', 'ftp:x'])
      assert.equal(refusedScheme(t), true, t);
  });
  it('lets origin-form, `*`, http(s) and scheme-less targets through', () => {
    for (const t of ['/x', '//ftp://h', '*', 'http://h/x', 'HTTPS://h/x', '1ftp://h/x', ''])
      assert.equal(refusedScheme(t), false, t);
  });
});

describe('LimitedBody (bodyStream)', () => {
  const collect = (b: LimitedBody): { data: string[]; events: string[] } => {
    const out = { data: [] as string[], events: [] as string[] };
    b.on('data', (c: Buffer) => out.data.push(c.toString()));
    b.on('end', () => out.events.push('end'));
    b.on('error', (e) =>
      out.events.push(e instanceof RequestBodyTooLargeError ? 'too-large' : 'error'),
    );
    return out;
  };

  it('holds the body until resume(), then passes chunks and the end', async () => {
    const src = new PassThrough();
    const b = new LimitedBody(src, 100, () => assert.fail('not too large'));
    const got = collect(b);
    src.end('abc');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got.data, []);
    b.resume();
    await once(b, 'end');
    assert.deepEqual(got, { data: ['abc'], events: ['end'] });
    assert.equal(b.readableEnded, true);
  });

  it('fails past the limit with the count read, and passes nothing more', async () => {
    const src = new PassThrough();
    const seen: number[] = [];
    const b = new LimitedBody(src, 5, (n) => seen.push(n));
    const got = collect(b);
    b.resume();
    src.write('1234');
    src.write('5678');
    src.end('9');
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, { data: ['1234'], events: ['too-large'] });
    assert.deepEqual(seen, [8]);
  });

  it('reports a source that closes before its end (client gone)', async () => {
    const src = new PassThrough();
    const b = new LimitedBody(src, 0, () => undefined);
    const got = collect(b);
    b.resume();
    src.write('x');
    src.destroy();
    await once(src, 'close');
    assert.deepEqual(got, { data: ['x'], events: ['error'] });
  });

  it('is already ended over a body read before (an internal redirect), and fails over a destroyed one', async () => {
    const done = new PassThrough();
    done.end('gone');
    done.resume();
    await once(done, 'end');
    assert.equal(new LimitedBody(done, 0, () => undefined).readableEnded, true);
    const dead = new PassThrough();
    dead.destroy();
    await once(dead, 'close');
    const b = new LimitedBody(dead, 0, () => undefined);
    const got = collect(b);
    await new Promise((r) => process.nextTick(r));
    assert.deepEqual(got.events, ['error']);
  });
});
