// ProcessPool timeouts against the real Python worker: startup-timeout, restart-interval,
// inactivity-timeout, request-timeout (504 / abort / wedge recycling), the PING heartbeat,
// SIGTERM → SIGKILL escalation of stop(). WsgiRuntime's dispose() and status(): runtime.test.ts. Timeouts are fractions of
// a second; tests wait for log lines and exits, never for fixed sleeps.

import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { PoolOptions } from './supervisor.js';
import type { DaemonGroupSpec } from './spec.js';
import { fixtureApp, poolHarness, request, requestSent } from './testing.js';

const APP = fixtureApp('pool-timeouts.wsgi');

const setup = (
  t: TestContext,
  spec: Partial<DaemonGroupSpec>,
  opts: Partial<PoolOptions> = {},
  stopMs = 3000,
) => poolHarness(t, APP, spec, opts, { stopMs });

const preload = (script: string) => [{ script, callable: 'application', applicationGroup: '' }];

describe('ProcessPool timeouts', () => {
  it('startup-timeout: SIGKILLs a worker that never says HELLO and backs off', async (t) => {
    const { pool, log, spawned } = await setup(
      t,
      { startupTimeout: 0.3, preload: preload(fixtureApp('pool-slow-preload.wsgi')) },
      { backoffBaseMs: 60000 },
    );
    pool.start();
    const line = await log.waitFor(/failed to start/);
    assert.equal(line.level, 'error');
    assert.match(
      line.message,
      /^daemon process of group 'test' failed to start: daemon process \(pid \d+\) did not become ready within startup-timeout \(0\.3s\); killed after 0\.\d+s before it was ready; retrying in 20000 ms$/,
    );
    const w = spawned[0];
    assert.ok(w);
    await w.exited;
    assert.equal(w.exitSignal, 'SIGKILL');
    assert.ok(line.at - w.spawnedAt >= 290, `killed after ${line.at - w.spawnedAt} ms`);
    const st = pool.status();
    assert.equal(st.startupFailures, 1);
    assert.equal(spawned.length, 1, 'backing off, no respawn loop');
  });

  it('restart-interval: replacement first, the old worker drains, no request fails', async (t) => {
    // (restart-interval counts from spawn: long enough that a slow boot under load does not eat it)
    const { port, log, spawned } = await setup(t, { restartInterval: 2 });
    const first = await request(port, '/hello');
    assert.equal(first.status, 200);
    const pid1 = String(first.headers['x-pid']);
    const w1 = spawned[0];
    assert.ok(w1);
    const slow = request(port, '/sleep?2500');
    const due = await log.waitFor(/past restart-interval/);
    assert.match(
      due.message,
      new RegExp(
        `^daemon process \\(pid ${pid1}\\) of group 'test' is \\d+(\\.\\d+)?s old, past restart-interval \\(2s\\); replacing it$`,
      ),
    );
    await log.waitFor(
      new RegExp(`daemon process \\(pid (?!${pid1}\\))\\d+\\) of group 'test' is ready`),
    );
    const statuses: number[] = [];
    const pids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await request(port, '/hello');
      statuses.push(r.status);
      pids.add(String(r.headers['x-pid']));
    }
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.ok(
      !pids.has(pid1),
      'the superseded worker gets no new request once its replacement is ready',
    );
    const s = await slow;
    assert.equal(s.status, 200, 'the in-flight request on the old worker finished');
    assert.equal(s.body.toString(), 'slept');
    assert.equal(s.headers['x-pid'], pid1);
    await w1.exited;
    assert.equal(w1.exitCode, 0);
    assert.ok(
      log.grep(new RegExp(`pid ${pid1}\\) of group 'test' exited with status 0 \\(retired\\)`))
        .length === 1,
    );
  });

  it('inactivity-timeout: an idle worker is stopped and, without preloads, started again by the next request', async (t) => {
    const { pool, port, log, spawned } = await setup(t, { inactivityTimeout: 0.3 });
    const a = await request(port, '/hello');
    const w1 = spawned[0];
    assert.ok(w1);
    const idle = await log.waitFor(/inactivity-timeout/);
    assert.match(
      idle.message,
      new RegExp(
        `^daemon process \\(pid ${String(w1.pid)}\\) of group 'test' idle for 0\\.\\d+s \\(inactivity-timeout 0\\.3s\\); stopping it, the next request starts a new one$`,
      ),
    );
    await w1.exited;
    assert.equal(w1.exitCode, 0);
    const st = pool.status();
    assert.deepEqual(
      [st.workers.length, st.spawning, spawned.length],
      [0, 0, 1],
      'not replaced while idle',
    );
    const b = await request(port, '/hello');
    assert.equal(b.status, 200);
    assert.notEqual(b.headers['x-pid'], a.headers['x-pid']);
    assert.equal(spawned.length, 2);
  });

  it('inactivity-timeout with a preload: the worker is replaced at once (app stays warm)', async (t) => {
    const { pool, log, spawned } = await setup(t, {
      inactivityTimeout: 0.3,
      preload: preload(APP),
    });
    pool.start();
    const idle = await log.waitFor(/inactivity-timeout/);
    assert.match(idle.message, /\(inactivity-timeout 0\.3s\); stopping it$/);
    const w1 = spawned[0];
    assert.ok(w1);
    await log.waitFor(
      new RegExp(`daemon process \\(pid (?!${String(w1.pid)}\\))\\d+\\) of group 'test' is ready`),
    );
    assert.ok(spawned.length >= 2);
  });

  it('request-timeout before START: 504 for that request only; the worker keeps serving if the thread frees up', async (t) => {
    const { port, log, spawned } = await setup(t, { requestTimeout: 0.3, gracefulTimeout: 5 });
    const frames: number[] = [];
    const sent = requestSent(spawned);
    const pending = request(port, '/sleep?600');
    const tapped = await sent;
    const prev = tapped.tap;
    tapped.tap = (dir, f) => {
      prev?.(dir, f);
      if (dir === 'out' && Buffer.isBuffer(f)) frames.push(f[3] ?? 0);
    };
    const r = await pending;
    assert.ok(frames.includes(0x04), 'the timed-out stream was ABORTed');
    assert.equal(r.status, 504);
    assert.match(r.body.toString(), /<title>504 Gateway Timeout<\/title>/);
    const w = spawned[0];
    assert.ok(w);
    const line = log.grep(/exceeded request-timeout/)[0];
    assert.ok(line);
    assert.match(
      line.message,
      new RegExp(
        `^request for '/sleep\\?600' exceeded request-timeout \\(0\\.3s\\) after 0\\.\\d{3}s on daemon process \\(pid ${String(w.pid)}\\) of group 'test'; answering 504 Gateway Timeout$`,
      ),
    );
    assert.equal(line.fields?.pid, w.pid);
    assert.match(line.fields?.client ?? '', /^127\.0\.0\.1:\d+$/);
    // the app thread finishes within graceful-timeout: the stream ends, no recycling
    while (w.inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
    const next = await request(port, '/hello');
    assert.equal(next.status, 200);
    assert.equal(next.headers['x-pid'], String(w.pid));
    assert.equal(log.grep(/still runs a request/).length, 0);
  });

  it('request-timeout without an onTimeout handler: the pool logs and ABORTs the stream', async (t) => {
    const { pool, log, spawned } = await setup(t, { requestTimeout: 0.2, gracefulTimeout: 5 });
    const frames: number[] = [];
    const ended = new Promise<string>((resolve) => {
      const handler = {
        onStart: () => undefined,
        onData: () => undefined,
        onEnd: () => resolve('end'),
        onError: (m: string) => resolve(`error ${m}`),
        onWindow: () => undefined,
        onFail: (c: string) => resolve(`fail ${c}`),
      };
      void pool.open(APP, 1, handler).then((s) => {
        const prev = s.worker.tap;
        s.worker.tap = (dir, f) => {
          prev?.(dir, f);
          if (dir === 'out' && Buffer.isBuffer(f)) frames.push(f[3] ?? 0);
        };
        s.request(
          [
            ['REQUEST_METHOD', 'GET'],
            ['PATH_INFO', '/sleep'],
            ['QUERY_STRING', '400'],
            ['SCRIPT_NAME', ''],
            ['SERVER_NAME', 'x'],
            ['SERVER_PORT', '80'],
            ['SERVER_PROTOCOL', 'HTTP/1.1'],
            ['SCRIPT_FILENAME', APP],
            ['wsgi.url_scheme', 'http'],
          ],
          false,
        );
      });
    });
    const line = await log.waitFor(/exceeded request-timeout/);
    const w = spawned[0];
    assert.ok(w);
    assert.match(
      line.message,
      new RegExp(
        `^request on daemon process \\(pid ${String(w.pid)}\\) of group 'test' exceeded request-timeout \\(0\\.2s\\) after 0\\.\\d+s$`,
      ),
    );
    assert.equal(line.fields?.pid, w.pid);
    assert.ok(frames.includes(0x04), 'ABORT sent');
    assert.equal(
      await ended,
      'end',
      'the worker still ends the aborted stream (protocol: close() runs)',
    );
    assert.equal(w.inFlight, 0);
  });

  it('request-timeout after START aborts the client connection (visible truncation)', async (t) => {
    const { port, log } = await setup(t, { requestTimeout: 0.3, gracefulTimeout: 30 }, {}, 500);
    const r = await request(port, '/start-sleep?3000');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'first chunk;');
    assert.equal(r.complete, false);
    assert.match(
      (await log.waitFor(/exceeded request-timeout/)).message,
      /request for '\/start-sleep\?3000' .*; aborting the client connection$/,
    );
  });

  it('request-timeout + graceful-timeout: a wedged worker is replaced; its other requests finish', async (t) => {
    const { port, log, spawned } = await setup(
      t,
      { requestTimeout: 1, gracefulTimeout: 0.5, shutdownTimeout: 2 },
      { killGraceMs: 500 },
    );
    const wedged = await request(port, '/sleep?60000');
    assert.equal(wedged.status, 504);
    const w1 = spawned[0];
    assert.ok(w1);
    const pid1 = String(w1.pid);
    const sibling = request(port, '/sleep?600'); // lands on w1 before the wedge is declared
    const recycle = await log.waitFor(/still runs a request/);
    assert.match(
      recycle.message,
      new RegExp(
        `^daemon process \\(pid ${pid1}\\) of group 'test' still runs a request 1\\.\\d+s after it started \\(request-timeout 1s \\+ graceful-timeout 0\\.5s\\); restarting it`,
      ),
    );
    const fresh = await request(port, '/hello');
    assert.equal(fresh.status, 200);
    assert.notEqual(fresh.headers['x-pid'], pid1);
    const s = await sibling;
    assert.equal(s.status, 200);
    assert.equal(s.headers['x-pid'], pid1);
    await w1.exited;
    assert.ok(w1.exitCode === 0 || w1.exitSignal !== null);
    assert.ok(
      log.grep(/exceeded request-timeout/).length === 1,
      'only the wedged request timed out',
    );
  });

  it('heartbeat: a worker that stops answering PING is SIGABRTed (stack dump), its request gets 502, it is replaced', async (t) => {
    const { port, log, spawned } = await setup(
      t,
      {},
      { timings: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 1000 }, killGraceMs: 1000 },
    );
    const hung = await request(port, '/gil?30');
    assert.equal(hung.status, 502);
    const w1 = spawned[0];
    assert.ok(w1);
    await w1.exited;
    assert.equal(w1.exitSignal, 'SIGABRT');
    const line = log.grep(/did not answer a heartbeat PING/)[0];
    assert.ok(line);
    assert.equal(line.level, 'error');
    assert.match(
      line.message,
      new RegExp(
        `^daemon process \\(pid ${String(w1.pid)}\\) of group 'test' did not answer a heartbeat PING for 1(\\.\\d+)?s; presumed hung: sending SIGABRT`,
      ),
    );
    assert.equal(
      log.grep(
        new RegExp(
          `daemon process \\(pid ${String(w1.pid)}\\) of group 'test' was hung \\(no PONG for 1(\\.\\d+)?s\\) and was killed while handling request`,
        ),
      ).length,
      1,
    );
    assert.ok(
      log.grep(/most recent call first/).length > 0,
      'faulthandler dumped the stacks into the error log',
    );
    const next = await request(port, '/hello');
    assert.equal(next.status, 200);
    assert.notEqual(next.headers['x-pid'], String(w1.pid));
  });

  it('stop(): SHUTDOWN, then SIGTERM, then SIGKILL for a worker that ignores both', async (t) => {
    const { pool, port, log, spawned } = await setup(
      t,
      { preload: preload(APP) },
      {
        env: { TSWSGI_TEST_IGNORE_TERM: '1' },
        killGraceMs: 300,
        timings: { heartbeatIntervalMs: 0 },
      },
    );
    pool.start();
    await log.waitFor(/is ready/);
    const sent = requestSent(spawned);
    const stuck = request(port, '/gil?30');
    const w = await sent;
    const t0 = Date.now();
    await pool.stop(400);
    assert.ok(Date.now() - t0 >= 650, `stop took ${Date.now() - t0} ms`);
    assert.equal(w.exitSignal, 'SIGKILL');
    const term = log.grep(/after SHUTDOWN \(stop\); sending SIGTERM/);
    const kill = log.grep(/ignored SIGTERM for 0\.3s; sending SIGKILL/);
    assert.equal(term.length, 1);
    assert.equal(kill.length, 1);
    assert.match(
      term[0]?.message ?? '',
      new RegExp(
        `^daemon process \\(pid ${String(w.pid)}\\) of group 'test' still running 0\\.4s after SHUTDOWN`,
      ),
    );
    assert.ok((term[0]?.at ?? 0) <= (kill[0]?.at ?? 0));
    assert.equal((await stuck).status, 502);
  });
});
