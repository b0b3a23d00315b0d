// Request headers → WSGI environ (reference mod_wsgi.md §4.1, §4.6, §8 #3–#4; mod_wsgi
// wsgi_build_environment / ap_add_common_vars): bare CONTENT_TYPE/CONTENT_LENGTH only when
// sent, repeated headers joined with ", ", names outside [A-Za-z0-9-] dropped, Proxy never
// exposed, HTTP_AUTHORIZATION only where pass-authorization is on (server, <Location>,
// <Directory>, alias option — the alias option beats the directory setting).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { APP_HEADERS_CLOSE, WSGI_PREAMBLE, app, dump, req } from '../support/wsgi.js';

const AUTH = 'Authorization: Basic dXNlcjpwYXNz\r\nProxy-Authorization: Basic cHJveHk6cA==\r\n';

const CONF = `${WSGI_PREAMBLE}
WSGIDaemonProcess hdr threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIProcessGroup hdr
WSGIScriptAlias /plain @DIR@/dump.wsgi
WSGIScriptAlias /loc @DIR@/dump.wsgi
WSGIScriptAlias /dir @DIR@/d/dump.wsgi
WSGIScriptAlias /alias @DIR@/dump.wsgi pass-authorization=On
WSGIScriptAlias /aliasoff @DIR@/dump.wsgi pass-authorization=Off
<Location /loc>
  WSGIPassAuthorization On
</Location>
<Location /aliasoff>
  WSGIPassAuthorization On
</Location>
<Directory @DIR@/d>
  WSGIPassAuthorization On
</Directory>
`;

const FILES = { 'dump.wsgi': app('dump.wsgi'), 'd/dump.wsgi': app('dump.wsgi') };

describe('request headers in the WSGI environ', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, FILES);
  });
  after(() => h.stop());

  it('has no CONTENT_TYPE / CONTENT_LENGTH keys when those headers are absent', async () => {
    const { res, env } = await dump(h.port, req('/plain'));
    assert.deepEqual(res.headerNames, APP_HEADERS_CLOSE);
    assert.equal('CONTENT_TYPE' in env, false);
    assert.equal('CONTENT_LENGTH' in env, false);
    assert.equal('HTTP_CONTENT_TYPE' in env, false);
    assert.equal('PATH' in env, false);
    assert.equal('HTTPS' in env, false);
    assert.equal(typeof env['SERVER_PORT'], 'string');
  });

  it('passes CONTENT_TYPE and CONTENT_LENGTH bare (never HTTP_CONTENT_*) when present', async () => {
    const { env, d } = await dump(
      h.port,
      req('/plain', {
        method: 'POST',
        headers: 'Content-Type: text/x-test; charset=utf-8\r\n',
        body: 'hello',
      }),
    );
    assert.equal(env['CONTENT_TYPE'], 'text/x-test; charset=utf-8');
    assert.equal(env['CONTENT_LENGTH'], '5');
    assert.equal('HTTP_CONTENT_TYPE' in env, false);
    assert.equal('HTTP_CONTENT_LENGTH' in env, false);
    assert.equal(d.body_length, 5);
  });

  it('joins a repeated header with ", ", drops X_Foo and Proxy, keeps X-Foo', async () => {
    const { env } = await dump(
      h.port,
      req('/plain', {
        headers:
          'X-Multi: a\r\nX-Multi: b\r\nX_Foo: spoof\r\nX-Foo: real\r\nProxy: http://evil:1\r\nX-Dots.Bad: 1\r\n',
      }),
    );
    assert.equal(env['HTTP_X_MULTI'], 'a, b');
    assert.equal(env['HTTP_X_FOO'], 'real');
    assert.equal('HTTP_PROXY' in env, false);
    assert.equal(Object.keys(env).filter((k) => k.startsWith('HTTP_X_DOTS')).length, 0);
    const httpKeys = Object.keys(env)
      .filter((k) => k.startsWith('HTTP_'))
      .sort();
    assert.deepEqual(httpKeys, ['HTTP_CONNECTION', 'HTTP_HOST', 'HTTP_X_FOO', 'HTTP_X_MULTI']);
  });

  const auth: readonly [string, boolean][] = [
    ['/plain', false],
    ['/loc', true],
    ['/dir', true],
    ['/alias', true],
    ['/aliasoff', false],
  ];
  for (const [path, passed] of auth) {
    it(`${passed ? 'passes' : 'withholds'} HTTP_AUTHORIZATION under ${path}`, async () => {
      const { env } = await dump(h.port, req(path, { headers: AUTH }));
      if (passed) assert.equal(env['HTTP_AUTHORIZATION'], 'Basic dXNlcjpwYXNz');
      else assert.equal('HTTP_AUTHORIZATION' in env, false);
      // Proxy-Authorization is never passed (only CGIPassAuth would).
      assert.equal('HTTP_PROXY_AUTHORIZATION' in env, false);
    });
  }
});

describe('WSGIPassAuthorization On server-wide', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${WSGI_PREAMBLE}
WSGIPassAuthorization On
WSGIDaemonProcess hdr2 threads=1 graceful-timeout=1 shutdown-timeout=1
WSGIProcessGroup hdr2
WSGIScriptAlias /plain @DIR@/dump.wsgi
WSGIScriptAlias /off @DIR@/dump.wsgi pass-authorization=Off
`,
      { 'dump.wsgi': app('dump.wsgi') },
    );
  });
  after(() => h.stop());

  it('passes HTTP_AUTHORIZATION everywhere the alias does not turn it off', async () => {
    assert.equal(
      (await dump(h.port, req('/plain', { headers: AUTH }))).env['HTTP_AUTHORIZATION'],
      'Basic dXNlcjpwYXNz',
    );
    assert.equal(
      'HTTP_AUTHORIZATION' in (await dump(h.port, req('/off', { headers: AUTH }))).env,
      false,
    );
  });
});
