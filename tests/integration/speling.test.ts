// mod_speling (httpd modules/mappers/mod_speling.c): the 301/300 answers are differential
// cases against Apache; here the log lines (with and without a Referer), CheckCaseOnly,
// CheckBasenameMatch Off, and a section that sets one of the flags replacing all three
// (mod_speling has no merge function: the others go back to their defaults).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const get = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;

describe('mod_speling', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule speling_module modules/mod_speling.so
ServerName localhost
LogLevel info
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
  CheckSpelling On
</Directory>
<Directory @DIR@/htdocs/caseonly>
  CheckSpelling On
  CheckCaseOnly On
</Directory>
<Directory @DIR@/htdocs/nobase>
  CheckBasenameMatch Off
</Directory>
`,
      {
        'htdocs/Page.html': 'page\n',
        'htdocs/caseonly/Page.html': 'page\n',
        'htdocs/nobase/Page.html': 'page\n',
      },
    );
  });
  after(() => h.stop());

  it('redirects a miscapitalized name and logs it with the referring page (AH03224)', async () => {
    const res = await rawRequest(h.port, get('/page.html', 'Referer: http://elsewhere/x\r\n'));
    assert.equal(res.status, 301);
    // Host names no port: ap_construct_url leaves the default one out.
    assert.equal(res.headers['location'], 'http://localhost/Page.html');
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          l.endsWith('AH03224: Fixed spelling: /page.html to /Page.html from http://elsewhere/x'),
        ),
      h.errorLog().join('\n'),
    );
  });

  it('leaves a typo alone under CheckCaseOnly, but still fixes the case', async () => {
    assert.equal((await rawRequest(h.port, get('/caseonly/Pgae.html'))).status, 404);
    assert.equal((await rawRequest(h.port, get('/caseonly/PAGE.html'))).status, 301);
  });

  it('is off in a section that sets only CheckBasenameMatch (no merge: defaults return)', async () => {
    assert.equal((await rawRequest(h.port, get('/nobase/page.html'))).status, 404);
  });

  it('does not answer other methods than GET', async () => {
    const res = await rawRequest(
      h.port,
      'POST /page.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.status, 404);
  });
});
