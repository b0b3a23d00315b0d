// <Limit>/<LimitExcept> (httpd core.c ap_limit_section; mod_authz_core's section->limited;
// mod_access_compat's per-method order and entries). The table was answered by apache2 2.4
// for the same sections first (static files: DELETE on a file is 405 once access passes).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule access_compat_module modules/mod_access_compat.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
  AllowOverride AuthConfig
</Directory>
<Directory @DIR@/htdocs/anyexcept>
  Require all granted
  <LimitExcept GET POST>
    Require all denied
  </LimitExcept>
</Directory>
<Directory @DIR@/htdocs/postonly>
  <Limit POST>
    Require all denied
  </Limit>
</Directory>
<Directory @DIR@/htdocs/compat>
  Order allow,deny
  Allow from all
  <LimitExcept GET>
    Order deny,allow
    Deny from all
  </LimitExcept>
</Directory>
<Directory @DIR@/htdocs/getdeny>
  <Limit GET>
    Deny from 127.0.0.1
  </Limit>
</Directory>
<Directory @DIR@/htdocs/except>
  <LimitExcept GET POST>
    Require all denied
  </LimitExcept>
</Directory>
<Directory @DIR@/htdocs/lower>
  <Limit get>
    Require all denied
  </Limit>
</Directory>
`;

/** Directory → status for GET, HEAD, POST, DELETE, OPTIONS (apache2 2.4's answers). */
const TABLE: Readonly<Record<string, readonly number[]>> = {
  anyexcept: [200, 200, 200, 405, 200],
  postonly: [200, 200, 403, 405, 200],
  compat: [200, 200, 200, 405, 200],
  getdeny: [403, 403, 200, 405, 200],
  except: [200, 200, 200, 403, 403],
  lower: [200, 200, 200, 405, 200],
  // .htaccess: <Limit HEAD> is <Limit GET> (httpd registers HEAD as M_GET).
  headfile: [403, 403, 200, 405, 200],
};
const METHODS = ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'];

describe('<Limit> and <LimitExcept>', () => {
  let h: Harness;
  before(async () => {
    const files: Record<string, string> = {
      'htdocs/headfile/.htaccess': '<Limit HEAD>\n  Require all denied\n</Limit>\n',
    };
    for (const d of Object.keys(TABLE)) files[`htdocs/${d}/x.txt`] = `${d}\n`;
    h = await startServer(CONF, files);
  });
  after(() => h.stop());

  for (const [dir, statuses] of Object.entries(TABLE)) {
    it(`limits ${dir} by method as httpd does`, async () => {
      const got: number[] = [];
      for (const m of METHODS) {
        const res = await rawRequest(
          h.port,
          `${m} /${dir}/x.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
          { head: m === 'HEAD' },
        );
        got.push(Number(res.statusLine.split(' ')[1]));
        if (m === 'GET' && res.statusLine.includes(' 200 '))
          assert.equal(res.body.toString(), `${dir}\n`);
      }
      assert.deepEqual(got, statuses, METHODS.join(' '));
    });
  }

  it('logs the module that refused: authz_core for Require, access_compat for Deny', () => {
    const log = h.errorLog().join('\n');
    assert.match(
      log,
      /\[authz_core:error\] .*AH01630: client denied by server configuration: \S*\/htdocs\/postonly\/x\.txt/,
    );
    assert.match(
      log,
      /\[access_compat:error\] .*AH01797: client denied by server configuration: \S*\/htdocs\/getdeny\/x\.txt/,
    );
  });
});
