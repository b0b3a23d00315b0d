// mod_alias redirects, with the statuses and Location headers Apache 2.4.71 sent for the
// same config and requests (captured side by side on loopback ports): prefix match on path
// segments, the rest of the path escaped (lower-case %xx), the query appended unless the
// target has one, relative targets made absolute, RedirectMatch substitution, gone (410,
// no Location), the one-argument form inside <Location>, and redirects in <Directory>
// (applied in fixups, after the alias mapped the file).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
ServerName a.example
DocumentRoot @DIR@/htdocs
<Directory @DIR@>
  Require all granted
</Directory>
Redirect /old http://new.example/new
RedirectMatch 301 ^/rm/(.*)$ /al/$1
RedirectPermanent /perm https://p.example/
RedirectTemp /tmp-moved /elsewhere?fixed=1
Redirect gone /gone
Alias /al/ @DIR@/al/
Alias /dirred @DIR@/al
<Location /loc>
  Redirect permanent http://elsewhere.example/here
</Location>
<Directory @DIR@/al>
  Redirect 303 /dirred/f.txt /al/f.txt
</Directory>
`;

describe('Redirect / RedirectMatch', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'htdocs/index.html': 'A\n', 'al/f.txt': 'AL\n' });
  });
  after(() => h.stop());

  const cases: readonly [string, string, string | undefined][] = [
    ['/old', '302 Found', 'http://new.example/new'],
    ['/old/page?q=1', '302 Found', 'http://new.example/new/page?q=1'],
    ['/old/a%20b', '302 Found', 'http://new.example/new/a%20b'],
    ['/old/caf%C3%A9?x=%41', '302 Found', 'http://new.example/new/caf%c3%a9?x=%41'],
    ['/rm/f.txt', '301 Moved Permanently', 'http://a.example/al/f.txt'],
    ['/rm/a%20b?q=2', '301 Moved Permanently', 'http://a.example/al/a%20b?q=2'],
    // The target's own trailing slash stays: Apache sends the same double slash.
    ['/perm/x', '301 Moved Permanently', 'https://p.example//x'],
    ['/tmp-moved?q=1', '302 Found', 'http://a.example/elsewhere?fixed=1'],
    ['/gone', '410 Gone', undefined],
    ['/loc/x?y=1', '301 Moved Permanently', 'http://elsewhere.example/here?y=1'],
    ['/dirred/f.txt', '303 See Other', 'http://a.example/al/f.txt'],
  ];
  for (const [path, status, location] of cases) {
    it(`GET ${path} → ${status}${location === undefined ? '' : ` to ${location}`}`, async () => {
      const res = await rawRequest(
        h.port,
        `GET ${path} HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(res.statusLine, `HTTP/1.1 ${status}`);
      assert.equal(res.headers['location'], location);
      assert.match(res.body.toString(), new RegExp(`<title>${status}</title>`));
      if (location !== undefined)
        assert.ok(
          res.body.toString().includes(`<a href="${location}">here</a>`),
          res.body.toString(),
        );
    });
  }

  it('does not redirect a path that only starts with the same letters', async () => {
    const res = await rawRequest(
      h.port,
      'GET /oldx HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(res.headers['location'], undefined);
  });

  it('serves the aliased file when the <Directory> redirect does not match', async () => {
    const res = await rawRequest(
      h.port,
      'GET /al/f.txt HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n',
    );
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'AL\n');
  });
});
