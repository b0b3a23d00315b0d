// Fuzzing the front end's side of the worker channel: an app in one daemon group writes
// seeded, unsolicited frames to fd 3 (tests/fixtures/apps/hostile.wsgi: mostly well-formed,
// aimed at the stream ids other requests on its process hold, with odd and malformed
// payloads) while requests to it and to another group are in flight. Oracle: every client
// gets a well-formed reply or a closed connection in time (never a hang), the other group
// answers every request correctly, nothing reaches the unexpected-error path (MW00301),
// and the server serves normally afterwards. What the hostile group's own clients get is
// not checked beyond well-formedness: its app may answer for them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exchange } from '../support/fuzz.js';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app, req } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
Timeout 5
WSGIDaemonProcess hostile processes=2 threads=4 graceful-timeout=1 shutdown-timeout=1
WSGIDaemonProcess good processes=1 threads=4
WSGIScriptAlias /h @DIR@/hostile.wsgi process-group=hostile
WSGIScriptAlias /g @DIR@/dump.wsgi process-group=good
`;

const CASES = 320;
const BATCH = 8;

/** The status code of a reply that starts with a well-formed status line and head. */
function statusOf(reply: Buffer, what: string): string {
  const text = reply.toString('latin1');
  const m = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n/.exec(text);
  assert.ok(m, `malformed reply ${JSON.stringify(text.slice(0, 80))} to ${what}`);
  assert.ok(text.includes('\r\n\r\n'), `reply without the end of its head: ${what}`);
  return m[1] ?? '';
}

describe('worker channel fuzzing (an app writing frames to fd 3)', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'hostile.wsgi': app('hostile.wsgi'),
      'dump.wsgi': app('dump.wsgi'),
    });
  });
  after(() => h.stop());

  it(`survives ${String(CASES)} requests whose app writes frames to its channel; other groups never notice`, async () => {
    const statuses = new Map<string, number>();
    for (let i = 0; i < CASES; i += BATCH) {
      const seeds = Array.from({ length: BATCH }, (_, j) => i + j);
      const [hostile, good] = await Promise.all([
        Promise.all(
          seeds.map((s) => exchange(h.port, Buffer.from(req(`/h?${String(s)}`), 'latin1'))),
        ),
        Promise.all(
          [0, 1].map((k) => exchange(h.port, Buffer.from(req(`/g/p${String(i + k)}`), 'latin1'))),
        ),
      ]);
      hostile.forEach(({ reply, timedOut }, j) => {
        const what = `/h?${String(seeds[j])}`;
        assert.equal(timedOut, false, `the server neither answered nor closed: ${what}`);
        if (reply.length === 0) return; // a stream failed after its head was cut: closed
        const code = statusOf(reply, what);
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
      });
      good.forEach(({ reply, timedOut }, k) => {
        const what = `/g/p${String(i + k)} during seeds ${String(i)}..${String(i + BATCH - 1)}`;
        assert.equal(timedOut, false, `no answer: ${what}`);
        assert.equal(statusOf(reply, what), '200', `${what}: ${reply.toString('latin1')}`);
        assert.match(reply.toString('latin1'), new RegExp(`"PATH_INFO": "/p${String(i + k)}"`));
      });
    }
    // The storm reached both outcomes: answers, and a worker killed for breaking the
    // protocol (its requests then get 502).
    assert.ok((statuses.get('200') ?? 0) > 10, JSON.stringify([...statuses]));
    assert.ok((statuses.get('502') ?? 0) > 0, JSON.stringify([...statuses]));
    const log = h.errorLog();
    assert.ok(
      log.some((l) => l.includes('broke the protocol')),
      'no protocol error was logged',
    );
    // Every line names the worker, even for a stream that failed before its opener saw it.
    assert.deepEqual(
      log.filter((l) => l.includes('pid undefined')),
      [],
    );
    const unexpected = log.filter((l) => l.includes('MW00301'));
    assert.deepEqual(unexpected, [], unexpected.join('\n'));
    // Afterwards both groups serve normally.
    const ok = await rawRequest(h.port, req('/h?ok'));
    assert.equal(ok.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(ok.body.toString(), 'ok');
    const dump = await rawRequest(h.port, req('/g/after'));
    assert.equal(dump.statusLine, 'HTTP/1.1 200 OK');
    assert.match(dump.body.toString(), /"PATH_INFO": "\/after"/);
  });
});
