import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wsgiStatusSection } from './status-section.js';
import type { PoolStatus } from '../../wsgi/daemon/status.js';

const worker = (pid: number, state: 'ready' | 'exited' | 'retiring', inFlight: number) => ({
  pid,
  state,
  superseded: false,
  inFlight,
  wedged: 0,
  served: 7,
  dispatched: 7 + inFlight,
  startedAt: 1_000,
  readyAt: 1_500,
  lastActivity: 9_000,
});

const POOLS: PoolStatus[] = [
  {
    group: 'app<1>',
    applicationGroup: '',
    processes: 2,
    threads: 15,
    workers: [worker(11, 'ready', 2), worker(12, 'retiring', 1), worker(13, 'exited', 0)],
    queued: 3,
    spawning: 0,
    startupFailures: 0,
  },
];

describe('the WSGI section of server-status', () => {
  it('lists each pool and its live workers as ?auto lines', () => {
    assert.equal(
      wsgiStatusSection(POOLS, { short: true, notable: false, extended: true }, 61_000),
      'WSGIProcessGroup: app<1> application-group=%{GLOBAL} processes=2 threads=15 live=2 busy=3 queued=3 startup-failures=0\n' +
        'WSGIProcess: app<1> pid=11 state=ready in-flight=2 served=7\n' +
        'WSGIProcess: app<1> pid=12 state=retiring in-flight=1 served=7\n',
    );
  });
  it('renders an HTML table, names escaped, exited workers left out', () => {
    const html = wsgiStatusSection(POOLS, { short: false, notable: false, extended: true }, 61_000);
    assert.match(
      html,
      /<td><b>app&lt;1&gt;<\/b><\/td><td>%\{GLOBAL\}<\/td><td colspan="6">processes=2 threads=15 - 3 queued<\/td>/,
    );
    assert.match(html, /<td>11<\/td><td>ready<\/td><td>2<\/td><td>7<\/td><td>60<\/td><td>52<\/td>/);
    assert.doesNotMatch(html, /<td>13<\/td>/);
  });
  it('adds nothing when no pool was started', () => {
    assert.equal(wsgiStatusSection([], { short: true, notable: false, extended: true }, 0), '');
  });
});
