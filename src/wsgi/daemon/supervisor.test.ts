// ProcessPool against the real Python worker (python/tswsgi_worker): multiplexing,
// crash handling, backoff, recycling, draining, queue timeouts, script reloading.

import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_QUEUE } from './supervisor.js';
import { PROTOCOL_VERSION } from '../protocol/frames.js';
import type { PoolOptions } from './supervisor.js';
import type { DaemonGroupSpec } from './spec.js';
import { fixtureApp, poolHarness, request, requestSent } from './testing.js';

const APP = fixtureApp('pool-app.wsgi');

const setup = (
  t: TestContext,
  spec: Partial<DaemonGroupSpec>,
  opts: Partial<PoolOptions> = {},
  mtime?: () => number,
) => poolHarness(t, APP, spec, opts, mtime ? { mtime } : {});

describe('ProcessPool', () => {
  it('starts a worker lazily and answers through it (HELLO round trip)', async (t) => {
    const { pool, port, log } = await setup(t, {});
    assert.equal(pool.workers.length, 0);
    const r = await request(port, '/hello');
    assert.equal(r.status, 200);
    const w = pool.workers[0];
    assert.ok(w?.hello);
    assert.equal(r.body.toString(), `Hello pid=${w.hello.pid}`);
    assert.equal(r.headers['x-pid'], String(w.pid));
    assert.equal(w.hello.protocol, PROTOCOL_VERSION);
    assert.match(w.hello.python, /^3\.\d+/);
    assert.equal(log.grep(/starting daemon process \(pid \d+\) of group 'test'/).length, 1);
  });

  it('a finished stream lets go of its request: handler, watch and table slot', async (t) => {
    const { pool } = await setup(t, { requestTimeout: 60 });
    const events: string[] = [];
    let ended: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const handler = {
      onStart: (status: string) => events.push(`start ${status}`),
      onData: (d: Buffer) => events.push(`data ${d.toString()}`),
      onEnd: () => {
        events.push('end');
        ended();
      },
      onError: (m: string) => {
        events.push(`error ${m}`);
        ended();
      },
      onWindow: () => undefined,
      onFail: (c: string) => {
        events.push(`fail ${c}`);
        ended();
      },
    };
    const s = await pool.open(APP, 1, handler);
    assert.equal(s.handler, handler);
    assert.equal(typeof s.onClosed, 'function', 'request-timeout watches it');
    s.request(
      [
        ['REQUEST_METHOD', 'GET'],
        ['SCRIPT_NAME', ''],
        ['PATH_INFO', '/hello'],
        ['QUERY_STRING', ''],
        ['SCRIPT_FILENAME', APP],
        ['SERVER_NAME', 'localhost'],
        ['SERVER_PORT', '80'],
        ['SERVER_PROTOCOL', 'HTTP/1.1'],
        ['wsgi.url_scheme', 'http'],
      ],
      false,
    );
    await done;
    assert.equal(events[0], 'start 200 OK');
    assert.match(events[1] ?? '', /^data Hello pid=\d+$/);
    assert.equal(events[2], 'end');
    assert.equal(s.closed, true);
    assert.notEqual(s.handler, handler, 'the closed stream holds no handler');
    assert.equal(s.onClosed, undefined);
    assert.equal(s.worker.inFlight, 0);
    s.handler.onData(Buffer.from('late')); // a late frame goes nowhere
    assert.equal(events.length, 3);
  });

  it('multiplexes many concurrent requests over at most `processes` workers', async (t) => {
    const { pool, port } = await setup(t, { processes: 2, threads: 8 });
    const replies = await Promise.all(Array.from({ length: 40 }, () => request(port, '/slow?20')));
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    assert.ok(replies.every((r) => r.body.toString() === 'slow done'));
    const pids = new Set(replies.map((r) => r.headers['x-pid']));
    assert.ok(pids.size >= 1 && pids.size <= 2, `pids ${[...pids].join(',')}`);
    const poolPids = new Set(pool.workers.map((w) => String(w.pid)));
    for (const p of pids)
      assert.ok(poolPids.has(String(p)), `pid ${String(p)} belongs to the pool`);
  });

  it('fails only the in-flight request of a SIGKILLed worker with 502 and a log line, then respawns', async (t) => {
    const { pool, port, log, spawned } = await setup(t, {});
    const sent = requestSent(spawned);
    const pending = request(port, '/slow?30000');
    const w = await sent;
    const pid = w.pid ?? 0;
    process.kill(pid, 'SIGKILL');
    const r = await pending;
    assert.equal(r.status, 502);
    assert.match(r.body.toString(), /<title>502 Bad Gateway<\/title>/);
    const line = log.grep(
      new RegExp(
        `daemon process \\(pid ${pid}\\) of group 'test' exited with signal SIGKILL while handling request for '${APP.replace(/[.]/g, '\\.')}'`,
      ),
    );
    assert.equal(line.length, 1);
    assert.equal(line[0]?.level, 'error');
    assert.match(line[0]?.fields?.client ?? '', /^127\.0\.0\.1:\d+$/);
    const next = await request(port, '/hello');
    assert.equal(next.status, 200);
    assert.notEqual(next.headers['x-pid'], String(pid));
    assert.equal(pool.workers.length, 1);
  });

  it('backs off exponentially when a preload makes the worker exit 4', async (t) => {
    const base = 150;
    const { pool, log } = await setup(
      t,
      {
        preload: [
          {
            script: fixtureApp('pool-preload-raises.wsgi'),
            callable: 'application',
            applicationGroup: '',
          },
        ],
      },
      { backoffBaseMs: base },
    );
    pool.start();
    await log.waitFor(/retrying in 600 ms/);
    const starts = log.grep(/starting daemon process/).map((l) => l.at);
    assert.ok(starts.length >= 3);
    const fails = log.grep(
      /failed to start: daemon process \(pid \d+\) exited with status 4 \(a preloaded script failed to import\) before it was ready; retrying in/,
    );
    assert.ok(fails.length >= 3);
    for (let i = 1; i < 3; i++) {
      const gap = (starts[i] ?? 0) - (starts[i - 1] ?? 0);
      assert.ok(gap >= base * 2 ** (i - 1) - 5, `gap ${i} was ${gap} ms`);
    }
    // the preload traceback reached the error log through stderr, with the child's pid
    assert.ok(log.grep(/preload fails on purpose/).some((l) => typeof l.fields?.pid === 'number'));
  });

  it('logs a channel that cannot be made as a failed start, backs off and starts once it can', async (t) => {
    const saved = process.env['TMPDIR'];
    t.after(() => {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    });
    // The channel's private directory is made under TMPDIR: make that impossible.
    process.env['TMPDIR'] = '/nonexistent/tswsgi-test-tmp';
    const { port, log, spawned } = await setup(t, {}, { backoffBaseMs: 100 });
    const pending = request(port, '/hello');
    const line = await log.waitFor(/failed to start/);
    assert.equal(line.level, 'error');
    assert.equal(line.id, 'MW00212');
    assert.match(
      line.message,
      /^daemon process of group 'test' failed to start: cannot make the worker channel's private directory in \/nonexistent\/tswsgi-test-tmp: ENOENT: no such file or directory, mkdtemp '\/nonexistent\/tswsgi-test-tmp\/tswsgi-[A-Za-z0-9]{6}'; retrying in 100 ms$/,
    );
    assert.equal(spawned.length, 0, 'no worker without its channel');
    process.env['TMPDIR'] = saved ?? '/tmp';
    const r = await pending;
    assert.equal(r.status, 200);
    assert.match(r.body.toString(), /^Hello pid=\d+$/);
    assert.equal(spawned.length, 1);
  });

  it('logs a boot error (exit 3) for a python-path that does not exist and answers 503 after connect-timeout', async (t) => {
    const { port, log } = await setup(
      t,
      { pythonPath: ['/nonexistent/dir'], connectTimeout: 0.4 },
      { backoffBaseMs: 100 },
    );
    const r = await request(port, '/hello');
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /503 Service Unavailable/);
    // (under load the first boot may outlast connect-timeout, so wait for the lines)
    assert.equal((await log.waitFor(/exited with status 3 \(boot error/)).level, 'error');
    assert.ok(
      typeof (await log.waitFor(/python-path directory does not exist: \/nonexistent\/dir/)).fields
        ?.pid === 'number',
    );
    assert.ok(
      log.grep(/no daemon process of group 'test' became ready within connect-timeout/).length ===
        1,
    );
  });

  it('recycles a worker after maximum-requests without failing any request', async (t) => {
    const { port, log } = await setup(t, { maximumRequests: 3 });
    const pids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await request(port, '/hello');
      assert.equal(r.status, 200, `request ${i}`);
      pids.push(String(r.headers['x-pid']));
    }
    assert.ok(new Set(pids).size >= 3, pids.join(','));
    assert.equal(pids[0], pids[2]);
    assert.notEqual(pids[2], pids[3]);
    assert.ok(log.grep(/reached maximum-requests \(3\); recycling it/).length >= 3);
  });

  it('stop() lets an in-flight request finish, then the worker exits 0', async (t) => {
    const { pool, port, log, spawned } = await setup(t, {});
    const sent = requestSent(spawned);
    const pending = request(port, '/slow?300');
    const w = await sent;
    const stopped = pool.stop(5000);
    const r = await pending;
    await stopped;
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'slow done');
    assert.equal(w.exitCode, 0);
    assert.equal(w.exitSignal, null);
    assert.equal(log.grep(/exited with status 0 \(stopped\)/).length, 1);
    assert.equal((await request(port, '/hello')).status, 503);
  });

  it('answers 504 to a request that waits longer than queue-timeout, without running it', async (t) => {
    const { pool, port, log, spawned } = await setup(t, { threads: 1, queueTimeout: 0.3 });
    // Boot the worker first: a slow boot under load would itself exceed queue-timeout.
    pool.start();
    await log.waitFor(/is ready/);
    const sent = requestSent(spawned);
    const busy = request(port, '/slow?1500');
    await sent;
    let requests = 0;
    for (const w of spawned) {
      const prev = w.tap;
      w.tap = (dir, f) => {
        prev?.(dir, f);
        if (dir === 'out' && Buffer.isBuffer(f) && f[3] === 0x01) requests++;
      };
    }
    const t0 = Date.now();
    const r = await request(port, '/hello');
    assert.equal(r.status, 504);
    assert.match(r.body.toString(), /504 Gateway Timeout/);
    assert.ok(Date.now() - t0 >= 290);
    assert.equal(requests, 0, 'the queued request never reached a worker');
    assert.equal(log.grep(/waited more than queue-timeout \(0\.3s\)/).length, 1);
    assert.equal((await busy).status, 200);
  });

  it('queues past the old 100-request cap, and answers 503 once maxQueue requests wait', async (t) => {
    assert.equal(DEFAULT_MAX_QUEUE, 4096);
    const { pool, port, log, spawned } = await setup(t, { threads: 1 }, { maxQueue: 2 });
    pool.start();
    await log.waitFor(/is ready/);
    const sent = requestSent(spawned);
    const busy = request(port, '/slow?600');
    await sent;
    const queued = [request(port, '/hello'), request(port, '/hello')];
    // Two wait; the third finds the queue full.
    for (let i = 0; i < 1000 && pool.status().queued < 2; i++)
      await new Promise((r) => setImmediate(r));
    assert.equal(pool.status().queued, 2);
    const full = await request(port, '/hello');
    assert.equal(full.status, 503);
    assert.match(full.body.toString(), /503 Service Unavailable/);
    assert.equal(
      log.grep(/request queue of daemon process group 'test' is full \(2 waiting\)/).length,
      1,
    );
    assert.deepEqual(
      (await Promise.all([busy, ...queued])).map((r) => r.status),
      [200, 200, 200],
    );
  });

  it('retires a worker that served an older version of the script (daemon reload)', async (t) => {
    let mtime = 1000;
    const { port, log } = await setup(t, {}, {}, () => mtime);
    const a = await request(port, '/hello');
    const b = await request(port, '/hello');
    assert.equal(a.headers['x-pid'], b.headers['x-pid']);
    mtime = 2000;
    const c = await request(port, '/hello');
    assert.equal(c.status, 200);
    assert.notEqual(c.headers['x-pid'], a.headers['x-pid']);
    assert.equal(log.grep(/changed; restarting daemon process/).length, 1);
  });

  it('restart() replaces every worker while an old one finishes its request', async (t) => {
    const { pool, port, spawned, log } = await setup(t, {});
    const first = await request(port, '/hello');
    const sent = requestSent(spawned);
    const slow = request(port, '/slow?400');
    await sent;
    pool.restart();
    // Until the replacement says HELLO the old worker keeps serving (no added latency).
    const oldPid = String(first.headers['x-pid']);
    await log.waitFor(
      new RegExp(`daemon process \\(pid (?!${oldPid}\\))\\d+\\) of group 'test' is ready`),
    );
    const after = await request(port, '/hello');
    assert.equal(after.status, 200);
    assert.notEqual(after.headers['x-pid'], first.headers['x-pid']);
    const s = await slow;
    assert.equal(s.status, 200);
    assert.equal(s.headers['x-pid'], first.headers['x-pid']);
  });
});
