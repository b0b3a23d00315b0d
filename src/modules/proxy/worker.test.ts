import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  atoi,
  findWorker,
  newWorker,
  parseBackendUrl,
  parseTimeoutParam,
  setWorkerParam,
  workerName,
} from './worker.js';

const mk = (url: string, match = false) => newWorker(url, parseBackendUrl(url), match);

describe('parseBackendUrl', () => {
  it('parses host, port (default 80) and path', () => {
    assert.deepEqual(parseBackendUrl('http://B:8080/x?y'), {
      scheme: 'http',
      host: 'B',
      port: 8080,
      path: '/x?y',
    });
    assert.equal(parseBackendUrl('http://[::1]/').host, '::1');
    assert.equal(parseBackendUrl('HTTP://b').port, 80);
  });
  it("refuses relative URLs with httpd's text", () => {
    assert.throws(() => parseBackendUrl('/x'), { message: 'URL must be absolute!: /x' });
    assert.throws(() => parseBackendUrl('http:/'), { message: 'URL must be absolute!: http:/' });
    assert.throws(() => parseBackendUrl('http://:80/'), /URL must be absolute/);
  });
  it('refuses other schemes naming the module they would need', () => {
    assert.throws(() => parseBackendUrl('ws://b/'), /scheme 'ws' needs mod_proxy_wstunnel/);
    assert.throws(() => parseBackendUrl('gopher://b/'), /scheme 'gopher' needs a proxy module/);
    assert.throws(() => parseBackendUrl('unix:/run/s.sock|http://x/'), /scheme 'unix'/);
  });
  it('refuses an out-of-range port', () => {
    assert.throws(() => parseBackendUrl('http://b:70000/'), /Unable to parse URL/);
  });
});

describe('worker parameters (set_worker_param)', () => {
  it('sets the supported parameters', () => {
    const w = mk('http://b/');
    setWorkerParam(w, 'Timeout', '5');
    setWorkerParam(w, 'connectiontimeout', '250ms');
    setWorkerParam(w, 'retry', '0');
    setWorkerParam(w, 'keepalive', 'On');
    setWorkerParam(w, 'disablereuse', 'on');
    assert.equal(w.timeoutMs, 5000);
    assert.equal(w.connectTimeoutMs, 250);
    assert.equal(w.retrySec, 0);
    assert.equal(w.keepalive, true);
    assert.equal(w.disableReuse, true);
    setWorkerParam(w, 'enablereuse', 'on');
    assert.equal(w.disableReuse, false);
  });
  it("refuses bad values with httpd's text", () => {
    const w = mk('http://b/');
    assert.throws(() => setWorkerParam(w, 'timeout', 'x'), {
      message: 'Timeout must be at least one second',
    });
    assert.throws(() => setWorkerParam(w, 'enablereuse', 'x'), {
      message: 'EnableReuse must be On|Off',
    });
    assert.throws(() => setWorkerParam(w, 'frob', '1'), { message: 'unknown Worker parameter' });
    assert.throws(() => setWorkerParam(w, 'smax', '1'), /'smax' is not supported by tswsgi/);
  });
  it('parses timeouts with units', () => {
    assert.equal(parseTimeoutParam('2'), 2000);
    assert.equal(parseTimeoutParam('2s'), 2000);
    assert.equal(parseTimeoutParam('3mi'), 180_000);
    assert.equal(parseTimeoutParam('1h'), 3_600_000);
    assert.equal(parseTimeoutParam('1.5'), undefined);
  });
  it('reads numbers as atoi does', () => {
    assert.equal(atoi(' 12abc'), 12);
    assert.equal(atoi('-3'), -3);
    assert.equal(atoi('x'), 0);
  });
});

describe('findWorker (ap_proxy_get_worker_ex)', () => {
  const base = mk('http://B/app/');
  const deeper = mk('http://b/app/v2/');
  const match = mk('http://b/m/$1', true);
  const workers = [base, deeper, match];
  it('lower-cases scheme and host in the name only', () => {
    assert.equal(workerName('HTTP://Host:81/Path'), 'http://host:81/Path');
  });
  it('picks the longest prefix', () => {
    assert.equal(findWorker(workers, 'http://b/app/v2/x'), deeper);
    assert.equal(findWorker(workers, 'http://B/app/x'), base);
    assert.equal(findWorker(workers, 'http://b/other'), undefined);
  });
  it('matches $N of a ProxyPassMatch worker as a wildcard, only when asked', () => {
    assert.equal(findWorker(workers, 'http://b/m/abc'), match);
    assert.equal(findWorker(workers, 'http://b/m/abc', { prefix: true, match: false }), undefined);
    assert.equal(findWorker(workers, 'http://b/app/x', { prefix: false, match: true }), undefined);
  });
  it('disables reuse by default for a match worker with a substitution', () => {
    assert.equal(match.disableReuse, true);
    assert.equal(mk('http://b/fixed', true).disableReuse, undefined);
  });
});
