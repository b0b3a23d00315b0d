// ap_die / canned error pages, compared byte for byte with Apache 2.4.71's output.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cannedErrorPage, cannedContext, die } from './die.js';
import { reasonPhrase } from './status.js';
import { SERVER_BANNER } from './banner.js';
import { config, fakeRequest, generation, server } from '../../tests/support/record.js';
import { coreModule } from '../core/index.js';
import { createCoreDir, createCoreServer } from '../core/config.js';

const DOCTYPE =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n';
const ctx = (signature = '') => ({
  method: 'POST',
  notes: new Map<string, string>(),
  serverAdmin: 'webmaster@example.com',
  signature,
});

describe('reasonPhrase', () => {
  it("uses Apache 2.4 phrases, not Node's", () => {
    assert.equal(reasonPhrase(414), 'Request-URI Too Long');
    assert.equal(reasonPhrase(413), 'Request Entity Too Large');
    assert.equal(reasonPhrase(503), 'Service Unavailable');
    assert.equal(reasonPhrase(416), 'Requested Range Not Satisfiable');
    assert.equal(reasonPhrase(599), 'Internal Server Error');
  });
});

describe('cannedErrorPage', () => {
  it('renders 404 exactly', () => {
    assert.equal(
      cannedErrorPage(404, ctx(), ''),
      `${DOCTYPE}<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n`,
    );
  });
  it('renders 413 with the method and without <p>, as Apache does', () => {
    assert.equal(
      cannedErrorPage(413, ctx('<hr>\n<address>X Server at x Port 80</address>\n'), ''),
      `${DOCTYPE}<html><head>\n<title>413 Request Entity Too Large</title>\n</head><body>\n<h1>Request Entity Too Large</h1>\nThe requested resource does not allow request data with POST requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n<hr>\n<address>X Server at x Port 80</address>\n</body></html>\n`,
    );
  });
  it('adds error-notes to 400 (LimitRequestFieldSize)', () => {
    const c = {
      ...ctx(),
      notes: new Map([['error-notes', 'Size of a request header field exceeds server limit.']]),
    };
    assert.match(
      cannedErrorPage(400, c, ''),
      /<p>Your browser sent a request that this server could not understand\.<br \/>\nSize of a request header field exceeds server limit\.<\/p>\n/,
    );
  });
  it('renders 500 with ServerAdmin and the recursive-error paragraph', () => {
    const page = cannedErrorPage(500, ctx(), '', 404);
    assert.ok(
      page.includes(
        '<p>Please contact the server administrator at \n webmaster@example.com to inform them of the time this error occurred,\n',
      ),
    );
    assert.ok(
      page.includes(
        '<p>Additionally, a 404 Not Found\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n',
      ),
    );
  });
  it('escapes the Location of a redirect', () => {
    assert.ok(
      cannedErrorPage(302, ctx(), 'http://x/?a=1&b="2"').includes(
        '<a href="http://x/?a=1&amp;b=&quot;2&quot;">here</a>',
      ),
    );
  });
});

describe('die', () => {
  const ir = (
    docs: Record<string, { kind: 'message' | 'local' | 'url' | 'default'; value: string }>,
    sig: 'on' | 'off' = 'on',
  ) =>
    config(
      server({
        server: { core: { ...createCoreServer(), serverName: 'www.example.com' } },
        dirDefaults: { core: { ...createCoreDir(), serverSignature: sig, errorDocuments: docs } },
      }),
    );

  it('sends the canned page with the signature from the Host header (UseCanonicalName Off)', async () => {
    const { gen } = await generation(ir({}), [coreModule]);
    const r = fakeRequest(gen, { headers: [['Host', 'Foo.Example:8080']] });
    assert.equal(await die(r, 404), 404);
    assert.equal(r.res.statusCode, 404);
    assert.equal(r.res.statusMessage, 'Not Found');
    assert.equal(
      cannedContext(r).signature,
      `<hr>\n<address>${SERVER_BANNER} Server at foo.example Port 8080</address>\n`,
    );
    assert.equal(r.res.getHeader('content-type'), 'text/html; charset=iso-8859-1');
  });

  it('uses an ErrorDocument message as the body', async () => {
    const { gen } = await generation(ir({ '403': { kind: 'message', value: '"Go away' } }), [
      coreModule,
    ]);
    const r = fakeRequest(gen);
    await die(r, 403);
    assert.equal(r.res.getHeader('content-length'), 7);
  });

  it('turns a remote ErrorDocument into a 302 to it', async () => {
    const { gen } = await generation(
      ir({ '404': { kind: 'url', value: 'http://elsewhere.example/nf' } }),
      [coreModule],
    );
    const r = fakeRequest(gen);
    assert.equal(await die(r, 404), 302);
    assert.equal(r.res.statusCode, 302);
    assert.equal(r.res.getHeader('location'), 'http://elsewhere.example/nf');
  });

  it('marks statuses that drop the connection (413) with Connection: close', async () => {
    const { gen } = await generation(ir({}, 'off'), [coreModule]);
    const r = fakeRequest(gen, { method: 'POST' });
    await die(r, 413);
    assert.equal(r.res.getHeader('connection'), 'close');
  });
});
