// mod_userdir (httpd modules/mappers/mod_userdir.c): the home-directory form, enabled and
// disabled users, per-virtual-host lists. The '*' and redirect forms are differential
// cases against Apache (tests/differential).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const get = (path: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

describe('mod_userdir', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule userdir_module modules/mod_userdir.so
ServerName localhost
LogLevel info
DocumentRoot @DIR@/htdocs
<Directory />
  Require all granted
</Directory>
UserDir @DIR@/users/* no-such-dir
UserDir disabled
UserDir enabled nobody alice
`,
      { 'htdocs/a.txt': 'a\n', 'users/alice/f.txt': 'alice file\n' },
    );
  });
  after(() => h.stop());

  it('serves from the first UserDir that exists for an enabled user', async () => {
    const res = await rawRequest(h.port, get('/~alice/f.txt'));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'alice file\n');
  });

  it('uses the home directory from /etc/passwd for a relative UserDir', async () => {
    // nobody has no users/ directory, and its home is /nonexistent: the last candidate,
    // home + no-such-dir, is taken although it does not exist either.
    const res = await rawRequest(h.port, get('/~nobody/x'));
    assert.equal(res.status, 404);
    assert.ok(
      h
        .errorLog()
        .some((l) => /AH00128: File does not exist: \/nonexistent\/no-such-dir\/x$/.test(l)),
      h.errorLog().join('\n'),
    );
  });

  it('leaves users that are not enabled under UserDir disabled to the document root', async () => {
    const res = await rawRequest(h.port, get('/~bob/x'));
    assert.equal(res.status, 404);
    assert.ok(
      h.errorLog().some((l) => /AH00128: File does not exist: .*\/htdocs\/~bob\/x$/.test(l)),
    );
  });

  it('declines /~ without a name, and . or ..', async () => {
    for (const p of ['/~/a.txt', '/~./a.txt', '/~../a.txt']) {
      const res = await rawRequest(h.port, get(p));
      assert.equal(res.status, 404, p);
    }
  });
});
