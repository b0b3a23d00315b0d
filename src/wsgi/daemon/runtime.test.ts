// mod_wsgi: src/server/wsgi_daemon.c (wsgi_start_daemons / the daemon group list, and the
// shutdown of every group on server stop).
//
// WsgiRuntime against the real Python worker: dispose() escalates SHUTDOWN → SIGTERM →
// SIGKILL per group, and status() reports every pool. Tests wait for log lines and exits,
// never for fixed sleeps.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WsgiRuntime } from './supervisor.js';
import type { WorkerProcess } from './worker-process.js';
import {
  MemoryLog,
  fixtureApp,
  groupSpec,
  request,
  requestSent,
  serveWithPool,
} from './testing.js';

const APP = fixtureApp('pool-timeouts.wsgi');

const preload = (script: string) => [{ script, callable: 'application', applicationGroup: '' }];

describe('WsgiRuntime.dispose()', () => {
  it("escalates SIGTERM → SIGKILL after the group's shutdown-timeout for a worker that ignores SHUTDOWN and SIGTERM", async (t) => {
    const log = new MemoryLog();
    const rt = new WsgiRuntime({
      log,
      env: { TSWSGI_TEST_IGNORE_TERM: '1' },
      killGraceMs: 200,
      timings: { heartbeatIntervalMs: 0 },
    });
    const pool = rt.getPool(groupSpec({ shutdownTimeout: 1, preload: preload(APP) }), '');
    const srv = await serveWithPool(() => pool, log, APP);
    t.after(async () => {
      await srv.close();
      for (const w of pool.workers) w.kill('SIGKILL');
    });
    await log.waitFor(/is ready/);
    const spawned = [...pool.workers];
    const sent = requestSent(spawned);
    const stuck = request(srv.port, '/gil?30');
    const w = await sent;
    const t0 = Date.now();
    await rt.dispose();
    const took = Date.now() - t0;
    assert.ok(took >= 1150 && took < 5000, `dispose took ${took} ms`);
    assert.equal(w.exitSignal, 'SIGKILL');
    assert.equal(log.grep(/still running 1s after SHUTDOWN \(stop\); sending SIGTERM/).length, 1);
    assert.equal(log.grep(/ignored SIGTERM for 0\.2s; sending SIGKILL/).length, 1);
    assert.equal((await stuck).status, 502);
    assert.throws(() => rt.getPool(groupSpec(), ''), /disposed/);
  });
});

describe('WsgiRuntime.status()', () => {
  it('reports group, application group, workers (pid, state, in-flight, served, started at) and queue length', async (t) => {
    const log = new MemoryLog();
    const rt = new WsgiRuntime({ log });
    const spec = groupSpec({ name: 'shop', threads: 1, processes: 1 });
    const pool = rt.getPool(spec, 'shop.example|/app');
    const other = rt.getPool(groupSpec({ name: 'admin' }), '');
    const spawned: WorkerProcess[] = [];
    const srv = await serveWithPool(() => pool, log, APP);
    t.after(async () => {
      await srv.close();
      await rt.dispose(3000);
      for (const w of pool.workers) w.kill('SIGKILL');
    });
    const before = Date.now();
    assert.equal((await request(srv.port, '/hello')).status, 200);
    const w = pool.workers[0];
    assert.ok(w);
    spawned.push(w);
    const sent = requestSent(spawned);
    const busy = request(srv.port, '/sleep?1500');
    await sent;
    const queued = request(srv.port, '/hello');
    while (pool.queued === 0) await new Promise((resolve) => setImmediate(resolve));

    const snap = rt.status();
    assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap, 'plain JSON');
    assert.deepEqual(
      snap.map((p) => [p.group, p.applicationGroup]),
      [
        ['admin', ''],
        ['shop', 'shop.example|/app'],
      ],
    );
    assert.deepEqual(snap[0], {
      group: 'admin',
      applicationGroup: '',
      processes: 1,
      threads: 4,
      workers: [],
      queued: 0,
      spawning: 0,
      startupFailures: 0,
    });
    const shop = snap[1];
    assert.ok(shop);
    assert.equal(shop.queued, 1);
    assert.equal(shop.threads, 1);
    assert.equal(shop.workers.length, 1);
    const ws = shop.workers[0];
    assert.ok(ws);
    assert.equal(ws.pid, w.pid);
    assert.equal(ws.state, 'ready');
    assert.equal(ws.inFlight, 1);
    assert.equal(ws.served, 1);
    assert.equal(ws.dispatched, 2);
    assert.equal(ws.wedged, 0);
    assert.ok(
      ws.startedAt >= before &&
        ws.startedAt <= (ws.readyAt ?? 0) &&
        (ws.readyAt ?? 0) <= Date.now(),
    );

    assert.equal((await busy).status, 200);
    assert.equal((await queued).status, 200);
    const after = rt.status()[1]?.workers[0];
    assert.deepEqual([after?.served, after?.inFlight, rt.status()[1]?.queued], [3, 0, 0]);
    assert.equal(other.workers.length, 0);
  });
});
