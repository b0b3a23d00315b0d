// What happens at server start (mod_wsgi: wsgi_start_daemons, WSGIImportScript in
// wsgi_interp.c; embedded sizing from the event MPM): preloaded scripts are imported before
// any request, and the embedded group is sized from StartServers × ThreadsPerChild.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, req, until } from '../support/wsgi.js';
import type { WsgiState } from '../../src/modules/wsgi/handler.js';
import { watchTimings } from '../../src/wsgi/daemon/timers.js';

// Appends its pid to a file when imported, and reports the embedded mod_wsgi module's view.
const APP = `import json, os, mod_wsgi
with open(os.path.join(os.path.dirname(__file__), 'imported'), 'a') as f:
    f.write('%d\\n' % os.getpid())
def application(environ, start_response):
    body = json.dumps({'pid': os.getpid(), 'group': environ['mod_wsgi.process_group'],
                       'processes': mod_wsgi.maximum_processes,
                       'threads': mod_wsgi.threads_per_process,
                       'multiprocess': environ['wsgi.multiprocess'],
                       'multithread': environ['wsgi.multithread']}).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
`;

const CONF = `${WSGI_PREAMBLE}
StartServers 3
ThreadsPerChild 4
WSGIDaemonProcess pre processes=1 threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIImportScript @DIR@/pre/app.wsgi process-group=pre application-group=%{GLOBAL}
WSGIScriptAlias /pre @DIR@/pre/app.wsgi process-group=pre application-group=%{GLOBAL}
WSGIScriptAlias /embedded @DIR@/emb/app.wsgi
`;

async function get(port: number, path: string): Promise<Record<string, unknown>> {
  const res = await rawRequest(port, req(path));
  res.conn.close();
  assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
  return JSON.parse(res.body.toString()) as Record<string, unknown>;
}

describe('server start', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'pre/app.wsgi': APP, 'emb/app.wsgi': APP });
  });
  after(() => h.stop());

  it('imports a WSGIImportScript script at start, before any request, once', async () => {
    const marker = join(h.dir, 'pre', 'imported');
    // Written by the import: wait for the line, not only the file (it exists, empty, from
    // open() until the write lands; a loaded machine showed that window).
    const pids = await until(() => {
      const text = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
      return text.endsWith('\n') && text.trim().split('\n');
    });
    assert.equal(
      pids.length,
      1,
      'imported once, although named by WSGIImportScript and by the alias',
    );
    const r = await get(h.port, '/pre');
    assert.equal(String(r['pid']), pids[0], 'the first request runs in the process that preloaded');
    assert.equal(r['group'], 'pre');
    assert.equal(
      readFileSync(marker, 'utf8').trim().split('\n').length,
      1,
      'the request did not import again',
    );
  });

  it('sizes the embedded group from StartServers and ThreadsPerChild, loading lazily', async () => {
    assert.equal(
      existsSync(join(h.dir, 'emb', 'imported')),
      false,
      'no preload: nothing imported before a request',
    );
    const r = await get(h.port, '/embedded');
    assert.equal(r['group'], '');
    assert.equal(r['processes'], 3);
    assert.equal(r['threads'], 4);
    assert.equal(r['multiprocess'], true);
    assert.equal(r['multithread'], true);
  });

  it("gives the embedded group none of a daemon group's request limits, as mod_wsgi's embedded mode", () => {
    const state = h.server.generation.moduleState('wsgi') as WsgiState;
    const emb = state.groups.get('');
    assert.ok(emb);
    assert.equal(emb.requestTimeout, 0);
    assert.equal(emb.queueTimeout, 0);
    // socket-timeout remains the heartbeat's deadline only: no per-stream sweep.
    const t = watchTimings(emb);
    assert.equal(t.socketMs, 0);
    assert.equal(t.heartbeatTimeoutMs, emb.socketTimeout * 1000);
    // A daemon group keeps mod_wsgi-express's defaults.
    const pre = state.groups.get('pre');
    assert.ok(pre);
    assert.equal(pre.requestTimeout, 60);
    assert.equal(watchTimings(pre).socketMs, 60000);
  });
});
