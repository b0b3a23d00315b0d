// mod_vhost_alias (httpd modules/mappers/mod_vhost_alias.c): document roots and CGI
// directories from the Host a request names. Each answer below was taken from apache2
// 2.4.71 with the same configuration first (the computed paths in AH00128/AH02811 lines
// were identical): a virtual host's own format beats the main server's.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const ENV_CGI = `#!/bin/sh
echo "Content-Type: text/plain"
echo
echo "DR=$DOCUMENT_ROOT CDR=$CONTEXT_DOCUMENT_ROOT CP=$CONTEXT_PREFIX SN=$SCRIPT_NAME PI=$PATH_INFO"
`;

const get = (host: string, path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

describe('mod_vhost_alias', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule mime_module modules/mod_mime.so
LoadModule cgi_module modules/mod_cgi.so
LoadModule vhost_alias_module modules/mod_vhost_alias.so
ServerName localhost
LogLevel info
UseCanonicalName Off
<Directory @DIR@>
  Require all granted
</Directory>
VirtualDocumentRoot @DIR@/sites/%0
VirtualScriptAlias @DIR@/cgi/%-2+
<VirtualHost *:@PORT@>
  ServerName localhost
</VirtualHost>
<VirtualHost *:@PORT@>
  ServerName second.test
  VirtualDocumentRoot @DIR@/sites/%-2/%p
</VirtualHost>
`,
      {
        'sites/www.example.com/i.txt': 'www site\n',
        'cgi/www.example/env.cgi': ENV_CGI,
      },
    );
    chmodSync(join(h.dir, 'cgi/www.example/env.cgi'), 0o755);
  });
  after(() => h.stop());

  it('serves from the root the whole server name gives (%0), lower-cased', async () => {
    const res = await rawRequest(h.port, get('WWW.Example.COM', '/i.txt'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'www site\n');
  });

  it('runs /cgi-bin/ from VirtualScriptAlias with the per-request document root', async () => {
    const res = await rawRequest(h.port, get('www.example.com', '/cgi-bin/env.cgi/x'));
    assert.equal(res.status, 200);
    assert.equal(
      res.body.toString().trim(),
      `DR=${join(h.dir, 'cgi/www.example')} CDR=${join(h.dir, 'cgi/www.example')} CP=/cgi-bin SN=/cgi-bin/env.cgi PI=/x`,
    );
  });

  it('uses a virtual host’s own format (%-2 and the port the Host names, else 80)', async () => {
    for (const [host, port] of [
      ['second.test:8123', '8123'],
      ['second.test', '80'],
    ] as const) {
      const res = await rawRequest(h.port, get(host, '/i.txt'));
      assert.equal(res.status, 404);
      const want = join(h.dir, `sites/second/${port}/i.txt`);
      assert.ok(
        h.errorLog().some((l) => l.endsWith(`AH00128: File does not exist: ${want}`)),
        h.errorLog().join('\n'),
      );
    }
  });
});
