// Basic authentication end to end on static files: mod_auth_basic + mod_authn_file +
// mod_authz_user, in the config and in .htaccess (httpd modules/aaa). What the WSGI app
// sees (REMOTE_USER, AUTH_TYPE) is compared with Apache in tests/differential; here the
// answers were checked against apache2 2.4 with the same sections first.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { app } from '../support/wsgi.js';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_user_module modules/mod_authz_user.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule authn_core_module modules/mod_authn_core.so
LoadModule authn_file_module modules/mod_authn_file.so
LoadModule authz_groupfile_module modules/mod_authz_groupfile.so
ServerName localhost
DocumentRoot @DIR@/htdocs
CustomLog @DIR@/access.log "%u %>s %U"
<Directory @DIR@/htdocs>
  Require all granted
  AllowOverride AuthConfig
</Directory>
<Directory @DIR@/htdocs/conf>
  AuthType Basic
  AuthName "Members Only"
  AuthUserFile users
  Require valid-user
</Directory>
<Directory @DIR@/htdocs/dirfile>
  AuthType Basic
  AuthName x
  AuthUserFile @DIR@/htdocs
  Require valid-user
</Directory>
<Directory @DIR@/htdocs/nogroups>
  AuthType Basic
  AuthName x
  AuthUserFile users
  AuthGroupFile no-such-groups
  Require group admins
</Directory>
<Directory @DIR@/htdocs/nofile>
  AuthType Basic
  AuthName x
  Require valid-user
</Directory>
`;

/** htpasswd -nbm alice secret; htpasswd -nbs bob hunter2; perl crypt() with a $y$ salt. */
const USERS = [
  'alice:$apr1$W4xb3o7i$mLY2WG3KebjRukZgAlZPq1',
  'bob:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=',
  'yves:$y$j9T$abcdefghijklmnopqrstu.$notCheckedBecauseTheFormatIsUnsupported000000',
  '',
].join('\n');

const auth = (user: string, password: string): string =>
  `Authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}\r\n`;

const get = (path: string, headers = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`;

describe('Basic authentication (mod_auth_basic, mod_authn_file)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      users: USERS,
      'htdocs/conf/page.txt': 'members page\n',
      'htdocs/ht/page.txt': 'htaccess page\n',
      'htdocs/ht/.htaccess':
        'AuthType Basic\nAuthName "From \\"htaccess\\""\nAuthUserFile users\nRequire user bob\n',
      'htdocs/dirfile/page.txt': 'x\n',
      'htdocs/nofile/page.txt': 'x\n',
      'htdocs/nogroups/page.txt': 'x\n',
    });
  });
  after(() => h.stop());

  it('answers 401 with the challenge, keeps the connection open, then serves the user', async () => {
    const conn = await RawConnection.open(h.port);
    try {
      conn.send('GET /conf/page.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
      const first = await conn.read();
      assert.equal(first.status, 401);
      assert.equal(first.headers['www-authenticate'], 'Basic realm="Members Only"');
      assert.match(first.body.toString(), /<title>401 Unauthorized<\/title>/);
      assert.equal(first.headers['connection'], undefined, 'a 401 keeps the connection');
      conn.send(`GET /conf/page.txt HTTP/1.1\r\nHost: localhost\r\n${auth('alice', 'secret')}\r\n`);
      const second = await conn.read();
      assert.equal(second.status, 200);
      assert.equal(second.body.toString(), 'members page\n');
      assert.equal(second.headers['www-authenticate'], undefined);
    } finally {
      conn.close();
    }
    const log = await h.accessLog(2);
    assert.ok(log.includes('- 401 /conf/page.txt'), log.join('\n'));
    assert.ok(log.includes('alice 200 /conf/page.txt'), log.join('\n'));
  });

  it('logs the name sent with a wrong password (%u) and answers AH01617', async () => {
    const res = await rawRequest(h.port, get('/conf/page.txt', auth('bob', 'wrong')));
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Basic realm="Members Only"');
    const log = await h.accessLog(3);
    assert.ok(log.includes('bob 401 /conf/page.txt'), log.join('\n'));
    assert.match(
      h.errorLog().join('\n'),
      /\[auth_basic:error\] .*AH01617: user bob: authentication failure for "\/conf\/page\.txt": Password Mismatch/,
    );
  });

  it('reads the password file on every request: an added user can log in at once', async () => {
    const before = await rawRequest(h.port, get('/conf/page.txt', auth('carol', 'new')));
    assert.equal(before.status, 401);
    // htpasswd -nbs carol new
    writeFileSync(join(h.dir, 'users'), `${USERS}carol:{SHA}wqawPxkN+ytKqR+K+NR3qbw0Adw=\n`);
    const res = await rawRequest(h.port, get('/conf/page.txt', auth('carol', 'new')));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'members page\n');
  });

  it('refuses a hash format it cannot check with a 401 and says why (MW00511)', async () => {
    const res = await rawRequest(h.port, get('/conf/page.txt', auth('yves', 'anything')));
    assert.equal(res.status, 401);
    assert.match(
      h.errorLog().join('\n'),
      /\[authn_file:error\] .*MW00511: user yves: the password hash in \S*\/users is yescrypt \(\$y\$\), which tswsgi cannot check/,
    );
  });

  it('takes AuthType, AuthName, AuthUserFile and Require from .htaccess (AllowOverride AuthConfig)', async () => {
    const none = await rawRequest(h.port, get('/ht/page.txt'));
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic realm="From \\"htaccess\\""');
    const alice = await rawRequest(h.port, get('/ht/page.txt', auth('alice', 'secret')));
    assert.equal(alice.status, 401, 'authenticated, but not the user required');
    assert.equal(alice.headers['www-authenticate'], 'Basic realm="From \\"htaccess\\""');
    assert.match(
      h.errorLog().join('\n'),
      /\[authz_core:error\] .*AH01631: user alice: authorization failure for "\/ht\/page\.txt": /,
    );
    const bob = await rawRequest(h.port, get('/ht/page.txt', auth('bob', 'hunter2')));
    assert.equal(bob.status, 200);
    assert.equal(bob.body.toString(), 'htaccess page\n');
  });

  it('answers 500 for a password file that is a directory (AH00554, AH01620 with EBADF)', async () => {
    const res = await rawRequest(h.port, get('/dirfile/page.txt', auth('alice', 'secret')));
    assert.equal(res.status, 500);
    const log = h.errorLog().join('\n');
    assert.match(log, /AH00554: Access to file \S*\/htdocs denied by server: not a regular file/);
    assert.match(
      log,
      /\[authn_file:error\] .*\(9\)Bad file descriptor: \[client [^\]]+\] AH01620: Could not open password file: \S*\/htdocs$/m,
    );
  });

  it('refuses Require group when the group file cannot be opened (AH01665 with the errno)', async () => {
    const res = await rawRequest(h.port, get('/nogroups/page.txt', auth('alice', 'secret')));
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Basic realm="x"');
    assert.match(
      h.errorLog().join('\n'),
      /\[authz_groupfile:error\] .*\(2\)No such file or directory: \[client [^\]]+\] AH01665: Could not open group file: \S*\/no-such-groups$/m,
    );
  });

  it('answers 500 when no AuthUserFile is configured (AH01619)', async () => {
    const res = await rawRequest(h.port, get('/nofile/page.txt', auth('alice', 'secret')));
    assert.equal(res.status, 500);
    assert.match(
      h.errorLog().join('\n'),
      /\[authn_file:error\] .*AH01619: AuthUserFile not specified in the configuration/,
    );
  });

  it('answers 500 for an unreadable password file with the errno (AH01620, EACCES)', async (t) => {
    if (process.getuid?.() === 0) {
      t.skip('root reads any file');
      return;
    }
    chmodSync(join(h.dir, 'users'), 0o000);
    try {
      const res = await rawRequest(h.port, get('/conf/page.txt', auth('alice', 'secret')));
      assert.equal(res.status, 500);
      assert.match(h.errorLog().join('\n'), /\(13\)Permission denied: .*AH01620/);
    } finally {
      chmodSync(join(h.dir, 'users'), 0o644);
    }
  });
});

describe('AuthType without Require', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule authn_core_module modules/mod_authn_core.so
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  AuthType Basic
  AuthName x
</Directory>
`,
      { 'htdocs/page.txt': 'x\n' },
    );
  });
  after(() => h.stop());

  it('is a 500 with AH01627, as httpd answers it', async () => {
    const res = await rawRequest(h.port, get('/page.txt'));
    assert.equal(res.status, 500);
    assert.match(
      h.errorLog().join('\n'),
      /\[authz_core:error\] .*AH01627: AuthType configured with no corresponding authorization directives/,
    );
  });
});

// AuthBasicFake (authenticate_basic_fake, fixups LAST): checked against apache2 2.4.71 (the
// header values are differential cases too); these pin the log lines and error paths.
describe('AuthBasicFake', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule alias_module modules/mod_alias.so
LoadModule wsgi_module modules/mod_wsgi.so
ServerName localhost
LogLevel info
<Directory @DIR@>
  Require all granted
</Directory>
WSGIScriptAlias /app @DIR@/dump.wsgi
WSGIPassAuthorization On
<Location /app/fake>
  AuthBasicFake "%{req:X-User}" "pw-%{req:X-Pw}"
</Location>
<Location /app/broken>
  AuthBasicFake "%{file:@DIR@/no-such-file}"
</Location>
<Location /app/brokenpw>
  AuthBasicFake "u" "%{file:@DIR@/no-such-file}"
</Location>
<Location /app/fake/off>
  AuthBasicFake off
</Location>
`,
      { 'dump.wsgi': app('dump.wsgi') },
    );
  });
  after(() => h.stop());

  const ask = async (path: string, extra = ''): Promise<{ status: number; auth: unknown }> => {
    const res = await rawRequest(
      h.port,
      `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`,
    );
    if (res.status !== 200) return { status: res.status, auth: undefined };
    const env = (JSON.parse(res.body.toString()) as { environ: Record<string, unknown> }).environ;
    return { status: res.status, auth: env['HTTP_AUTHORIZATION'] };
  };

  it('replaces the client’s Authorization with Basic base64(user:password) and logs AH02457', async () => {
    const got = await ask(
      '/app/fake',
      'Authorization: Basic b2xkOm9sZA==\r\nX-User: bob\r\nX-Pw: 1\r\n',
    );
    const line = `Basic ${Buffer.from('bob:pw-1').toString('base64')}`;
    assert.deepEqual(got, { status: 200, auth: line });
    assert.ok(
      h.errorLog().some((l) => l.includes(`AH02457: AuthBasicFake: "Authorization: ${line}"`)),
    );
  });

  it('drops Authorization when the user expression is empty (AH02458 at info)', async () => {
    const got = await ask('/app/fake', 'Authorization: Basic b2xkOm9sZA==\r\n');
    assert.deepEqual(got, { status: 200, auth: undefined });
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /\[auth_basic:info\] .*AH02458: AuthBasicFake: empty username expression for URI '\/app\/fake', ignoring$/.test(
            l,
          ),
        ),
    );
  });

  it('answers 500 with AH02455 / AH02456 when an expression cannot be evaluated', async () => {
    assert.equal((await ask('/app/broken')).status, 500);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /AH02455: AuthBasicFake: could not evaluate user expression for URI '\/app\/broken': Cannot open file /.test(
            l,
          ),
        ),
    );
    assert.equal((await ask('/app/brokenpw')).status, 500);
    assert.ok(
      h
        .errorLog()
        .some((l) =>
          /AH02456: AuthBasicFake: could not evaluate password expression for URI '\/app\/brokenpw': /.test(
            l,
          ),
        ),
    );
  });

  it('leaves the client’s header alone under AuthBasicFake off', async () => {
    const got = await ask('/app/fake/off', 'Authorization: Basic b2xkOm9sZA==\r\nX-User: bob\r\n');
    assert.deepEqual(got, { status: 200, auth: 'Basic b2xkOm9sZA==' });
  });
});
