// mod_authz_host's name-based providers (httpd modules/aaa/mod_authz_host.c): `Require
// host` by the client's double-reverse name, `Require forward-dns` by resolving the listed
// names; comments in the line, and names that do not resolve. Allow/deny outcomes for
// localhost are compared with Apache in tests/differential.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { config, fakeRequest, generation, server } from '../support/record.js';
import { authzHostModule } from '../../src/modules/authz-host/index.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_host_module modules/mod_authz_host.so
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<Directory @DIR@/htdocs/comment>
  Require host localhost # add example.com later
</Directory>
<Directory @DIR@/htdocs/onlycomment>
  Require host #nothing
</Directory>
<Directory @DIR@/htdocs/fwdbad>
  Require forward-dns bad..name
</Directory>
<Directory @DIR@/htdocs/fwdcomment>
  Require forward-dns localhost#later
</Directory>
`;

const get = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

describe('Require host and Require forward-dns', () => {
  let h: Harness;
  before(async () => {
    const files: Record<string, string> = {};
    for (const d of ['comment', 'onlycomment', 'fwdbad', 'fwdcomment'])
      files[`htdocs/${d}/x.txt`] = `${d}\n`;
    h = await startServer(CONF, files);
  });
  after(() => h.stop());

  it('ignores a # comment in the line with a warning (AH10121) and still matches', async () => {
    const res = await rawRequest(h.port, get('/comment/x.txt'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'comment\n');
    assert.match(
      h.errorLog().join('\n'),
      /\[authz_host:warn\] .*AH10121: authz_host authorize: ignoring comment in 'Require host localhost # add example\.com later'/,
    );
  });

  it('refuses a line that is only a comment (AH10120)', async () => {
    const res = await rawRequest(h.port, get('/onlycomment/x.txt'));
    assert.equal(res.status, 403);
    assert.match(
      h.errorLog().join('\n'),
      /\[authz_host:error\] .*AH10120: authz_host authorize: dubious empty 'Require host #nothing' with only comment/,
    );
  });

  it('refuses a forward-dns name that does not resolve, and says so (AH03356)', async () => {
    const res = await rawRequest(h.port, get('/fwdbad/x.txt'));
    assert.equal(res.status, 403);
    assert.match(
      h.errorLog().join('\n'),
      /\[authz_host:warn\] .*AH03356: No sockaddr info for "bad\.\.name"/,
    );
  });

  it('stops a forward-dns name at #', async () => {
    const res = await rawRequest(h.port, get('/fwdcomment/x.txt'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'fwdcomment\n');
  });
});

describe('Require host for a client without a verified name', () => {
  it('denies and logs AH01753', async () => {
    const { gen, log } = await generation(config(server()), [authzHostModule]);
    try {
      // 192.0.2.1 (TEST-NET-1) has no reverse name.
      const r = fakeRequest(gen, { target: '/p', remote: { addr: '192.0.2.1', port: 4000 } });
      const host = authzHostModule.authzProviders?.['host'];
      assert.ok(host);
      assert.equal(await host.check(r, ['example.com'], undefined), 'denied');
      assert.match(
        log.lines.join('\n'),
        /AH01753: access check of 'example\.com' to \/p failed, reason: unable to get the remote host name/,
      );
    } finally {
      await gen.dispose();
    }
  });
});
