// WorkerWatch (timers.ts) with mocked timers and a fake worker: each deadline fires once,
// at the right time, only in the right state; activity, PONGs and close() defer or cancel.

import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  HEARTBEAT_INTERVAL_MS,
  MIN_HEARTBEAT_TIMEOUT_MS,
  WorkerWatch,
  socketSweepMs,
  watchTimings,
} from './timers.js';
import type { WatchTimings, Watched } from './timers.js';
import { groupSpec } from './testing.js';

class FakeWorker implements Watched {
  state: 'starting' | 'ready' | 'exited' = 'starting';
  inFlight = 0;
  lastActivity = Date.now();
  readonly spawnedAt = Date.now();
  pings = 0;
  ping(): void {
    this.pings++;
  }
}

const OFF: WatchTimings = {
  startupMs: 0,
  restartIntervalMs: 0,
  inactivityMs: 0,
  requestMs: 0,
  wedgeGraceMs: 0,
  heartbeatIntervalMs: 0,
  heartbeatTimeoutMs: 0,
  socketMs: 0,
};

function make(t: Partial<WatchTimings>) {
  const w = new FakeWorker();
  const events: string[] = [];
  const watch = new WorkerWatch(
    w,
    { ...OFF, ...t },
    {
      startupTimeout: (ms) => events.push(`startup ${ms}`),
      restartDue: (ms) => events.push(`restart ${ms}`),
      idle: (ms) => events.push(`idle ${ms}`),
      hung: (ms) => events.push(`hung ${ms}`),
      socketSweep: (now) => events.push(`sweep ${now}`),
    },
  );
  return { w, watch, events };
}

describe('WorkerWatch', () => {
  beforeEach(() =>
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 }),
  );
  afterEach(() => mock.timers.reset());

  it('derives timings from the group spec (seconds → ms, heartbeat floor 10 s)', () => {
    const t = watchTimings(
      groupSpec({
        startupTimeout: 15,
        restartInterval: 3600,
        inactivityTimeout: 0.5,
        requestTimeout: 60,
        gracefulTimeout: 15,
        socketTimeout: 2,
      }),
    );
    assert.deepEqual(t, {
      startupMs: 15000,
      restartIntervalMs: 3600000,
      inactivityMs: 500,
      requestMs: 60000,
      wedgeGraceMs: 15000,
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
      heartbeatTimeoutMs: MIN_HEARTBEAT_TIMEOUT_MS,
      socketMs: 2000,
    });
    assert.equal(watchTimings(groupSpec({ socketTimeout: 90 })).heartbeatTimeoutMs, 90000);
    assert.equal(watchTimings(groupSpec(), { heartbeatIntervalMs: 7 }).heartbeatIntervalMs, 7);
  });

  it('startup-timeout fires once if HELLO never came, never after ready()', () => {
    const a = make({ startupMs: 1000 });
    a.watch.spawned();
    mock.timers.tick(999);
    assert.deepEqual(a.events, []);
    mock.timers.tick(1);
    assert.deepEqual(a.events, ['startup 1000']);
    mock.timers.tick(5000);
    assert.deepEqual(a.events, ['startup 1000']);

    const b = make({ startupMs: 1000 });
    b.watch.spawned();
    mock.timers.tick(500);
    b.w.state = 'ready';
    b.watch.ready();
    mock.timers.tick(5000);
    assert.deepEqual(b.events, []);
    assert.equal(b.watch.pending, 0);
  });

  it('restart-interval counts from spawn, fires once', () => {
    const { w, watch, events } = make({ restartIntervalMs: 3000 });
    watch.spawned();
    mock.timers.tick(1000);
    w.state = 'ready';
    watch.ready();
    mock.timers.tick(1999);
    assert.deepEqual(events, []);
    mock.timers.tick(1);
    assert.deepEqual(events, ['restart 3000']);
    mock.timers.tick(10000);
    assert.equal(events.length, 1);
  });

  it('inactivity-timeout waits for no requests and no activity', () => {
    const { w, watch, events } = make({ inactivityMs: 1000 });
    w.state = 'ready';
    watch.ready();
    mock.timers.tick(600);
    w.lastActivity = Date.now(); // a request came and went
    mock.timers.tick(400);
    assert.deepEqual(events, [], 'activity 400 ms ago defers it');
    w.inFlight = 1;
    mock.timers.tick(2000);
    assert.deepEqual(events, [], 'a request in flight defers it');
    w.inFlight = 0;
    w.lastActivity = Date.now();
    mock.timers.tick(1000);
    assert.deepEqual(events, ['idle 1000']);
  });

  it('heartbeat: one PING per interval, PONG clears it, silence past the timeout is hung', () => {
    const { w, watch, events } = make({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 300 });
    w.state = 'ready';
    watch.ready();
    mock.timers.tick(100);
    assert.equal(w.pings, 1);
    watch.pong();
    mock.timers.tick(100);
    assert.equal(w.pings, 2);
    mock.timers.tick(200); // unanswered for 200 ms: no new PING, not hung yet
    assert.equal(w.pings, 2);
    assert.deepEqual(events, []);
    mock.timers.tick(100);
    assert.deepEqual(events, ['hung 300']);
    assert.equal(watch.pending, 0, 'a hung worker is watched no more');
    mock.timers.tick(1000);
    assert.equal(events.length, 1);
  });

  it('request-timeout then wedge grace; close() cancels either', () => {
    const { w, watch } = make({ requestMs: 1000, wedgeGraceMs: 500 });
    w.state = 'ready';
    watch.ready();
    const seen: string[] = [];
    watch.request(
      (ms) => seen.push(`timeout ${ms}`),
      (ms) => seen.push(`wedged ${ms}`),
    );
    const quick = watch.request(
      () => seen.push('quick timeout'),
      () => seen.push('quick wedged'),
    );
    mock.timers.tick(500);
    quick.close();
    mock.timers.tick(500);
    assert.deepEqual(seen, ['timeout 1000']);
    mock.timers.tick(500);
    assert.deepEqual(seen, ['timeout 1000', 'wedged 1500']);

    const late = watch.request(
      () => seen.push('late timeout'),
      () => seen.push('late wedged'),
    );
    mock.timers.tick(1000);
    late.close(); // finished during the grace period: no recycling
    mock.timers.tick(1000);
    assert.deepEqual(seen.slice(2), ['late timeout']);
  });

  it('one timer serves every request: deadlines in opening order, closed ones leave at once', () => {
    const { w, watch } = make({ requestMs: 1000, wedgeGraceMs: 500 });
    w.state = 'ready';
    watch.ready();
    const seen: string[] = [];
    const watches = ['a', 'b', 'c', 'd'].map((n, i) => {
      if (i > 0) mock.timers.tick(100);
      return watch.request(
        (ms) => seen.push(`${n} timeout ${ms}`),
        (ms) => seen.push(`${n} wedged ${ms}`),
      );
    });
    assert.equal(watch.pending, 1, 'one timer for four requests');
    assert.equal(watch.watchedRequests, 4);
    watches[0]?.close(); // the head
    watches[2]?.close(); // the middle
    assert.equal(watch.watchedRequests, 2);
    mock.timers.tick(800); // t=1100: a's deadline passed (closed), b (opened at 100) is due
    assert.deepEqual(seen, ['b timeout 1000']);
    mock.timers.tick(200); // t=1300: d is due
    assert.deepEqual(seen, ['b timeout 1000', 'd timeout 1000']);
    watches[3]?.close(); // d finishes during its grace
    mock.timers.tick(300); // t=1600: b's wedge check
    assert.deepEqual(seen.slice(2), ['b wedged 1500']);
    assert.equal(watch.watchedRequests, 0);
    assert.equal(watch.pending, 0, 'nothing watched: no timer');
    mock.timers.tick(10_000);
    assert.equal(seen.length, 3);
    // A new request after an idle spell is watched again.
    watch.request(
      (ms) => seen.push(`e timeout ${ms}`),
      () => undefined,
    );
    mock.timers.tick(1000);
    assert.deepEqual(seen.slice(3), ['e timeout 1000']);
  });

  it('request-timeout 0 watches nothing; stop() cancels everything', () => {
    const off = make({});
    off.w.state = 'ready';
    off.watch.ready();
    off.watch.request(
      () => assert.fail('no timeout'),
      () => assert.fail('no wedge'),
    );
    mock.timers.tick(1e9);
    const { w, watch, events } = make({
      startupMs: 10,
      restartIntervalMs: 10,
      inactivityMs: 10,
      requestMs: 10,
      heartbeatIntervalMs: 10,
      heartbeatTimeoutMs: 10,
    });
    watch.spawned();
    w.state = 'ready';
    watch.ready();
    watch.request(
      () => events.push('timeout'),
      () => events.push('wedged'),
    );
    watch.stop();
    assert.equal(watch.pending, 0);
    mock.timers.tick(1000);
    assert.deepEqual(events, []);
  });
  it('sweeps streams against socket-timeout only while ready with requests in flight', () => {
    assert.equal(socketSweepMs(60000), 1000);
    assert.equal(socketSweepMs(1000), 250);
    assert.equal(socketSweepMs(8), 10);
    const { w, watch, events } = make({ socketMs: 1000 });
    w.state = 'ready';
    watch.ready();
    mock.timers.tick(1000);
    assert.deepEqual(events, [], 'no request in flight: nothing to check');
    w.inFlight = 2;
    mock.timers.tick(250);
    mock.timers.tick(250);
    assert.deepEqual(events, ['sweep 1001250', 'sweep 1001500']);
    w.state = 'exited';
    mock.timers.tick(250);
    assert.equal(events.length, 2, 'an exited worker is not swept');
    w.state = 'ready';
    watch.stop();
    mock.timers.tick(1000);
    assert.equal(events.length, 2);
    assert.equal(watch.pending, 0);
  });

  it('arms no sweep when socket-timeout is 0', () => {
    const { w, watch } = make({ socketMs: 0 });
    w.state = 'ready';
    w.inFlight = 1;
    watch.ready();
    assert.equal(watch.pending, 0);
  });
});
