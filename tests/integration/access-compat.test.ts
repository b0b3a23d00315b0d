// mod_access_compat: Order/Allow/Deny/Satisfy (httpd modules/aaa/mod_access_compat.c). Each
// case was first sent to apache2 2.4 with mod_access_compat loaded and the same sections;
// the statuses and log lines here are what it answered.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import type { RawResponse } from '../support/raw-http.js';

/** 127.0.0.1's double-reverse name here (usually localhost), or undefined. */
async function loopbackName(): Promise<string | undefined> {
  try {
    const { hostname } = await dns.lookupService('127.0.0.1', 0);
    const back = await dns.lookup(hostname, { all: true });
    return back.some((a) => a.address === '127.0.0.1') ? hostname : undefined;
  } catch {
    return undefined;
  }
}

const conf = (hostName: string): string => `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule access_compat_module modules/mod_access_compat.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory />
  Require all denied
</Directory>
<Directory @DIR@/htdocs>
  Require all granted
</Directory>
<Directory @DIR@/htdocs/denyall>
  Order deny,allow
  Deny from all
</Directory>
<Directory @DIR@/htdocs/allowip>
  Order allow,deny
  Allow from 10.0.0.0/8 127.0.0.1
  Deny from 127.0.0.2
</Directory>
<Directory @DIR@/htdocs/denyip>
  Order allow,deny
  Allow from 127
  Deny from 127.0.0.1
</Directory>
<Directory @DIR@/htdocs/host>
  Order deny,allow
  Deny from all
  Allow from ${hostName}
</Directory>
<Directory @DIR@/htdocs/otherhost>
  Order deny,allow
  Deny from all
  Allow from example.invalid
</Directory>
<Directory @DIR@/htdocs/anyallow>
  Require all denied
  Order allow,deny
  Allow from all
  Satisfy Any
</Directory>
<Directory @DIR@/htdocs/anyrequire>
  Satisfy Any
  Order deny,allow
  Deny from all
  Require all granted
</Directory>
<Directory @DIR@/htdocs/anyboth>
  Satisfy any
  Deny from all
  Require all denied
</Directory>
<Directory @DIR@/htdocs/mutual>
  Order mutual-failure
  Allow from 127.0.0.1
  Deny from 10.1
</Directory>
<Directory @DIR@/htdocs/parent>
  Order deny,allow
  Deny from all
</Directory>
<Directory @DIR@/htdocs/parent/child>
  Require all granted
</Directory>
<Directory @DIR@/htdocs/parent/reset>
  Allow from 127.0.0.1
</Directory>
<Directory @DIR@/htdocs/orderonly>
  Order allow,deny
</Directory>
<Location /loc>
  Order deny,allow
  Deny from 127.0.0.0/255.0.0.0
</Location>
`;

const DIRS = [
  'denyall',
  'allowip',
  'denyip',
  'host',
  'otherhost',
  'anyallow',
  'anyrequire',
  'anyboth',
  'mutual',
  'parent/child',
  'parent/reset',
  'orderonly',
  'loc',
];

const get = (h: Harness, path: string): Promise<RawResponse> =>
  rawRequest(h.port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);

describe('Order, Allow, Deny and Satisfy (mod_access_compat)', () => {
  let h: Harness;
  let hostName: string | undefined;
  before(async () => {
    hostName = await loopbackName();
    const files: Record<string, string> = {};
    for (const d of DIRS) files[`htdocs/${d}/x.txt`] = `${d} x\n`;
    h = await startServer(conf(hostName ?? 'localhost'), files);
  });
  after(() => h.stop());

  const denied = async (d: string): Promise<void> => {
    const res = await get(h, `/${d}/x.txt`);
    assert.equal(res.statusLine, 'HTTP/1.1 403 Forbidden', d);
    assert.doesNotMatch(res.body.toString(), new RegExp(`${d} x`));
  };
  const served = async (d: string): Promise<void> => {
    const res = await get(h, `/${d}/x.txt`);
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK', d);
    assert.equal(res.body.toString(), `${d} x\n`);
  };
  const ah01797 = (d: string): RegExp =>
    new RegExp(
      `\\[access_compat:error\\] \\[pid \\d+:tid \\d+\\] \\[client 127\\.0\\.0\\.1:\\d+\\] AH01797: client denied by server configuration: \\S*/htdocs/${d}/x\\.txt$`,
    );
  const logged = (re: RegExp): void =>
    assert.ok(
      h.errorLog().some((l) => re.test(l)),
      `${String(re)} not in\n${h.errorLog().join('\n')}`,
    );

  it('Deny from all under Order deny,allow is 403 with AH01797', async () => {
    await denied('denyall');
    logged(ah01797('denyall'));
  });

  it('matches full addresses, CIDR, partial addresses and netmasks', async () => {
    await served('allowip');
    await denied('denyip');
    await denied('loc');
    logged(ah01797('loc'));
  });

  it('Order mutual-failure needs an Allow and no Deny', async () => {
    await served('mutual');
  });

  it('Order allow,deny with no Allow line denies', async () => {
    await denied('orderonly');
    logged(ah01797('orderonly'));
  });

  it('matches a host name only against the double-reverse name of the client', async (t) => {
    await denied('otherhost');
    if (hostName === undefined) {
      t.skip('127.0.0.1 has no double-reverse name on this machine');
      return;
    }
    await served('host');
  });

  it('Satisfy Any: a passed access check stands in for a Require that denies', async () => {
    await served('anyallow');
  });

  it('Satisfy Any: a granting Require stands in for a failed access check', async () => {
    await served('anyrequire');
    logged(ah01797('anyrequire'));
  });

  it('Satisfy Any: both refusing is 403, logged by each module', async () => {
    await denied('anyboth');
    logged(ah01797('anyboth'));
    logged(
      /\[authz_core:error\] .*AH01630: client denied by server configuration: \S*\/htdocs\/anyboth\/x\.txt$/,
    );
  });

  it('a section without these directives inherits the outer policy whole', async () => {
    await denied('parent/child');
  });

  it('a section with any of them replaces the outer policy (no merging)', async () => {
    // Only "Allow from 127.0.0.1": the order is back to deny,allow and the Deny is gone.
    await served('parent/reset');
  });
});
