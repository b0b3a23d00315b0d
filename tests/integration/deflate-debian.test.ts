// Debian's stock mods-available/deflate.conf (AddOutputFilterByType DEFLATE … inside
// <IfModule mod_filter.c>), loaded as apache2.conf loads it: filter and deflate first.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const DEBIAN = '/etc/apache2/mods-available';
const skip = existsSync(`${DEBIAN}/deflate.conf`) ? false : 'Debian apache2 is not installed';

const CONF = `
Include ${DEBIAN}/filter.load
Include ${DEBIAN}/deflate.load
Include ${DEBIAN}/mime.load
LoadModule authz_core_module modules/mod_authz_core.so
TypesConfig /etc/mime.types
Include ${DEBIAN}/deflate.conf
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
`;

describe("Debian's deflate.conf", { skip }, () => {
  let h: Harness;
  const css = `body { color: red; }\n`.repeat(20);
  before(async () => {
    h = await startServer(CONF, { 'htdocs/site.css': css, 'htdocs/data.bin': 'b'.repeat(500) });
  });
  after(() => h.stop());

  it('compresses a type it lists (text/css)', async () => {
    const res = await rawRequest(
      h.port,
      'GET /site.css HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['vary'], 'Accept-Encoding');
    assert.equal(gunzipSync(res.body).toString(), css);
  });

  it('leaves a type it does not list alone', async () => {
    const res = await rawRequest(
      h.port,
      'GET /data.bin HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.body.toString(), 'b'.repeat(500));
  });
});
