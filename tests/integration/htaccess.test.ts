// .htaccess files are not read yet (docs/differences.md). Ignoring one would serve what it
// protects, so where httpd would read one that exists the request fails closed with 500 and
// a log line naming the file (httpd answers 500 to an .htaccess it cannot parse, too).
// Under AllowOverride None, or with no file, nothing changes.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  AllowOverride None
  Require all granted
</Directory>
<Directory @DIR@/htdocs/open>
  AllowOverride AuthConfig
</Directory>
<Directory @DIR@/htdocs/open/closed>
  AllowOverride None
</Directory>
`;

const get = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

describe('.htaccess files (not read yet)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'htdocs/plain.txt': 'plain\n',
      'htdocs/.htaccess': 'Require all denied\n',
      'htdocs/open/private.txt': 'secret\n',
      'htdocs/open/.htaccess': 'Require all denied\n',
      'htdocs/open/closed/inner.txt': 'inner\n',
      'htdocs/elsewhere/.keep': '',
    });
  });
  after(() => h.stop());

  it('refuses with 500, never serving the file, where AllowOverride would read one', async () => {
    const res = await rawRequest(h.port, get('/open/private.txt'));
    assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error');
    assert.doesNotMatch(res.body.toString(), /secret/);
    const line = h.errorLog().find((l) => l.includes('MW00304'));
    assert.ok(line, h.errorLog().join('\n'));
    assert.match(
      line,
      /\[core:error\] .*MW00304: \S*\/htdocs\/open\/\.htaccess: \.htaccess files are not supported yet/,
    );
  });

  it('still refuses below it where a deeper AllowOverride None applies (the parent file is read)', async () => {
    const res = await rawRequest(h.port, get('/open/closed/inner.txt'));
    assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error');
  });

  it('serves as before where AllowOverride is None, even with a file there', async () => {
    const res = await rawRequest(h.port, get('/plain.txt'));
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'plain\n');
  });
});
