// callPool (the WSGIDispatchScript / auth-script question to a worker) against a real
// worker: the whole answer comes back, and a worker that stays silent past socket-timeout
// ends the call with an error instead of leaving it pending.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { callPool } from './call.js';
import { ProcessPool } from './daemon/supervisor.js';
import { MemoryLog, fixtureApp, groupSpec } from './daemon/testing.js';
import type { WorkerProcess } from './daemon/worker-process.js';

const script = fixtureApp('socket-timeout.wsgi');
const mtime = statSync(script).mtimeMs;
const environ = (path: string, query: string): [string, string][] => [
  ['REQUEST_METHOD', 'GET'],
  ['SCRIPT_NAME', '/x'],
  ['PATH_INFO', path],
  ['QUERY_STRING', query],
  ['SERVER_NAME', 'localhost'],
  ['SERVER_PORT', '80'],
  ['SERVER_PROTOCOL', 'HTTP/1.1'],
  ['SCRIPT_FILENAME', script],
  ['mod_wsgi.process_group', 'test'],
];

describe('callPool', () => {
  const spawned: WorkerProcess[] = [];
  const pool = new ProcessPool(groupSpec({ threads: 2, socketTimeout: 1 }), '', {
    log: new MemoryLog(),
    onSpawn: (w) => spawned.push(w),
  });
  after(async () => {
    await pool.stop(3000);
    for (const w of spawned) w.kill('SIGKILL');
  });

  it('collects the whole answer', async () => {
    const r = await callPool(pool, environ('/hello', ''), script, mtime);
    assert.deepEqual(r, { ok: true, status: 200, body: Buffer.from('hello') });
  });

  it('a worker silent past socket-timeout ends the call with an error', async () => {
    const t0 = Date.now();
    const r = await callPool(pool, environ('/sleep', '2500'), script, mtime);
    assert.equal(r.ok, false);
    assert.match(
      r.ok ? '' : r.error,
      /^nothing from the daemon process for 1\d{3} ms \(socket-timeout\)$/,
    );
    assert.ok(Date.now() - t0 < 2400, 'answered before the app would have');
  });
});
