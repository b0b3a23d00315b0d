// ap_get_server_name / ap_get_server_port under UseCanonicalName On | Off | DNS, on
// records built from real httpd.conf text (no sockets; the local port is 8080).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promises as dns } from 'node:dns';
import { primeCanonicalName, serverNameOf, serverPortOf, splitServerName } from './server-name.js';
import { loadConfig } from '../config/load.js';
import { MODULES } from '../modules/index.js';
import { fakeRequest, generation } from '../../tests/support/record.js';

async function requestFor(conf: string, host?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'server-name-'));
  try {
    writeFileSync(join(dir, 'httpd.conf'), conf);
    const ir = loadConfig({ file: join(dir, 'httpd.conf'), serverRoot: dir, modules: MODULES });
    const { gen } = await generation(ir, MODULES);
    return fakeRequest(gen, { headers: host === undefined ? [] : [['Host', host]] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('splitServerName', () => {
  it('splits host and port, dropping a scheme', () => {
    assert.deepEqual(splitServerName('www.example.test:8081'), {
      host: 'www.example.test',
      port: 8081,
    });
    assert.deepEqual(splitServerName('https://secure.test:8443'), {
      host: 'secure.test',
      port: 8443,
    });
    assert.deepEqual(splitServerName('[::1]:81'), { host: '[::1]', port: 81 });
    assert.deepEqual(splitServerName('plain.test'), { host: 'plain.test', port: undefined });
  });
  it('keeps an unparsable name whole, and nothing for no ServerName', () => {
    assert.deepEqual(splitServerName('a:b'), { host: 'a:b', port: undefined });
    assert.deepEqual(splitServerName(undefined), { host: undefined, port: undefined });
  });
});

describe('UseCanonicalName', () => {
  it('On: ServerName and its port, whatever the Host header says', async () => {
    const r = await requestFor(
      'ServerName www.example.test:8081\nUseCanonicalName On\n',
      'other.test:9090',
    );
    assert.equal(serverNameOf(r), 'www.example.test');
    assert.equal(serverPortOf(r), 8081);
  });

  it('On without a port in ServerName: 80, not the local port nor the Host port', async () => {
    // Apache 2.4.71, checked live: SERVER_PORT=80 and `Location: http://name/d/` on a
    // listener at another port (ap_get_server_port falls back to ap_default_port).
    const r = await requestFor('ServerName www.example.test\nUseCanonicalName On\n', 'h:9090');
    assert.equal(serverPortOf(r), 80);
  });

  it('On without ServerName: the local address', async () => {
    const r = await requestFor('UseCanonicalName On\n', 'h.test');
    assert.equal(serverNameOf(r), '127.0.0.1');
  });

  it('Off (the default): the Host header name and port, else ServerName port, else 80', async () => {
    const withPort = await requestFor('ServerName www.example.test:8081\n', 'Alt.Test:9090');
    assert.equal(serverNameOf(withPort), 'alt.test');
    assert.equal(serverPortOf(withPort), 9090);
    const noHostPort = await requestFor('ServerName www.example.test:8081\n', 'alt.test');
    assert.equal(serverPortOf(noHostPort), 8081);
    const neither = await requestFor('ServerName www.example.test\n', 'alt.test');
    assert.equal(serverPortOf(neither), 80);
    const noHost = await requestFor('ServerName www.example.test\n');
    assert.equal(serverNameOf(noHost), 'www.example.test', 'no Host header: ServerName');
  });

  it('DNS: the port comes from the Host header as under Off', async () => {
    const r = await requestFor(
      'ServerName www.example.test:8081\nUseCanonicalName DNS\n',
      'alt.test:9191',
    );
    assert.equal(serverPortOf(r), 9191);
  });

  it('DNS: names the server by the reverse lookup of the local address, lower-cased', async () => {
    // httpd 2.4.71, ServerName canon.example:8888, UseCanonicalName DNS, on 127.0.0.1:
    // GET /x with Host foo.test redirects to http://localhost:8888/x/.
    const r = await requestFor(
      'ServerName www.example.test:8081\nUseCanonicalName DNS\n',
      'alt.test:9191',
    );
    const asked: string[] = [];
    await primeCanonicalName(r, (addr, port) => {
      asked.push(`${addr}:${port}`);
      return Promise.resolve('Host.Example.TEST');
    });
    assert.deepEqual(asked, ['127.0.0.1:8080']);
    assert.equal(serverNameOf(r), 'host.example.test');
    // cached for the generation: a second prime does not ask again
    await primeCanonicalName(r, () => Promise.reject(new Error('asked twice')));
    assert.equal(serverNameOf(r), 'host.example.test');
  });

  it('DNS: answers ServerName when the lookup fails, and until it has answered', async () => {
    const failed = await requestFor('ServerName www.example.test\nUseCanonicalName DNS\n');
    await primeCanonicalName(failed, () => Promise.reject(new Error('EAI_NONAME')));
    assert.equal(serverNameOf(failed), 'www.example.test');

    const fresh = await requestFor('ServerName www.example.test\nUseCanonicalName DNS\n');
    let answer: (name: string) => void = () => undefined;
    const slow = primeCanonicalName(fresh, () => new Promise<string>((res) => (answer = res)));
    assert.equal(serverNameOf(fresh), 'www.example.test', 'not resolved yet: ServerName');
    answer('late.test');
    await slow;
    assert.equal(serverNameOf(fresh), 'late.test');
  });

  it('DNS: the default lookup is getnameinfo (dns.lookupService) of the local address', async () => {
    const r = await requestFor('ServerName www.example.test\nUseCanonicalName DNS\n');
    await primeCanonicalName(r);
    const want = await dns.lookupService('127.0.0.1', 8080).then(
      (x) => x.hostname.toLowerCase(),
      () => 'www.example.test',
    );
    assert.equal(serverNameOf(r), want);
  });
});
