// Application groups (reference mod_wsgi.md §3.6, §8 #20; mod_wsgi wsgi_interp.c): two
// scripts in the same application group share interpreter state, two groups never do,
// and C extension modules work in every group (mod_wsgi's sub-interpreters break some;
// tswsgi gives every group its own process). numpy is not installed on this machine, so
// the stdlib C extensions _decimal, _json and array stand in for it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { APP_HEADERS_CLOSE, WSGI_PREAMBLE, app, req } from '../support/wsgi.js';

interface State {
  pid: number;
  hits: number;
  loads: number;
  script: string;
  group: string;
  decimal: string;
  decimal_file: string;
  json_c: string;
  array: number[];
}

const CONF = `${WSGI_PREAMBLE}
WSGIDaemonProcess iso threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIProcessGroup iso
WSGIScriptAlias /a1 @DIR@/a1.wsgi application-group=shared
WSGIScriptAlias /a2 @DIR@/a2.wsgi application-group=shared
WSGIScriptAlias /b @DIR@/a1.wsgi application-group=other
WSGIScriptAlias /g @DIR@/a1.wsgi application-group=%{GLOBAL}
`;

async function state(port: number, path: string): Promise<State> {
  const res = await rawRequest(port, req(path));
  res.conn.close();
  assert.equal(res.statusLine, 'HTTP/1.1 200 OK', res.body.toString());
  assert.deepEqual(res.headerNames, APP_HEADERS_CLOSE);
  return JSON.parse(res.body.toString()) as State;
}

describe('application groups', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'a1.wsgi': app('state.wsgi'), 'a2.wsgi': app('state.wsgi') });
  });
  after(() => h.stop());

  it('shares interpreter state between two scripts of the same group', async () => {
    const first = await state(h.port, '/a1');
    const second = await state(h.port, '/a2');
    assert.equal(first.group, 'shared');
    assert.equal(second.group, 'shared');
    assert.equal(second.pid, first.pid);
    assert.equal(second.hits, first.hits + 1);
    // Each script is its own module, loaded once, into the same interpreter.
    assert.equal(second.loads, first.loads + 1);
    assert.equal(first.script, `${h.dir}/a1.wsgi`);
    assert.equal(second.script, `${h.dir}/a2.wsgi`);
  });

  it('never shares state between different groups (different interpreters/processes)', async () => {
    const shared = await state(h.port, '/a1');
    const other = await state(h.port, '/b');
    const global = await state(h.port, '/g');
    assert.equal(other.group, 'other');
    assert.equal(global.group, '');
    assert.notEqual(other.pid, shared.pid);
    assert.notEqual(global.pid, shared.pid);
    assert.notEqual(global.pid, other.pid);
    assert.equal(other.hits, 1);
    assert.equal(other.loads, 1);
    assert.equal(global.hits, 1);
  });

  for (const path of ['/a1', '/b', '/g']) {
    it(`imports and runs C extension modules in group ${path}`, async () => {
      const s = await state(h.port, path);
      assert.equal(s.decimal, '3.305');
      assert.match(s.decimal_file, /_decimal\..*\.so$/);
      assert.equal(s.json_c, '"\\u00e9"');
      assert.deepEqual(s.array, [1, 2, 3]);
    });
  }
});
