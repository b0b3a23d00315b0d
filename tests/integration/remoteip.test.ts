// mod_remoteip (httpd modules/metadata/mod_remoteip.c): the client taken from a proxy
// header, and what it changes besides REMOTE_ADDR (tests/differential compares the environ
// and Require ip with Apache): %a against %{c}a in the access log, the error log's
// [client ip:0], the proxies list file, per-virtual-host headers, and the peer check.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { app } from '../support/wsgi.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_host_module modules/mod_authz_host.so
LoadModule alias_module modules/mod_alias.so
LoadModule wsgi_module modules/mod_wsgi.so
LoadModule remoteip_module modules/mod_remoteip.so
LoadModule setenvif_module modules/mod_setenvif.so
ServerName localhost
LogLevel info
DocumentRoot @DIR@/htdocs
LogFormat "%a %{c}a %h \\"%r\\" %>s" rip
CustomLog @DIR@/access.log rip
<Directory @DIR@>
  Require all granted
</Directory>
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxyList proxies.txt
SetEnvIf Remote_Addr ^203\\.0\\.113\\. FROM_DOC_NET=1
WSGIScriptAlias /app @DIR@/dump.wsgi
<Location /denied>
  Require ip 192.0.2.1
</Location>
`;

const get = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;

describe('mod_remoteip', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'dump.wsgi': app('dump.wsgi'),
      'htdocs/a.txt': 'a\n',
      // Read relative to ServerRoot; `#` starts a comment.
      'proxies.txt': '# the local proxy\n127.0.0.1  # loopback\n10.0.0.0/8\n',
    });
  });
  after(() => h.stop());

  it('takes the client from the header through internal proxies, logging %a and %{c}a apart', async () => {
    const res = await rawRequest(
      h.port,
      get('/app/x', 'X-Forwarded-For: 203.0.113.7, 10.1.2.3\r\n'),
    );
    assert.equal(res.status, 200);
    const env = (JSON.parse(res.body.toString()) as { environ: Record<string, string> }).environ;
    assert.equal(env['REMOTE_ADDR'], '203.0.113.7');
    assert.equal(env['HTTP_X_FORWARDED_FOR'], undefined, 'consumed entries leave the header');
    assert.equal(env['FROM_DOC_NET'], '1', 'SetEnvIf Remote_Addr sees the client');
    assert.notEqual(env['REMOTE_PORT'], '0', 'REMOTE_PORT stays the peer port');
    const log = await h.accessLog();
    assert.equal(log.at(-1), '203.0.113.7 127.0.0.1 203.0.113.7 "GET /app/x HTTP/1.1" 200');
  });

  it('names the client with port 0 in the error log', async () => {
    const res = await rawRequest(h.port, get('/denied', 'X-Forwarded-For: 198.51.100.4\r\n'));
    assert.equal(res.status, 403);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /\[client 198\.51\.100\.4:0\] AH01630: client denied by server configuration/.test(l),
        ),
      h.errorLog().join('\n'),
    );
  });

  it('leaves the request alone without the header, or when the entry is no address', async () => {
    const plain = await rawRequest(h.port, get('/a.txt'));
    assert.equal(plain.status, 200);
    const bad = await rawRequest(h.port, get('/app/y', 'X-Forwarded-For: 203.0.113.9, junk\r\n'));
    const env = (JSON.parse(bad.body.toString()) as { environ: Record<string, string> }).environ;
    assert.equal(env['REMOTE_ADDR'], '127.0.0.1');
    assert.equal(env['HTTP_X_FORWARDED_FOR'], '203.0.113.9, junk');
  });
});

describe('mod_remoteip: a peer that is not a listed proxy', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${CONF.replace('RemoteIPInternalProxyList proxies.txt', 'RemoteIPTrustedProxy 192.0.2.0/24')}`,
      { 'dump.wsgi': app('dump.wsgi'), 'htdocs/a.txt': 'a\n', 'proxies.txt': '' },
    );
  });
  after(() => h.stop());

  it('is not believed: the header is ignored and stays', async () => {
    const res = await rawRequest(h.port, get('/app/x', 'X-Forwarded-For: 203.0.113.7\r\n'));
    const env = (JSON.parse(res.body.toString()) as { environ: Record<string, string> }).environ;
    assert.equal(env['REMOTE_ADDR'], '127.0.0.1');
    assert.equal(env['HTTP_X_FORWARDED_FOR'], '203.0.113.7');
  });
});
