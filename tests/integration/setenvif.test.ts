// mod_setenvif (httpd modules/metadata/mod_setenvif.c) and the `nokeepalive` variable
// (ap_set_keepalive): the environment decides whether the connection stays open. What
// the WSGI app sees is compared with Apache in tests/differential.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule setenvif_module modules/mod_setenvif.so
LoadModule env_module modules/mod_env.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
BrowserMatch "^OldAgent/2" nokeepalive
<Directory @DIR@/htdocs/legacy>
  SetEnv nokeepalive
</Directory>
`;

const get = (path: string, agent: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${agent}\r\n\r\n`;

describe('mod_setenvif and nokeepalive', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'htdocs/page.txt': 'page\n',
      'htdocs/legacy/page.txt': 'legacy\n',
    });
  });
  after(() => h.stop());

  it('keeps a persistent connection for other agents', async () => {
    const conn = await RawConnection.open(h.port);
    try {
      conn.send(get('/page.txt', 'NewAgent/1'));
      const res = await conn.read();
      assert.equal(res.status, 200);
      assert.equal(res.headers['connection'], undefined);
      conn.send(get('/page.txt', 'NewAgent/1'));
      assert.equal((await conn.read()).body.toString(), 'page\n');
    } finally {
      conn.close();
    }
  });

  it('closes after the response when BrowserMatch set nokeepalive', async () => {
    const conn = await RawConnection.open(h.port);
    conn.send(get('/page.txt', 'OldAgent/2.0'));
    const res = await conn.read();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'page\n');
    assert.equal(res.headers['connection'], 'close');
    await conn.closed;
  });

  it('closes after an error page too, and for SetEnv nokeepalive', async () => {
    const missing = await RawConnection.open(h.port);
    missing.send(get('/nothing-here', 'OldAgent/2.0'));
    const r404 = await missing.read();
    assert.equal(r404.status, 404);
    assert.equal(r404.headers['connection'], 'close');
    await missing.closed;
    const legacy = await RawConnection.open(h.port);
    legacy.send(get('/legacy/page.txt', 'NewAgent/1'));
    const r = await legacy.read();
    assert.equal(r.body.toString(), 'legacy\n');
    assert.equal(r.headers['connection'], 'close');
    await legacy.closed;
  });
});
