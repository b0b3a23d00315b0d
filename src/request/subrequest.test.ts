// ap_internal_redirect (the LimitInternalRecursion cap, REDIRECT_* variables, the method)
// and ap_sub_req_lookup_uri (relative URIs, HEAD → GET, the status left on the sub-request).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { internalRedirect, lookupFile, lookupUri, MAX_REDIRECTS } from './subrequest.js';
import { DECLINED, OK } from './hooks.js';
import type { RequestRecord } from './record.js';
import type { ModuleDef } from '../modules/module.js';
import { coreModule } from '../core/index.js';
import { createCoreServer } from '../core/config.js';
import { config, fakeRequest, generation, server } from '../../tests/support/record.js';

const root = mkdtempSync(join(tmpdir(), 'subrequest-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'a'));
writeFileSync(join(root, 'a', 'b.txt'), 'b\n');
writeFileSync(join(root, 'a', 'a b.txt'), 'ab\n');

const ir = config(server({ server: { core: { ...createCoreServer(), documentRoot: root } } }));

/** Grants access, refuses /secret with 403 in fixups, gives every request a no-op handler. */
const gate: ModuleDef = {
  name: 'gate',
  hooks: {
    accessCheckerEx: { run: () => OK },
    fixups: {
      run: (r) => {
        r.handler = 'noop';
        return r.uri === '/secret' ? 403 : OK;
      },
    },
  },
  handlers: { noop: () => OK },
};

async function setup() {
  return generation(ir, [coreModule, gate]);
}

describe('internalRedirect', () => {
  it(`stops after ${MAX_REDIRECTS} redirects with 500 and AH00124`, async () => {
    const { gen, log } = await setup();
    let r: RequestRecord = fakeRequest(gen, { target: '/a/b.txt' });
    for (let i = 0; i < MAX_REDIRECTS; i++) {
      assert.equal(await internalRedirect(r, '/a/b.txt'), OK, `redirect ${i + 1}`);
      const next = r.next;
      assert.ok(next !== undefined);
      r = next;
    }
    assert.equal(await internalRedirect(r, '/a/b.txt'), 500);
    assert.equal(r.next, undefined, 'no request is created past the limit');
    assert.ok(
      log.lines.some((l) =>
        l.includes(
          "AH00124: Request exceeded the limit of 10 internal redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.",
        ),
      ),
      log.lines.join('\n'),
    );
  });

  it('runs the target with the given method and query, keeping the first request line', async () => {
    const { gen } = await setup();
    const r = fakeRequest(gen, { method: 'POST', target: '/form' });
    r.status = 404;
    assert.equal(await internalRedirect(r, '/a/b.txt?x=1', 'GET'), OK);
    const next = r.next;
    assert.ok(next !== undefined);
    assert.equal(next.method, 'GET');
    assert.equal(next.uri, '/a/b.txt');
    assert.equal(next.args, 'x=1');
    assert.equal(next.prev, r);
    assert.equal(next.theRequest, 'POST /form HTTP/1.1');
    assert.equal(next.bytesSent, r.bytesSent);
    assert.equal(next.env.get('REDIRECT_URL'), '/form');
    assert.equal(next.env.get('REDIRECT_STATUS'), '404');
    assert.equal(next.env.has('REDIRECT_QUERY_STRING'), false, 'no query, no variable');
  });
});

describe('lookupUri', () => {
  it('resolves a relative URI against the directory of r.uri and maps it to a file', async () => {
    const { gen } = await setup();
    const r = fakeRequest(gen, { target: '/a/index.html' });
    const { rr, status } = await lookupUri(r, 'b.txt');
    assert.equal(status, OK);
    assert.equal(rr.uri, '/a/b.txt');
    assert.equal(rr.filename, join(root, 'a', 'b.txt'));
    assert.equal(rr.main, r);
    assert.equal(rr.status, 200);
  });

  it('resolves against r.uri itself when it ends in a slash, and percent-encodes the path', async () => {
    const { gen } = await setup();
    const r = fakeRequest(gen, { target: '/a/' });
    const { rr } = await lookupUri(r, 'a b.txt');
    assert.equal(rr.unparsedUri, '/a/a%20b.txt');
    assert.equal(rr.uri, '/a/a b.txt');
    assert.equal(rr.filename, join(root, 'a', 'a b.txt'));
  });

  it('takes an absolute URI as is and looks a HEAD request up as GET', async () => {
    const { gen } = await setup();
    const r = fakeRequest(gen, { method: 'HEAD', target: '/elsewhere/x' });
    const { rr } = await lookupUri(r, '/a/b.txt');
    assert.equal(rr.uri, '/a/b.txt');
    assert.equal(rr.method, 'GET');
    assert.equal(rr.headerOnly, false);
  });

  it('leaves an error status on the sub-request without answering the main one', async () => {
    const { gen } = await setup();
    const r = fakeRequest(gen, { target: '/a/' });
    const { rr, status } = await lookupUri(r, '/secret');
    assert.equal(status, 403);
    assert.equal(rr.status, 403);
    assert.equal(r.res.headersSent, false);
    assert.equal(r.res.statusCode, 200, 'ap_die is not run for a sub-request');
    assert.notEqual(status, DECLINED);
  });
});

describe('sub-request queries and methods', () => {
  it('keeps a query as written and makes POST a GET', async () => {
    const { gen } = await setup();
    const r = fakeRequest(gen, { method: 'POST', target: '/a/' });
    const q = await lookupUri(r, 'b.txt?x=1&y=%20');
    assert.equal(q.rr.args, 'x=1&y=%20');
    assert.equal(q.rr.method, 'GET');
    const sep = await lookupUri(r, 'b.txt', 'k=v');
    assert.equal(sep.rr.unparsedUri, '/a/b.txt?k=v');
  });
});

describe('lookupFile', () => {
  it('maps the given file without translating its URI, path info kept', async () => {
    const { gen } = await setup();
    const r = fakeRequest(gen, { target: '/elsewhere/b' });
    const { rr, status } = await lookupFile(r, {
      filename: join(root, 'a', 'a b.txt'),
      uri: '/elsewhere/a b.txt/more',
      pathInfo: '/more',
      args: 'q=1',
    });
    assert.equal(status, OK);
    assert.equal(rr.filename, join(root, 'a', 'a b.txt'));
    assert.equal(rr.pathInfo, '/more');
    assert.equal(rr.uri, '/elsewhere/a b.txt/more');
    assert.equal(rr.unparsedUri, '/elsewhere/a%20b.txt/more?q=1');
    assert.equal(rr.finfo?.isFile(), true);
  });
});
