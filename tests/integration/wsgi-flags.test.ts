// wsgi.* flags and mod_wsgi.* group keys (reference mod_wsgi.md §4.2, §4.3, §4.6, §3.6,
// §8 #6–#7): multithread/multiprocess per daemon sizing (processes= written at all makes
// multiprocess True), run_once only with threads=1 + maximum-requests=1, embedded mode,
// and the application-group expansions %{GLOBAL}, %{RESOURCE}, %{SERVER}, literal, %{ENV:x}.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { WSGI_PREAMBLE, app, dump, req } from '../support/wsgi.js';

const T = 'graceful-timeout=1 shutdown-timeout=1';
const CONF = `${WSGI_PREAMBLE}
WSGIDaemonProcess one threads=1 ${T}
WSGIDaemonProcess oneexplicit processes=1 threads=1 ${T}
WSGIDaemonProcess many threads=4 ${T}
WSGIDaemonProcess two processes=2 threads=3 ${T}
WSGIDaemonProcess once threads=1 maximum-requests=1 ${T}
WSGIScriptAlias /one @DIR@/dump.wsgi process-group=one
WSGIScriptAlias /oneexplicit @DIR@/dump.wsgi process-group=oneexplicit
WSGIScriptAlias /many @DIR@/dump.wsgi process-group=many
WSGIScriptAlias /two @DIR@/dump.wsgi process-group=two
WSGIScriptAlias /once @DIR@/dump.wsgi process-group=once
WSGIScriptAlias /embedded @DIR@/dump.wsgi
WSGIScriptAlias /global @DIR@/dump.wsgi process-group=one application-group=%{GLOBAL}
WSGIScriptAlias /server @DIR@/dump.wsgi process-group=one application-group=%{SERVER}
WSGIScriptAlias /literal @DIR@/dump.wsgi process-group=one application-group=mine
WSGIScriptAlias /resource @DIR@/dump.wsgi process-group=one
WSGIScriptAlias /fromenv @DIR@/dump.wsgi process-group=one
<Location /fromenv>
  SetEnv APPG chosen-by-env
  WSGIApplicationGroup %{ENV:APPG}
</Location>
`;

describe('wsgi.* flags and group keys', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'dump.wsgi': app('dump.wsgi') });
  });
  after(() => h.stop());

  const matrix: readonly [string, string, boolean, boolean, boolean][] = [
    // mount, process_group, multithread, multiprocess, run_once
    ['/one', 'one', false, false, false],
    ['/oneexplicit', 'oneexplicit', false, true, false],
    ['/many', 'many', true, false, false],
    ['/two', 'two', true, true, false],
    ['/once', 'once', false, false, true],
    ['/embedded', '', true, true, false],
  ];
  for (const [mount, group, mt, mp, once] of matrix) {
    // TODO(supervisor helper): src/wsgi/daemon/spawn-config.ts workerConfig() hard-codes
    // runOnce: false; it must be threads === 1 && maximumRequests === 1 (reference §4.2).
    it(`${mount}: process_group=${JSON.stringify(group)} multithread=${String(mt)} multiprocess=${String(mp)} run_once=${String(once)}`, async () => {
      const { env } = await dump(h.port, req(mount));
      assert.equal(env['mod_wsgi.process_group'], group);
      assert.equal(env['wsgi.multithread'], mt);
      assert.equal(env['wsgi.multiprocess'], mp);
      assert.equal(env['wsgi.run_once'], once);
      assert.deepEqual(env['wsgi.version'], [1, 0]);
      assert.equal(env['wsgi.input_terminated'], true);
      assert.equal(env['wsgi.url_scheme'], 'http');
    });
  }

  // apache2 2.4 + mod_wsgi 4.9.4, ServerName localhost, on 127.0.0.1:48311: a Host without
  // a port gives ap_get_server_port 80 (UseCanonicalName Off), so no port in the name.
  const groups: readonly [string, string, (port: number) => string][] = [
    ['/global', 'localhost', () => ''],
    ['/resource/x', 'localhost', () => 'localhost|/resource'],
    ['/resource/x', 'localhost:80', () => 'localhost|/resource'],
    ['/resource/x', 'localhost:9999', () => 'localhost:9999|/resource'],
    ['/server', 'localhost', () => 'localhost'],
    ['/server', 'localhost:80', () => 'localhost'],
    ['/server', 'localhost:9999', () => 'localhost:9999'],
    ['/literal', 'localhost', () => 'mine'],
    ['/fromenv', 'localhost', () => 'chosen-by-env'],
  ];
  for (const [path, host, want] of groups) {
    it(`expands the application group of ${path} (Host: ${host})`, async () => {
      const { env } = await dump(
        h.port,
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(env['mod_wsgi.application_group'], want(h.port));
      assert.equal(env['mod_wsgi.process_group'], 'one');
      if (path === '/fromenv') assert.equal(env['APPG'], 'chosen-by-env');
    });
  }
});
