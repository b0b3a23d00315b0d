// WSGIScriptAlias / WSGIScriptAliasMatch mount splitting through the real server
// (reference mod_wsgi.md §4.4 and §8 #1–#2; mod_wsgi wsgi_hook_intercept + core's
// path_info split). Every case checks the status line, SCRIPT_NAME, PATH_INFO,
// REQUEST_URI (raw) and QUERY_STRING (always present) as dump.wsgi sees them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { APP_HEADERS_CLOSE, WSGI_PREAMBLE, app, dump, req, until } from '../support/wsgi.js';

// Daemon mode with one group; the first alias in config order wins, so /app/special
// (listed after /app) never reaches special.wsgi, while /first (listed before /) does.
const CONF = `${WSGI_PREAMBLE}
WSGIDaemonProcess mounts threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIProcessGroup mounts
WSGIScriptAlias /app @DIR@/dump.wsgi
WSGIScriptAlias /app/special @DIR@/special.wsgi
WSGIScriptAlias /ws/ @DIR@/scripts/
WSGIScriptAliasMatch ^/wsgi/([^/]+) @DIR@/match/$1.wsgi
WSGIScriptAlias /first @DIR@/dump.wsgi
WSGIScriptAlias / @DIR@/dump.wsgi
`;

const FILES = {
  'dump.wsgi': app('dump.wsgi'),
  'special.wsgi':
    'def application(e, s):\n    s("200 OK", [("Content-Type", "text/plain")])\n    return [b"special"]\n',
  'scripts/name': app('dump.wsgi'),
  'match/foo.wsgi': app('dump.wsgi'),
};

describe('WSGIScriptAlias mount splitting', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, FILES);
  });
  after(() => h.stop());

  const cases: readonly [string, string, string, string][] = [
    // request, SCRIPT_NAME, PATH_INFO, QUERY_STRING
    ['/app', '/app', '', ''],
    ['/app/', '/app', '/', ''],
    ['/app/a/b?x=1', '/app', '/a/b', 'x=1'],
    ['/app//a///b', '/app', '/a/b', ''],
    ['/app//a%20b///c?x=%41', '/app', '/a b/c', 'x=%41'],
    ['/app/special', '/app', '/special', ''],
    ['/', '', '/', ''],
    ['/a/b', '', '/a/b', ''],
    ['/apple', '', '/apple', ''],
    ['/first/x', '/first', '/x', ''],
    ['/ws/name/extra', '/ws/name', '/extra', ''],
    ['/ws', '', '/ws', ''],
    ['/wsgi/foo/bar', '/wsgi/foo', '/bar', ''],
    ['/wsgi/foo', '/wsgi/foo', '', ''],
  ];
  for (const [target, sn, pi, qs] of cases) {
    it(`splits ${target} into SCRIPT_NAME=${JSON.stringify(sn)} PATH_INFO=${JSON.stringify(pi)}`, async () => {
      const { res, env } = await dump(h.port, req(target));
      assert.deepEqual(res.headerNames, APP_HEADERS_CLOSE);
      assert.equal(env['SCRIPT_NAME'], sn);
      assert.equal(env['PATH_INFO'], pi);
      assert.equal(env['QUERY_STRING'], qs);
      assert.equal(env['REQUEST_URI'], target);
      assert.equal(env['mod_wsgi.script_name'], sn);
      assert.equal(env['mod_wsgi.path_info'], pi);
    });
  }

  it('gives PATH_TRANSLATED from a sub-request for PATH_INFO (ap_add_cgi_vars)', async () => {
    // Mounted at '/', the path info maps through the same alias: the script plus its own
    // path info; under /app, '/special' is another script.
    const root = await dump(h.port, req('/a/b'));
    assert.equal(root.env['PATH_TRANSLATED'], `${h.dir}/dump.wsgi/a/b`);
    const special = await dump(h.port, req('/app/special'));
    assert.equal(special.env['PATH_TRANSLATED'], `${h.dir}/dump.wsgi/special`);
    const none = await dump(h.port, req('/app'));
    assert.equal(none.env['PATH_TRANSLATED'], undefined);
  });

  it('maps the directory alias /ws/name to the file scripts/name', async () => {
    const { env } = await dump(h.port, req('/ws/name/extra'));
    assert.equal(env['SCRIPT_FILENAME'], `${h.dir}/scripts/name`);
    // ap_get_server_port (as mod_wsgi's wsgi_config.c names the group): `Host: localhost`
    // carries no port and ServerName none, so the port is 80 and not written.
    assert.equal(env['mod_wsgi.application_group'], 'localhost|/ws/name');
  });

  it('substitutes $1 of WSGIScriptAliasMatch into the target file', async () => {
    const { env } = await dump(h.port, req('/wsgi/foo/bar'));
    assert.equal(env['SCRIPT_FILENAME'], `${h.dir}/match/foo.wsgi`);
  });

  it("answers 403 for the directory target itself (/ws/) and logs mod_wsgi's message", async () => {
    const res = await rawRequest(h.port, req('/ws/'));
    assert.equal(res.statusLine, 'HTTP/1.1 403 Forbidden');
    assert.equal(res.headers['content-type'], 'text/html; charset=iso-8859-1');
    assert.match(res.body.toString(), /<h1>Forbidden<\/h1>/);
    const line = await until(() =>
      h.errorLog().find((l) => l.includes('Attempt to invoke directory as WSGI application')),
    );
    assert.match(
      line,
      /\[wsgi:error\] .*\[client 127\.0\.0\.1:\d+\] .*Attempt to invoke directory as WSGI application: .*\/scripts\/$/,
    );
  });

  it('answers 404 for a missing script under the directory alias and logs it', async () => {
    const res = await rawRequest(h.port, req('/ws/missing/x'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.match(res.body.toString(), /<p>The requested URL was not found on this server\.<\/p>/);
    const line = await until(() =>
      h.errorLog().find((l) => l.includes('Target WSGI script not found')),
    );
    assert.match(
      line,
      /\[wsgi:error\] .*Target WSGI script not found or unable to stat: .*\/scripts\/missing/,
    );
  });

  it('answers 404 when the Match target file does not exist', async () => {
    const res = await rawRequest(h.port, req('/wsgi/nope/bar'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    await until(() => h.errorLog().find((l) => l.includes('/match/nope.wsgi')));
  });

  it('keeps a keep-alive connection open across WSGI responses', async () => {
    const res = await rawRequest(h.port, req('/app/k', { keep: true }));
    assert.equal(res.status, 200);
    // A plain HTTP/1.1 persistent answer carries no Connection/Keep-Alive header (Apache).
    assert.deepEqual(res.headerNames, ['content-length', 'content-type', 'date', 'server']);
    res.conn.send(req('/app/k2', { keep: true }));
    const second = await res.conn.read();
    assert.equal(second.status, 200);
    assert.equal(
      (JSON.parse(second.body.toString()) as { environ: Record<string, string> }).environ[
        'PATH_INFO'
      ],
      '/k2',
    );
    assert.equal(res.conn.open, true);
    res.conn.close();
  });
});
