// Name-based virtual hosts: the Host header picks among the <VirtualHost>s of the
// listener's address; the first one is the default (httpd: server/vhost.c).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
ServerName main.example
DocumentRoot @DIR@/main
LogFormat "%v %h \\"%r\\" %>s" vhostlog
<VirtualHost *:@PORT@>
  ServerName first.example
  DocumentRoot @DIR@/first
  CustomLog @DIR@/first.log vhostlog
</VirtualHost>
<VirtualHost *:@PORT@>
  ServerName second.example
  ServerAlias *.second.example alt.example
  DocumentRoot @DIR@/second
</VirtualHost>
`;

const FILES = {
  'main/who.txt': 'main\n',
  'first/who.txt': 'first\n',
  'second/who.txt': 'second\n',
};

const get = (host: string | undefined): string =>
  `GET /who.txt HTTP/1.1\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`;

describe('virtual host selection', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, FILES);
  });
  after(() => h.stop());

  it('selects a vhost by ServerName, case-insensitively and ignoring the port', async () => {
    assert.equal(
      (await rawRequest(h.port, get('SECOND.example:1234'))).body.toString(),
      'second\n',
    );
    assert.equal((await rawRequest(h.port, get('first.example'))).body.toString(), 'first\n');
  });

  it('selects a vhost by ServerAlias, wildcards included', async () => {
    assert.equal((await rawRequest(h.port, get('alt.example'))).body.toString(), 'second\n');
    assert.equal((await rawRequest(h.port, get('www.second.example'))).body.toString(), 'second\n');
  });

  it('lets an absolute-form request-target name the vhost over the Host header (Apache too)', async () => {
    const res = await rawRequest(
      h.port,
      'GET http://second.example/who.txt HTTP/1.1\r\nHost: first.example\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.body.toString(), 'second\n');
    // Another scheme does not name this server's host: the Host header decides.
    const other = await rawRequest(
      h.port,
      'GET https://second.example/who.txt HTTP/1.1\r\nHost: first.example\r\nConnection: close\r\n\r\n',
    );
    assert.equal(other.body.toString(), 'first\n');
  });

  it('falls back to the first vhost for unknown names, and for HTTP/1.0 without Host', async () => {
    assert.equal((await rawRequest(h.port, get('unknown.example'))).body.toString(), 'first\n');
    const res = await rawRequest(h.port, 'GET /who.txt HTTP/1.0\r\n\r\n');
    assert.equal(res.body.toString(), 'first\n');
  });

  it('never serves the main server once vhosts cover the address', async () => {
    assert.equal((await rawRequest(h.port, get('main.example'))).body.toString(), 'first\n');
  });

  it("writes the vhost's own CustomLog with %v", async () => {
    await rawRequest(h.port, get('first.example'));
    const lines = await h.accessLog(1, `${h.dir}/first.log`);
    assert.ok(
      lines.every((l) => /^first\.example 127\.0\.0\.1 "GET \S*\/who\.txt HTTP\/1\./.test(l)),
      lines.join('\n'),
    );
  });
});
