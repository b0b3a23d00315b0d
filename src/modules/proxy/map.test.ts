import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyPassEntry } from './config.js';
import {
  canonPath,
  canonUrl,
  cookieReverseMap,
  connectionTokens,
  hasCtlOrSpace,
  mergeHeader,
  requestHeadersForBackend,
  responseHeadersForClient,
  reverseMap,
  transMatch,
} from './map.js';

const entry = (fake: string, real: string, more: Partial<ProxyPassEntry> = {}): ProxyPassEntry => ({
  fake,
  real,
  regex: false,
  nocanon: false,
  noquery: false,
  worker: undefined,
  origin: { file: 'x', line: 1 },
  ...more,
});

describe('transMatch (ap_proxy_trans_match)', () => {
  it('appends the path remainder to the target', () => {
    assert.deepEqual(transMatch(entry('/p/', 'http://b/x/'), '/p/a/b', '/p/a/b'), {
      url: 'http://b/x/a/b',
    });
  });
  it('matches whole segments only and merges repeated slashes', () => {
    assert.equal(transMatch(entry('/app', 'http://b/'), '/application', '/application'), undefined);
    assert.deepEqual(transMatch(entry('/app', 'http://b'), '/app', '/app'), { url: 'http://b' });
    assert.deepEqual(transMatch(entry('/a/b', 'http://b/c'), '//a//b/d', '//a//b/d'), {
      url: 'http://b/c/d',
    });
  });
  it('does not match a URI shorter than a prefix that ends in a slash', () => {
    assert.equal(transMatch(entry('/p/', 'http://b/'), '/p', '/p'), undefined);
  });
  it('reports a ! exclusion', () => {
    assert.deepEqual(transMatch(entry('/p/ex', '!'), '/p/ex/1', '/p/ex/1'), { excluded: true });
    assert.deepEqual(transMatch(entry('^/x', '!', { regex: true }), '/x', '/x'), {
      excluded: true,
    });
  });
  it('substitutes ProxyPassMatch captures, or appends the URI when there are none', () => {
    const m = entry('^/m/(\\w+)\\.json$', 'http://b/j/$1', { regex: true });
    assert.deepEqual(transMatch(m, '/m/abc.json', '/m/abc.json'), { url: 'http://b/j/abc' });
    assert.equal(transMatch(m, '/m/a-b.json', '/m/a-b.json'), undefined);
    const gif = entry('\\.gif$', 'http://b', { regex: true });
    assert.deepEqual(transMatch(gif, '/i/x.gif', '/i/x.gif'), { url: 'http://b/i/x.gif' });
  });
  it('uses the raw request URI with nocanon', () => {
    const e = entry('/p/', 'http://b/', { nocanon: true });
    assert.deepEqual(transMatch(e, '/p/a b', '/p/a%20b?q=1'), { url: 'http://b/a%20b?q=1' });
  });
});

describe('canonPath (ap_proxy_canonenc, enc_path)', () => {
  it('keeps unreserved and sub-delim characters and slashes', () => {
    assert.equal(canonPath("a/b~$-_.+!*'(),;:@&=/c"), "a/b~$-_.+!*'(),;:@&=/c");
  });
  it('encodes space, %, ?, #, quotes and non-ASCII as upper-case %XX of UTF-8', () => {
    assert.equal(canonPath('a b%c?d#e"é'), 'a%20b%25c%3Fd%23e%22%C3%A9');
  });
});

describe('canonUrl (proxy_http_canon)', () => {
  it('builds the canonical URL and the request-line target with the query string', () => {
    const c = canonUrl('http://B:8080/x y', 'q=1', false);
    assert.ok(!('status' in c));
    assert.equal(c.url, 'http://B:8080/x%20y?q=1');
    assert.deepEqual(c.target, { host: 'B', port: 8080, path: '/x%20y?q=1' });
  });
  it('drops the default port and brackets an IPv6 host', () => {
    const c = canonUrl('http://[::1]:80/a', '', false);
    assert.ok(!('status' in c));
    assert.equal(c.url, 'http://[::1]/a');
    assert.equal(c.target.host, '::1');
  });
  it('keeps a nocanon path as is and refuses one with spaces (AH10415)', () => {
    const ok = canonUrl('http://b/a%2Fb?x=1', 'ignored', true);
    assert.ok(!('status' in ok));
    assert.equal(ok.target.path, '/a%2Fb?x=1');
    assert.deepEqual(canonUrl('http://b/a b', '', true), {
      status: 403,
      id: 'AH10415',
      message: 'To be forwarded path contains control characters or spaces',
    });
  });
  it('refuses a query string with a control character (AH10408)', () => {
    const c = canonUrl('http://b/a', 'x=\u0001', false);
    assert.ok('status' in c);
    assert.equal(c.id, 'AH10408');
  });
  it('answers 400 to a URL without a host or with a bad port', () => {
    assert.equal((canonUrl('http:///a', '', false) as { status: number }).status, 400);
    assert.equal((canonUrl('http://b:99999/a', '', false) as { status: number }).status, 400);
  });
});

describe('hop-by-hop headers', () => {
  it('removes the fixed hop-by-hop request fields and those Connection names (Expect is decided later)', () => {
    const raw = [
      'Host',
      'front',
      'Connection',
      'keep-alive, X-Foo',
      'X-Foo',
      '1',
      'TE',
      'trailers',
      'Keep-Alive',
      '300',
      'Upgrade',
      'h2c',
      'Proxy-Connection',
      'x',
      'Trailer',
      'a',
      'Expect',
      '100-continue',
      'Content-Length',
      '3',
      'Transfer-Encoding',
      'chunked',
      'X-Keep',
      'k',
      'Via',
      '1.0 p',
    ];
    assert.deepEqual(requestHeadersForBackend(raw), [
      ['Expect', '100-continue'],
      ['X-Keep', 'k'],
      ['Via', '1.0 p'],
    ]);
  });
  it('removes hop-by-hop response fields but keeps Content-Length', () => {
    const raw = [
      'Connection',
      'X-Private, close',
      'X-Private',
      's',
      'Keep-Alive',
      't',
      'Transfer-Encoding',
      'chunked',
      'Content-Length',
      '3',
      'Server',
      'b',
    ];
    assert.deepEqual(responseHeadersForClient(raw), [
      ['Content-Length', '3'],
      ['Server', 'b'],
    ]);
  });
  it('reads Connection tokens case-insensitively, ignoring close and blanks', () => {
    assert.deepEqual([...connectionTokens(['Close, X-A,, x-b ', 'X-C'])], ['x-a', 'x-b', 'x-c']);
  });
  it('merges a value into an existing field or appends the field (apr_table_mergen)', () => {
    const h: [string, string][] = [['x-forwarded-for', '1.2.3.4']];
    mergeHeader(h, 'X-Forwarded-For', '127.0.0.1');
    mergeHeader(h, 'X-Forwarded-Server', 'localhost');
    assert.deepEqual(h, [
      ['x-forwarded-for', '1.2.3.4, 127.0.0.1'],
      ['X-Forwarded-Server', 'localhost'],
    ]);
  });
  it('detects control characters and spaces', () => {
    assert.equal(hasCtlOrSpace('a=b&c'), false);
    assert.equal(hasCtlOrSpace('a b'), true);
    assert.equal(hasCtlOrSpace('a\u007f'), true);
  });
});

describe('reverseMap (ap_proxy_location_reverse_map)', () => {
  const construct = (p: string): string => `http://front:8080${p}`;
  const entries = [
    { fake: '/p/', real: 'http://b:81/x/' },
    { fake: '/q', real: '/internal' },
  ];
  it('maps a backend URL back onto the local path, made absolute', () => {
    assert.equal(
      reverseMap(entries, 'http://b:81/x/y?z=1', construct),
      'http://front:8080/p/y?z=1',
    );
  });
  it('compares case-insensitively', () => {
    assert.equal(reverseMap(entries, 'HTTP://B:81/x/y', construct), 'http://front:8080/p/y');
  });
  it('matches a path-only target against the path of any absolute URL', () => {
    assert.equal(
      reverseMap(entries, 'http://other/internal/a', construct),
      'http://front:8080/q/a',
    );
    assert.equal(reverseMap(entries, '/internal/b', construct), 'http://front:8080/q/b');
  });
  it('leaves URLs that match no entry alone', () => {
    assert.equal(reverseMap(entries, 'http://elsewhere/x/', construct), 'http://elsewhere/x/');
  });
  it('keeps an absolute fake URL as it is', () => {
    const abs = [{ fake: 'https://pub.example/', real: 'http://b/' }];
    assert.equal(reverseMap(abs, 'http://b/a', construct), 'https://pub.example/a');
  });
});

describe('cookieReverseMap (ap_proxy_cookie_reverse_map)', () => {
  const paths = [{ fake: '/back/', real: '/front/' }];
  const domains = [{ fake: 'backend.internal', real: 'public.example' }];
  it('replaces the whole path value when it starts with the backend prefix', () => {
    assert.equal(
      cookieReverseMap('a=1; Path=/back/x; Secure', paths, []),
      'a=1; Path=/front/; Secure',
    );
  });
  it('replaces the domain case-insensitively, and both attributes in either order', () => {
    assert.equal(
      cookieReverseMap('a=1; Domain=Backend.Internal; path=/back/', paths, domains),
      'a=1; Domain=public.example; path=/front/',
    );
    assert.equal(
      cookieReverseMap('a=1;path=/back/y;domain=backend.internal', paths, domains),
      'a=1;path=/front/;domain=public.example',
    );
  });
  it('leaves values that match nothing alone', () => {
    assert.equal(cookieReverseMap('a=1; path=/other', paths, domains), 'a=1; path=/other');
  });
});
