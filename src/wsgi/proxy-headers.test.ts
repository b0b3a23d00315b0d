// WSGITrustedProxyHeaders / WSGITrustedProxies (mod_wsgi 4.9.4 wsgi_process_proxy_headers,
// wsgi_process_forwarded_for, wsgi_set_trusted_proxies). The parse errors are the ones
// `apache2 -t` printed for each word (Debian 2.4 + mod_wsgi 4.9.4).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyTrustedProxyHeaders,
  http2env,
  inSubnets,
  parseTrustedProxy,
} from './proxy-headers.js';
import type { Subnet } from './proxy-headers.js';

const P = (w: string): string => `Unable to parse trusted proxy IP address/subnet of "${w}".`;

describe('parseTrustedProxy', () => {
  const ok = ['1.2.3.4', '10.1', '10.0.0.0/255.255.0.0', '::1', 'fe80::/10', '10.0.0.0/8'];
  const bad: readonly [string, string][] = [
    ['10.1/16', `${P('10.1/16')} The specified IP address is invalid.`],
    ['1.2.3.4/33', `${P('1.2.3.4/33')} The specified network mask is invalid.`],
    ['1.2.3.4/0', `${P('1.2.3.4/0')} The specified network mask is invalid.`],
    ['FE80::1', P('FE80::1')],
    ['1.2.3.999', `${P('1.2.3.999')} The specified IP address is invalid.`],
    ['abc', P('abc')],
    ['1.2.3.4/x', P('1.2.3.4/x')],
    ['::ffff:1.2.3.4', P('::ffff:1.2.3.4')],
    ['::ffff:102:304', `${P('::ffff:102:304')} The specified IP address is invalid.`],
    ['10.1/255.0.0.0', `${P('10.1/255.0.0.0')} The specified IP address is invalid.`],
    ['10.300', `${P('10.300')} The specified IP address is invalid.`],
    ['1..2', `${P('1..2')} The specified IP address is invalid.`],
    ['::ffff:0:0/96', `${P('::ffff:0:0/96')} The specified IP address is invalid.`],
    ['fe80::1/129', `${P('fe80::1/129')} The specified network mask is invalid.`],
  ];
  for (const w of ok) {
    it(`accepts ${w}`, () => assert.notEqual(typeof parseTrustedProxy(w), 'string'));
  }
  for (const [w, msg] of bad) {
    it(`refuses ${w} with mod_wsgi's message`, () => assert.equal(parseTrustedProxy(w), msg));
  }

  it('matches addresses inside the subnet only', () => {
    const nets = (...w: string[]): Subnet[] =>
      w.map((x) => {
        const n = parseTrustedProxy(x);
        assert.ok(typeof n !== 'string', n as string);
        return n;
      });
    assert.ok(inSubnets('10.1.5.6', nets('10.1')));
    assert.ok(!inSubnets('10.2.0.1', nets('10.1')));
    assert.ok(inSubnets('10.0.200.1', nets('10.0.0.0/255.255.0.0')));
    assert.ok(!inSubnets('10.1.0.1', nets('10.0.0.0/255.255.0.0')));
    assert.ok(inSubnets('fe80::1', nets('fe80::/10')));
    assert.ok(inSubnets('febf:ffff::1', nets('fe80::/10')));
    assert.ok(!inSubnets('fec0::1', nets('fe80::/10')));
    assert.ok(inSubnets('::1', nets('::1')));
    assert.ok(inSubnets('0:0:0:0:0:0:0:1', nets('::1')));
    assert.ok(!inSubnets('127.0.0.1', nets('::1')), 'families never mix');
    assert.ok(!inSubnets('not-an-ip', nets('10.1')));
  });
});

describe('http2env', () => {
  it('maps header names to environ names and refuses other characters', () => {
    assert.equal(http2env('X-Forwarded-For'), 'HTTP_X_FORWARDED_FOR');
    assert.equal(http2env('x-scheme'), 'HTTP_X_SCHEME');
    assert.equal(http2env('X_Foo'), undefined);
    assert.equal(http2env('X-Foo.bar'), undefined);
  });
});

function env(pairs: Record<string, string>): Map<string, string> {
  return new Map(Object.entries({ REMOTE_ADDR: '127.0.0.1', ...pairs }));
}
const H = (...names: string[]): string[] => names.map((n) => http2env(n) ?? '');

describe('applyTrustedProxyHeaders', () => {
  it('without WSGITrustedProxies takes the first X-Forwarded-For entry and drops the other client headers', () => {
    const e = env({
      HTTP_X_FORWARDED_FOR: ' 1.1.1.1 , 2.2.2.2',
      HTTP_X_REAL_IP: '9.9.9.9',
      HTTP_X_CLIENT_IP: '8.8.8.8',
    });
    applyTrustedProxyHeaders(e, H('X-Forwarded-For'), undefined);
    assert.equal(e.get('REMOTE_ADDR'), '1.1.1.1');
    assert.equal(e.get('HTTP_X_FORWARDED_FOR'), ' 1.1.1.1 , 2.2.2.2', 'left as sent');
    assert.equal(e.has('HTTP_X_REAL_IP'), false);
    assert.equal(e.has('HTTP_X_CLIENT_IP'), false);
  });

  it('with WSGITrustedProxies walks X-Forwarded-For from the right past trusted proxies', () => {
    const proxies = ['127.0.0.1', '10.0.0.0/8'];
    const cases: readonly [string, string, string][] = [
      ['1.1.1.1, 2.2.2.2, 10.0.0.5', '2.2.2.2', '2.2.2.2, 10.0.0.5'],
      ['1.1.1.1,2.2.2.2', '2.2.2.2', '2.2.2.2'],
      ['10.0.0.1, 10.0.0.2', '10.0.0.1', '10.0.0.1, 10.0.0.2'],
      ['1.1.1.1, bogus, 10.0.0.9', 'bogus', 'bogus, 10.0.0.9'],
      ['1.1.1.1,, 10.0.0.9', '', ', 10.0.0.9'],
    ];
    for (const [xff, addr, rewritten] of cases) {
      const e = env({ HTTP_X_FORWARDED_FOR: xff });
      applyTrustedProxyHeaders(e, H('X-Forwarded-For'), proxies);
      assert.equal(e.get('REMOTE_ADDR'), addr, xff);
      assert.equal(e.get('HTTP_X_FORWARDED_FOR'), rewritten, xff);
    }
  });

  it('from an untrusted peer applies nothing and removes every header of a listed category', () => {
    const e = env({
      REMOTE_ADDR: '192.168.1.1',
      HTTP_X_FORWARDED_FOR: '1.1.1.1',
      HTTP_X_REAL_IP: '1.1.1.2',
      HTTP_X_FORWARDED_PROTO: 'https',
      HTTP_X_FORWARDED_SSL: 'on',
      HTTP_X_FORWARDED_PORT: '8443',
      HTTP_X_FORWARDED_HOST: 'evil.example',
    });
    applyTrustedProxyHeaders(e, H('X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Port'), [
      '10.0.0.0/8',
    ]);
    assert.equal(e.get('REMOTE_ADDR'), '192.168.1.1');
    for (const k of ['HTTP_X_FORWARDED_FOR', 'HTTP_X_REAL_IP', 'HTTP_X_FORWARDED_PROTO'])
      assert.equal(e.has(k), false, k);
    assert.equal(e.has('HTTP_X_FORWARDED_SSL'), false);
    assert.equal(e.has('HTTPS'), false);
    assert.equal(e.get('HTTP_X_FORWARDED_PORT'), '8443', 'no category: passes through');
    assert.equal(e.has('SERVER_PORT'), false, 'and is not applied');
    assert.equal(e.get('HTTP_X_FORWARDED_HOST'), 'evil.example', 'not listed: untouched');
  });

  it('applies host, server, port, scheme and script name from a trusted peer', () => {
    const e = env({
      SERVER_NAME: 'inner',
      SERVER_PORT: '8080',
      SCRIPT_NAME: '/app',
      HTTP_HOST: 'inner:8080',
      HTTP_X_FORWARDED_HOST: 'www.example.com:443',
      HTTP_X_HOST: 'other',
      HTTP_X_FORWARDED_SERVER: 'www.example.com',
      HTTP_X_FORWARDED_PORT: '443',
      HTTP_X_FORWARDED_PROTO: 'HTTPS',
      HTTP_X_SCHEME: 'http',
      HTTP_X_SCRIPT_NAME: '/public/app',
    });
    applyTrustedProxyHeaders(
      e,
      H(
        'X-Forwarded-Host',
        'X-Forwarded-Server',
        'X-Forwarded-Port',
        'X-Forwarded-Proto',
        'X-Script-Name',
      ),
      undefined,
    );
    assert.equal(e.get('HTTP_HOST'), 'www.example.com:443');
    assert.equal(e.get('SERVER_NAME'), 'www.example.com');
    assert.equal(e.get('SERVER_PORT'), '443');
    assert.equal(e.get('HTTPS'), '1');
    assert.equal(e.get('SCRIPT_NAME'), '/public/app');
    assert.equal(e.get('mod_wsgi.mount_point'), '/public/app');
    assert.equal(e.has('HTTP_X_HOST'), false, 'same category as the trusted host header');
    assert.equal(e.has('HTTP_X_SCHEME'), false, 'same category as the trusted scheme header');
    assert.equal(e.get('HTTP_X_FORWARDED_HOST'), 'www.example.com:443', 'the trusted one stays');
  });

  it('reads the flag-style scheme headers and lets http/off clear HTTPS', () => {
    const on = env({ HTTP_X_FORWARDED_SSL: 'True' });
    applyTrustedProxyHeaders(on, H('X-Forwarded-SSL'), undefined);
    assert.equal(on.get('HTTPS'), '1');
    const off = env({ HTTPS: '1', HTTP_X_FORWARDED_HTTPS: '0' });
    applyTrustedProxyHeaders(off, H('X-Forwarded-HTTPS'), undefined);
    assert.equal(off.has('HTTPS'), false);
    const other = env({ HTTPS: '1', HTTP_X_FORWARDED_PROTO: 'ftp' });
    applyTrustedProxyHeaders(other, H('X-Forwarded-Proto'), undefined);
    assert.equal(other.get('HTTPS'), '1', 'neither http nor https: unchanged');
  });

  it('uses the last listed header present in a category and drops the rest', () => {
    const e = env({ HTTP_X_FORWARDED_FOR: '1.1.1.1', HTTP_X_REAL_IP: '2.2.2.2' });
    applyTrustedProxyHeaders(e, H('X-Forwarded-For', 'X-Real-IP'), undefined);
    assert.equal(e.get('REMOTE_ADDR'), '2.2.2.2');
    assert.equal(e.has('HTTP_X_FORWARDED_FOR'), false);
    assert.equal(e.get('HTTP_X_REAL_IP'), '2.2.2.2');
  });

  it('removes the whole category when the listed header is absent', () => {
    const e = env({ HTTP_X_REAL_IP: '2.2.2.2' });
    applyTrustedProxyHeaders(e, H('X-Forwarded-For'), undefined);
    assert.equal(e.get('REMOTE_ADDR'), '127.0.0.1');
    assert.equal(e.has('HTTP_X_REAL_IP'), false);
  });
});
