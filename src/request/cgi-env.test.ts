// ap_add_common_vars / ap_add_cgi_vars matrix.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cgiEnvironment, headerToEnv } from './cgi-env.js';
import { internalRedirect } from './subrequest.js';
import { config, fakeRequest, generation, server } from '../../tests/support/record.js';
import { createCoreServer } from '../core/config.js';
import { SERVER_BANNER } from '../http/banner.js';

async function env(opts: Parameters<typeof fakeRequest>[1], pass = false) {
  const { gen } = await generation(
    config(
      server({
        server: {
          core: {
            ...createCoreServer(),
            documentRoot: '/srv/www',
            serverAdmin: 'admin@x',
            serverName: 'canon.example',
          },
        },
      }),
    ),
    [],
  );
  const r = fakeRequest(gen, opts);
  r.filename = '/srv/www/app.wsgi';
  r.uri = '/app/extra';
  r.pathInfo = '/extra';
  r.env.set('FROM_SETENV', '1');
  return cgiEnvironment(r, { passAuthorization: pass });
}

describe('headerToEnv', () => {
  it('maps names to HTTP_* and drops names with other characters', () => {
    assert.equal(headerToEnv('X-Forwarded-For'), 'HTTP_X_FORWARDED_FOR');
    assert.equal(headerToEnv('X_Underscore'), undefined);
    assert.equal(headerToEnv('Bad Header'), undefined);
  });
});

describe('cgiEnvironment', () => {
  const headers: [string, string][] = [
    ['Host', 'www.example.com:8080'],
    ['Accept', 'a'],
    ['Accept', 'b'],
    ['X_Evil', 'x'],
    ['Proxy', 'http://evil'],
    ['Authorization', 'Basic Zm9vOmJhcg=='],
    ['Content-Type', 'text/plain'],
    ['Content-Length', '5'],
  ];
  it('computes the common and CGI variables', async () => {
    const e = await env({
      method: 'POST',
      target: '/app/extra?q=1%202',
      headers,
      remote: { addr: '10.1.2.3', port: 41000 },
    });
    assert.equal(e.get('SERVER_SOFTWARE'), SERVER_BANNER);
    assert.equal(e.get('SERVER_NAME'), 'www.example.com');
    assert.equal(e.get('SERVER_PORT'), '8080');
    assert.equal(e.get('SERVER_ADDR'), '127.0.0.1');
    assert.equal(e.get('SERVER_ADMIN'), 'admin@x');
    assert.equal(e.get('REMOTE_ADDR'), '10.1.2.3');
    assert.equal(e.get('REMOTE_PORT'), '41000');
    assert.equal(e.get('DOCUMENT_ROOT'), '/srv/www');
    assert.equal(e.get('CONTEXT_DOCUMENT_ROOT'), '/srv/www');
    assert.equal(e.get('CONTEXT_PREFIX'), '');
    assert.equal(e.get('REQUEST_SCHEME'), 'http');
    assert.equal(e.get('SCRIPT_FILENAME'), '/srv/www/app.wsgi');
    assert.equal(e.get('REQUEST_METHOD'), 'POST');
    assert.equal(e.get('REQUEST_URI'), '/app/extra?q=1%202');
    assert.equal(e.get('QUERY_STRING'), 'q=1%202');
    assert.equal(e.get('SERVER_PROTOCOL'), 'HTTP/1.1');
    assert.equal(e.get('GATEWAY_INTERFACE'), 'CGI/1.1');
    assert.equal(e.get('SCRIPT_NAME'), '/app');
    assert.equal(e.get('PATH_INFO'), '/extra');
    assert.equal(e.get('PATH_TRANSLATED'), '/srv/www/extra');
    assert.equal(e.get('FROM_SETENV'), '1');
    assert.equal(e.get('SERVER_SIGNATURE'), '');
  });
  it('joins repeated headers with ", ", drops bad names and Proxy, bares CONTENT_*', async () => {
    const e = await env({ headers });
    assert.equal(e.get('HTTP_ACCEPT'), 'a, b');
    assert.equal(e.has('HTTP_X_EVIL'), false);
    assert.equal(
      [...e.keys()].some((k) => k.startsWith('HTTP_X_')),
      false,
    );
    assert.equal(e.has('HTTP_PROXY'), false);
    assert.equal(e.get('CONTENT_TYPE'), 'text/plain');
    assert.equal(e.get('CONTENT_LENGTH'), '5');
    assert.equal(e.has('HTTP_CONTENT_TYPE'), false);
  });
  it('withholds Authorization unless asked to pass it', async () => {
    assert.equal((await env({ headers })).has('HTTP_AUTHORIZATION'), false);
    assert.equal((await env({ headers }, true)).get('HTTP_AUTHORIZATION'), 'Basic Zm9vOmJhcg==');
  });
  it('omits CONTENT_TYPE / CONTENT_LENGTH when the request has none', async () => {
    const e = await env({ headers: [['Host', 'h']] });
    assert.equal(e.has('CONTENT_TYPE'), false);
    assert.equal(e.has('CONTENT_LENGTH'), false);
    assert.equal(e.get('SERVER_PORT'), '80');
  });
});

describe('cgiEnvironment (authenticated, redirected and odd path_info requests)', () => {
  async function request(target: string) {
    const { gen } = await generation(
      config(server({ server: { core: { ...createCoreServer(), documentRoot: '/srv/www' } } })),
      [],
    );
    return fakeRequest(gen, { target, headers: [['Host', 'h']] });
  }

  it('sets REMOTE_USER and AUTH_TYPE once a user is authenticated', async () => {
    const r = await request('/p');
    assert.equal(cgiEnvironment(r).has('REMOTE_USER'), false);
    assert.equal(cgiEnvironment(r).has('AUTH_TYPE'), false);
    r.user = 'ann';
    r.authType = 'Basic';
    const e = cgiEnvironment(r);
    assert.equal(e.get('REMOTE_USER'), 'ann');
    assert.equal(e.get('AUTH_TYPE'), 'Basic');
  });

  it('gives REQUEST_URI of the first request of an internal-redirect chain', async () => {
    const r = await request('/orig/page?x=1');
    await internalRedirect(r, '/second');
    const second = r.next;
    assert.ok(second !== undefined);
    await internalRedirect(second, '/third?y=2');
    const third = second.next;
    assert.ok(third !== undefined);
    const e = cgiEnvironment(third);
    assert.equal(e.get('REQUEST_URI'), '/orig/page?x=1');
    assert.equal(e.get('SCRIPT_NAME'), '/third');
    assert.equal(e.get('QUERY_STRING'), 'y=2');
  });

  it('keeps SCRIPT_NAME whole when path_info is not a suffix of the URI', async () => {
    const r = await request('/app');
    r.pathInfo = '/elsewhere';
    const e = cgiEnvironment(r);
    assert.equal(e.get('SCRIPT_NAME'), '/app');
    assert.equal(e.get('PATH_INFO'), '/elsewhere');
  });

  it('falls back to the default PATH when the server has none', async () => {
    const r = await request('/p');
    const saved = process.env['PATH'];
    delete process.env['PATH'];
    try {
      assert.equal(cgiEnvironment(r).get('PATH'), '/usr/local/bin:/usr/bin:/bin');
    } finally {
      process.env['PATH'] = saved;
    }
    assert.equal(cgiEnvironment(r).get('PATH'), saved);
  });
});
