// METRICS_QUERY → METRICS between a real Python worker and its WorkerProcess: what
// mod_wsgi.server_metrics() returns is whatever the pool's serverMetrics provider built,
// asked for only when the group has server metrics on (docs/protocol.md).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureApp, poolHarness, request } from './testing.js';

const APP = fixtureApp('metrics.wsgi');

describe('server_metrics() over METRICS_QUERY/METRICS', () => {
  it("answers with the provider's value, built at each call", async (t) => {
    let calls = 0;
    const { port } = await poolHarness(
      t,
      APP,
      { serverMetrics: true },
      { serverMetrics: () => ({ server_limit: 1, calls: ++calls }) },
    );
    const a = await request(port, '/server');
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.body.toString()), { server_limit: 1, calls: 1 });
    const b = await request(port, '/server');
    assert.deepEqual(JSON.parse(b.body.toString()), { server_limit: 1, calls: 2 });
    // Requests that do not call server_metrics() never ask.
    await request(port, '/process');
    assert.equal(calls, 2);
  });

  it('a provider that throws gives None and MW00580', async (t) => {
    const { port, log } = await poolHarness(
      t,
      APP,
      { serverMetrics: true },
      {
        serverMetrics: () => {
          throw new Error('no board');
        },
      },
    );
    const r = await request(port, '/server');
    assert.equal(r.body.toString(), 'null');
    const line = log.lines.find((l) => l.id === 'MW00580');
    assert.equal(line?.message, 'server metrics could not be built: no board');
    assert.equal(line.level, 'error');
  });

  it('a group without server metrics does not ask', async (t) => {
    let calls = 0;
    const { port } = await poolHarness(t, APP, {}, { serverMetrics: () => ++calls });
    const r = await request(port, '/server');
    assert.equal(r.body.toString(), 'null');
    assert.equal(calls, 0);
  });
});
