// mod_wsgi's auth hooks where the differential suite cannot reach (mod_wsgi 4.9.4
// wsgi_hook_access_checker, wsgi_check_password): a worker that dies during a check, and
// mod_wsgi.connection_id, which appears once an error-log line was written for the
// connection (httpd's add_log_id), e.g. by an auth script writing to wsgi.errors.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app, dump, dumpOf, req, until } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule authn_core_module modules/mod_authn_core.so
LoadModule authz_user_module modules/mod_authz_user.so
<Directory @DIR@>
  Require all granted
</Directory>
WSGIScriptAlias /dump @DIR@/dump.wsgi
WSGIScriptAlias /access @DIR@/dump.wsgi
<Location /access>
  WSGIAccessScript @DIR@/auth.wsgi
</Location>
WSGIScriptAlias /login @DIR@/dump.wsgi
<Location /login>
  AuthType Basic
  AuthName "Login"
  AuthBasicProvider wsgi
  WSGIAuthUserScript @DIR@/auth.wsgi
  Require valid-user
</Location>
<Location /denied>
  Require all denied
</Location>
`;

const AUTH = `import os

def allow_access(environ, host):
    if environ['QUERY_STRING'] == 'die':
        os._exit(3)
    return None

def check_password(environ, user, password):
    environ['wsgi.errors'].write('checking %s\\n' % user)
    return password == 'pw'
`;

const basic = (user: string, pw: string): string =>
  `Authorization: Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}\r\n`;

describe('mod_wsgi auth hooks: failures and the connection log id', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'dump.wsgi': app('dump.wsgi'), 'auth.wsgi': AUTH });
  });
  after(() => h.stop());

  it('refuses with 403 and MW00114 when the worker running allow_access dies', async () => {
    const res = await rawRequest(h.port, req('/access?die'));
    assert.equal(res.status, 403);
    await until(() => h.errorLog().some((l) => l.includes('MW00114')));
    const log = h.errorLog().join('\n');
    assert.match(
      log,
      /\[wsgi:error\] .*MW00114: WSGI auth script '\S*\/auth\.wsgi' could not answer: /,
    );
    assert.match(
      log,
      /MW00117: mod_wsgi \(pid=\d+\): Client denied by server configuration: '\S*\/dump\.wsgi'\./,
    );
    // The embedded group replaces the worker: the next check is answered.
    const ok = await rawRequest(h.port, req('/access'));
    assert.equal(ok.status, 200);
  });

  it('has no mod_wsgi.connection_id on a connection where nothing was logged', async () => {
    const { env } = await dump(h.port, req('/dump'));
    assert.equal(env['mod_wsgi.connection_id'], undefined);
    assert.equal(typeof env['mod_wsgi.request_id'], 'string');
  });

  it('gives mod_wsgi.connection_id once a line was logged for the connection, then keeps it', async () => {
    const conn = await RawConnection.open(h.port);
    try {
      conn.send(req('/denied', { keep: true }));
      const denied = await conn.read();
      assert.equal(denied.status, 403); // AH01630 is logged for this connection
      conn.send(req('/dump', { keep: true }));
      const first = dumpOf(await conn.read()).environ['mod_wsgi.connection_id'];
      assert.equal(typeof first, 'string');
      assert.match(String(first), /^[A-Za-z0-9_-]{11}$/);
      conn.send(req('/dump', { keep: true }));
      assert.equal(dumpOf(await conn.read()).environ['mod_wsgi.connection_id'], first);
    } finally {
      conn.close();
    }
  });

  it('counts an auth script writing to wsgi.errors as a logged line (connection_id)', async () => {
    const { env } = await dump(h.port, req('/login', { headers: basic('kim', 'pw') }));
    assert.equal(env['REMOTE_USER'], 'kim');
    assert.equal(typeof env['mod_wsgi.connection_id'], 'string');
    assert.ok(h.errorLog().some((l) => l.includes('checking kim')));
  });
});
