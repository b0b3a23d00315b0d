// Tests for RequestRecord → environ (mod_wsgi 4.9.4 wsgi_build_environment).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildEnviron,
  DEBIAN_MOD_WSGI_4_9_4_KEYS,
  SCRIPT_MTIME_KEY,
  wsgiCgiVars,
  wsgiFlags,
} from './environ.js';
import { config, fakeRequest, generation, server } from '../../tests/support/record.js';
import { createCoreServer } from '../core/config.js';
import { defaultDaemonSpec } from './daemon/options.js';

const w = {
  processGroup: '',
  applicationGroup: 'localhost:18931|/app',
  callableObject: 'application',
  requestHandler: 'wsgi-script',
  handlerScript: '',
  scriptReloading: true,
  passAuthorization: false,
  authorization: 'Basic eA==',
  mapHeadToGet: false,
  method: 'GET',
  listenerHost: '127.0.0.1',
  listenerPort: 18931,
  requestTimeMs: 1795292001405.614,
  enableSendfile: false,
  ignoreActivity: false,
  requestId: 'rgoD/qZsCFg',
  connectionId: undefined,
  https: false,
};
// The CGI table of a real RequestRecord (its rules are tested in src/request/cgi-env.test.ts).
const { gen } = await generation(
  config(server({ server: { core: { ...createCoreServer(), serverName: 'localhost' } } })),
  [],
);
const rec = fakeRequest(gen, {
  target: '/app//a%20b?x=%41',
  headers: [
    ['Host', 'localhost:18931'],
    ['X-Multi', 'a'],
    ['X-Multi', 'b'],
    ['X_Foo', '1'],
    ['Proxy', 'p'],
    ['Authorization', 'Basic eA=='],
  ],
});
rec.uri = '/app//a b';
rec.filename = '/srv/app.wsgi';
rec.pathInfo = '//a b';
rec.env.set('PATH', '/bin');
rec.env.set('HTTPS', 'on');
const cgi = wsgiCgiVars(rec);

describe('buildEnviron', () => {
  it('collapses slashes, joins repeated headers, drops invalid names, Proxy, PATH and HTTPS', () => {
    const env = new Map(buildEnviron(cgi, w));
    assert.equal(env.get('SCRIPT_NAME'), '/app');
    assert.equal(env.get('PATH_INFO'), '/a b');
    assert.equal(env.get('mod_wsgi.path_info'), '/a b');
    assert.equal(env.get('HTTP_X_MULTI'), 'a, b');
    assert.equal(env.has('HTTP_X_FOO'), false);
    assert.equal(env.has('HTTP_PROXY'), false);
    assert.equal(env.has('PATH'), false);
    assert.equal(env.has('HTTPS'), false);
    assert.equal(env.get('wsgi.url_scheme'), 'https');
    assert.equal(env.get('GATEWAY_INTERFACE'), 'CGI/1.1');
    assert.equal(env.get('REQUEST_URI'), '/app//a%20b?x=%41');
    assert.equal(env.get('mod_wsgi.request_start'), '1795292001405614');
    assert.equal(env.get('mod_wsgi.script_reloading'), '1');
  });
  it('passes HTTP_AUTHORIZATION only with pass-authorization on', () => {
    assert.equal(new Map(buildEnviron(cgi, w)).has('HTTP_AUTHORIZATION'), false);
    assert.equal(
      new Map(buildEnviron(cgi, { ...w, passAuthorization: true })).get('HTTP_AUTHORIZATION'),
      'Basic eA==',
    );
  });
  it('sends every CGI/mod_wsgi key Debian mod_wsgi 4.9.4 sends from the Apache child', () => {
    const env = new Map(buildEnviron(cgi, w));
    // Keys the real module adds in Python (worker side) or from core config are excluded here.
    const pythonSide =
      /^(wsgi\.(?!url_scheme)|apache\.|mod_wsgi\.(version|thread_id|thread_requests|total_requests|script_start)$)/;
    const core = new Set([
      'CONTEXT_DOCUMENT_ROOT',
      'CONTEXT_PREFIX',
      'DOCUMENT_ROOT',
      'SERVER_ADMIN',
      'PATH_TRANSLATED',
      'HTTP_ACCEPT',
      'HTTP_HOST',
      'HTTP_USER_AGENT',
    ]);
    const missing = DEBIAN_MOD_WSGI_4_9_4_KEYS.embedded.filter(
      (k) => !pythonSide.test(k) && !core.has(k) && !env.has(k),
    );
    assert.deepEqual(missing, []);
  });
  it('gives wsgi flags per reference §4.6', () => {
    assert.deepEqual(wsgiFlags(defaultDaemonSpec('', o)), {
      multithread: true,
      multiprocess: true,
      runOnce: false,
    });
    const d = defaultDaemonSpec('g', o);
    assert.deepEqual(wsgiFlags(d), { multithread: true, multiprocess: false, runOnce: false });
    assert.deepEqual(wsgiFlags({ ...d, threads: 1, processesExplicit: true }), {
      multithread: false,
      multiprocess: true,
      runOnce: false,
    });
  });
});
const o = { file: '', line: 0 };

describe('buildEnviron daemon-mode keys', () => {
  it('adds queue_start, daemon_connects and daemon_restarts only for a daemon group', () => {
    assert.equal(new Map(buildEnviron(cgi, w)).has('mod_wsgi.queue_start'), false);
    const env = new Map(
      buildEnviron(cgi, { ...w, processGroup: 'diff', queueStartMs: 1795292001406.5 }),
    );
    assert.equal(env.get('mod_wsgi.queue_start'), '1795292001406500');
    assert.equal(env.get('mod_wsgi.daemon_connects'), '1');
    assert.equal(env.get('mod_wsgi.daemon_restarts'), '0');
    const retried = new Map(
      buildEnviron(cgi, { ...w, processGroup: 'diff', daemonConnects: 3, daemonRestarts: 1 }),
    );
    assert.equal(retried.get('mod_wsgi.daemon_connects'), '3');
    assert.equal(retried.get('mod_wsgi.daemon_restarts'), '1');
    assert.match(retried.get('mod_wsgi.queue_start') ?? '', /^\d{16}$/);
  });
});

describe('buildEnviron script mtime note', () => {
  it('sends the script mtime in whole ms only while script reloading is on', () => {
    const on = buildEnviron(cgi, { ...w, scriptReloading: true, scriptMtimeMs: 1795292001405.9 });
    assert.equal(on.get(SCRIPT_MTIME_KEY), '1795292001405');
    const off = buildEnviron(cgi, { ...w, scriptReloading: false, scriptMtimeMs: 1795292001405.9 });
    assert.equal(off.has(SCRIPT_MTIME_KEY), false);
    assert.equal(buildEnviron(cgi, { ...w, scriptReloading: true }).has(SCRIPT_MTIME_KEY), false);
  });
});
