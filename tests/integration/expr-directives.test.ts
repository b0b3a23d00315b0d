// ap_expr wired into the directives that take one: Require expr (mod_authz_core),
// SetEnvIfExpr (mod_setenvif), RewriteCond expr (mod_rewrite), AuthName with %{…}
// (mod_authn_core), and <If> in .htaccess.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection } from '../support/raw-http.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authn_core_module modules/mod_authn_core.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule authn_file_module modules/mod_authn_file.so
LoadModule authz_user_module modules/mod_authz_user.so
LoadModule headers_module modules/mod_headers.so
LoadModule setenvif_module modules/mod_setenvif.so
LoadModule rewrite_module modules/mod_rewrite.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
  AllowOverride All
</Directory>
<Location /guarded>
  Require expr "%{QUERY_STRING} =~ /^key=(open|sesame)$/ && req('X-Pass') -in {'yes'}"
</Location>
<Location /realm>
  AuthType Basic
  AuthName "zone %{toupper:%{QUERY_STRING}}"
  AuthUserFile @DIR@/users
  Require valid-user
</Location>
<Location /broken>
  Require expr "file('@DIR@/nope') == ''"
</Location>
SetEnvIfExpr "%{REQUEST_URI} =~ m#^/env/(\\w+)#" SEEN=got-$1 OTHER
SetEnvIfExpr "false" NEVER
Header always set X-Seen "%{SEEN}e|%{OTHER}e|%{NEVER}e"
RewriteEngine on
RewriteCond expr "%{QUERY_STRING} =~ /^go=(\\w+)$/"
RewriteRule ^/rw$ /target-%1.html [PT]
RewriteCond expr "! -f '@DIR@/htdocs/page.html'"
RewriteRule ^/never$ /page.html [R]
`;

describe('ap_expr in Require, SetEnvIfExpr, RewriteCond, AuthName and .htaccess <If>', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'htdocs/page.html': 'page\n',
      'htdocs/guarded/p.html': 'guarded\n',
      'htdocs/realm/p.html': 'realm\n',
      'htdocs/broken/p.html': 'broken\n',
      'htdocs/env/x.html': 'env\n',
      'htdocs/target-abc.html': 'target\n',
      'htdocs/ht/p.html': 'ht\n',
      'htdocs/ht/.htaccess':
        '<If "%{QUERY_STRING} == \'deny\'">\n  Require all denied\n</If>\n<Else>\n  Header set X-Ht else\n</Else>\n',
      users: 'u:$apr1$x$x\n',
    });
  });
  after(() => h.stop());

  async function fetch(
    path: string,
    extra = '',
  ): Promise<{ status: number; headers: Record<string, string | undefined>; body: string }> {
    const conn = await RawConnection.open(h.port);
    try {
      conn.send(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`);
      const res = await conn.read();
      return { status: res.status, headers: res.headers, body: res.body.toString() };
    } finally {
      conn.close();
    }
  }

  it('Require expr grants when the expression holds, and adds Vary', async () => {
    const ok = await fetch('/guarded/p.html?key=sesame', 'X-Pass: yes\r\n');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'guarded\n');
    assert.match(ok.headers['vary'] ?? '', /X-Pass/);
    assert.equal((await fetch('/guarded/p.html?key=sesame', 'X-Pass: no\r\n')).status, 403);
    assert.equal((await fetch('/guarded/p.html?key=x', 'X-Pass: yes\r\n')).status, 403);
  });

  it('Require expr that fails to evaluate answers 500 and logs AH02320', async () => {
    const res = await fetch('/broken/p.html');
    assert.equal(res.status, 500);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          l.includes(
            `AH02320: Error evaluating expression in 'Require expr': Cannot open file ${h.dir}/nope`,
          ),
        ),
      h.errorLog().join('\n'),
    );
  });

  it('AuthName with an expression gives the evaluated realm', async () => {
    const res = await fetch('/realm/p.html?abc');
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Basic realm="zone ABC"');
  });

  it('SetEnvIfExpr sets variables, with $1 from the expression', async () => {
    const res = await fetch('/env/x.html');
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-seen'], 'got-x|1|(null)');
    const other = await fetch('/page.html');
    assert.equal(other.headers['x-seen'], '(null)|(null)|(null)');
  });

  it('RewriteCond expr, with %1 from its regex', async () => {
    const res = await fetch('/rw?go=abc');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'target\n');
    assert.equal((await fetch('/rw?go=!')).status, 404);
    assert.equal((await fetch('/never')).status, 404);
  });

  it('<If>/<Else> in .htaccess', async () => {
    const denied = await fetch('/ht/p.html?deny');
    assert.equal(denied.status, 403);
    const ok = await fetch('/ht/p.html');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-ht'], 'else');
  });
});
