// dispatch() against the real Python worker: bodies both ways under flow control, status
// and header fidelity, error mapping (404/500/502), truncation, client abort.

import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ProcessPool } from './daemon/supervisor.js';
import type { WorkerProcess } from './daemon/worker-process.js';
import type { DaemonGroupSpec } from './daemon/spec.js';
import { FrameDecoder } from './protocol/decode.js';
import { INITIAL_WINDOW } from './protocol/frames.js';
import type { RawFrame } from './protocol/frames.js';
import {
  MemoryLog,
  fixtureApp,
  groupSpec,
  request,
  requestSent,
  serveWithPool,
} from './daemon/testing.js';
import type { DispatchResult } from './dispatch.js';

interface Flow {
  violations: string[];
  maxReqAhead: number;
  maxRespAhead: number;
  frames: { dir: 'in' | 'out'; type: number; stream: number; len: number }[];
}

/** Watches every frame and checks both credit invariants of docs/protocol.md. */
function watchFlow(w: WorkerProcess, flow: Flow): void {
  const st = new Map<
    number,
    { reqSent: number; reqCredit: number; respRecv: number; respCredit: number }
  >();
  w.tap = (dir, f) => {
    const frame: RawFrame | undefined = Buffer.isBuffer(f) ? new FrameDecoder().push(f)[0] : f;
    if (!frame) return;
    flow.frames.push({ dir, type: frame.type, stream: frame.stream, len: frame.payload.length });
    if (frame.type === 0x01)
      st.set(frame.stream, {
        reqSent: 0,
        reqCredit: INITIAL_WINDOW,
        respRecv: 0,
        respCredit: INITIAL_WINDOW,
      });
    const s = st.get(frame.stream);
    if (!s) return;
    if (frame.type === 0x02) {
      s.reqSent += frame.payload.length;
      if (s.reqSent > s.reqCredit)
        flow.violations.push(`request body ${s.reqSent} > credit ${s.reqCredit}`);
      flow.maxReqAhead = Math.max(flow.maxReqAhead, s.reqSent - (s.reqCredit - INITIAL_WINDOW));
    } else if (frame.type === 0x86) s.reqCredit += frame.payload.readUInt32BE(0);
    else if (frame.type === 0x83) {
      s.respRecv += frame.payload.length;
      if (s.respRecv > s.respCredit)
        flow.violations.push(`response body ${s.respRecv} > credit ${s.respCredit}`);
      flow.maxRespAhead = Math.max(flow.maxRespAhead, s.respRecv - (s.respCredit - INITIAL_WINDOW));
    } else if (frame.type === 0x05) s.respCredit += frame.payload.readUInt32BE(0);
  };
}

async function setup(
  t: TestContext,
  script = 'pool-app.wsgi',
  spec: Partial<DaemonGroupSpec> = {},
) {
  const log = new MemoryLog();
  const flow: Flow = { violations: [], maxReqAhead: 0, maxRespAhead: 0, frames: [] };
  const spawned: WorkerProcess[] = [];
  const pool = new ProcessPool(groupSpec(spec), '', {
    log,
    onSpawn: (w) => {
      spawned.push(w);
      watchFlow(w, flow);
    },
  });
  const results: DispatchResult[] = [];
  const srv = await serveWithPool(() => pool, log, fixtureApp(script), { results });
  t.after(async () => {
    await srv.close();
    await pool.stop(3000);
    for (const w of spawned) w.kill('SIGKILL');
  });
  return { log, pool, port: srv.port, flow, results, spawned };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('dispatch', () => {
  it('streams a 4-window upload to the app within request-body credit', async (t) => {
    const { port, flow } = await setup(t);
    const body = Buffer.alloc(4 * INITIAL_WINDOW);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const r = await request(port, '/echo', { method: 'POST', body });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), `${sha(body)} ${body.length}`);
    assert.deepEqual(flow.violations, []);
    assert.ok(flow.maxReqAhead <= INITIAL_WINDOW);
    assert.ok(
      flow.frames.some((f) => f.dir === 'in' && f.type === 0x86),
      'the worker granted request credit',
    );
    assert.ok(flow.frames.filter((f) => f.type === 0x02).every((f) => f.len <= INITIAL_WINDOW));
    assert.equal(
      flow.frames.filter((f) => f.dir === 'out' && f.type === 0x03).length,
      1,
      'one EOF',
    );
  });

  it('streams a 4-window download to a slow reader within response-body credit', async (t) => {
    const { port, flow, results } = await setup(t);
    const n = 4 * INITIAL_WINDOW;
    const r = await request(port, `/download?${n}`, { slowReadMs: 2 });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], String(n));
    const expected = Buffer.alloc(n);
    for (let i = 0; i < n; i++) expected[i] = i % 251;
    assert.equal(sha(r.body), sha(expected));
    assert.ok(r.complete);
    assert.deepEqual(flow.violations, []);
    assert.ok(flow.maxRespAhead <= INITIAL_WINDOW);
    assert.ok(
      flow.frames.some((f) => f.dir === 'out' && f.type === 0x05),
      'the front end granted response credit',
    );
    assert.deepEqual(results, [{ status: 200, bytesSent: n }]);
  });

  it('keeps body bytes intact while a stalled client holds them and other responses stream', async (t) => {
    // Response bytes stay in the channel's read slabs until the client socket has written
    // them (slab-reader.ts). A client that stops reading fills the kernel buffers, so node
    // itself queues its chunks; meanwhile a fast download cycles the reader through many
    // slabs. A slab reused too early would corrupt the stalled body.
    const { port } = await setup(t, 'pool-app.wsgi', { threads: 4 });
    const n = 24 * 1024 * 1024;
    const expected = Buffer.alloc(n);
    for (let i = 0; i < n; i++) expected[i] = i % 251;
    const { get } = await import('node:http');
    const held = await new Promise<{ chunks: Buffer[]; resume: () => void; ended: Promise<void> }>(
      (resolve, reject) => {
        get({ port, host: '127.0.0.1', path: `/download?${n}`, agent: false }, (res) => {
          res.pause();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          const ended = new Promise<void>((done) => res.on('end', done));
          resolve({ chunks, resume: () => res.resume(), ended });
        }).on('error', reject);
      },
    );
    // The stalled response fills the kernel buffers and node's queue while this one runs.
    const fast = await request(port, `/download?${n}`);
    assert.equal(fast.status, 200);
    assert.equal(sha(fast.body), sha(expected));
    held.resume();
    await held.ended;
    const body = Buffer.concat(held.chunks);
    assert.equal(body.length, n);
    assert.equal(sha(body), sha(expected), 'the stalled body is intact');
  });

  it('keeps every Set-Cookie (after the other headers, as mod_wsgi daemon mode) and the reason phrase', async (t) => {
    const { port } = await setup(t);
    const r = await request(port, '/cookies');
    assert.equal(r.status, 201);
    const pairs: string[] = [];
    for (let i = 0; i < r.rawHeaders.length; i += 2) {
      const k = r.rawHeaders[i] ?? '';
      if (k === 'Set-Cookie' || k === 'X-Multi') pairs.push(`${k}: ${r.rawHeaders[i + 1] ?? ''}`);
    }
    // wsgi_scan_headers sets the cookies aside and adds them last, each as sent.
    assert.deepEqual(pairs, ['X-Multi: x', 'Set-Cookie: a=1', 'Set-Cookie: b=2']);
  });

  it('sends headers but no body for HEAD', async (t) => {
    const { port, results } = await setup(t);
    const r = await request(port, '/download?100000', { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], '100000');
    assert.equal(r.body.length, 0);
    assert.deepEqual(results, [{ status: 200, bytesSent: 0 }]);
  });

  it('answers 404 when the script lacks the callable', async (t) => {
    const { port, log } = await setup(t, 'pool-no-callable.wsgi');
    const r = await request(port, '/');
    assert.equal(r.status, 404);
    assert.match(r.body.toString(), /<title>404 Not Found<\/title>/);
    assert.ok(log.grep(/pool-no-callable\.wsgi' in group 'test' failed: 404 /).length === 1);
  });

  it('answers 503 to a request a stopping worker refuses, and routes no more requests to it', async (t) => {
    const { port, log, spawned } = await setup(t, 'pool-app.wsgi', { processes: 1 });
    assert.equal((await request(port, '/')).status, 200);
    const [old] = spawned;
    assert.ok(old);
    // A slow request keeps the worker alive through its drain.
    const sent = requestSent(spawned);
    const slow = request(port, '/slow?1500');
    assert.equal(await sent, old);
    // SHUTDOWN behind the pool's back: the worker refuses what follows with "503 ".
    old.shutdown(5000);
    const r = await request(port, '/');
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /<title>503 Service Unavailable<\/title>/);
    assert.equal(log.grep(/in group 'test' failed: 503 worker is shutting down$/).length, 1);
    const notice = log.grep(/is stopping by itself/);
    assert.equal(notice.length, 1);
    assert.equal(notice[0]?.id, 'MW00231');
    assert.equal(notice[0]?.level, 'info');
    assert.match(
      notice[0]?.message ?? '',
      new RegExp(
        `^daemon process \\(pid ${String(old.pid)}\\) of group 'test' is stopping by itself \\(worker is shutting down\\); routing new requests elsewhere$`,
      ),
    );
    assert.equal(old.retiring, true);
    // The next request goes to the replacement.
    const next = await request(port, '/');
    assert.equal(next.status, 200);
    assert.equal(spawned.length, 2);
    assert.notEqual(spawned[1]?.pid, old.pid);
    const drained = await slow;
    assert.equal(drained.status, 200);
    assert.equal(drained.body.toString(), 'slow done');
  });

  it('answers 500 with a canned page when the script fails to import, traceback only in the log', async (t) => {
    const { port, log } = await setup(t, 'pool-preload-raises.wsgi');
    const r = await request(port, '/');
    assert.equal(r.status, 500);
    assert.match(r.body.toString(), /500 Internal Server Error/);
    assert.doesNotMatch(r.body.toString(), /preload fails on purpose/);
    assert.ok(
      log
        .grep(/preload fails on purpose/)
        .some((l) => l.level === 'error' && typeof l.fields?.pid === 'number'),
    );
  });

  it('aborts the client connection when the app fails after the response started', async (t) => {
    const { port, log } = await setup(t);
    const r = await request(port, '/fail-after-start');
    assert.equal(r.status, 200);
    assert.equal(r.complete, false, 'no terminating chunk');
    assert.equal(r.body.toString(), 'partial');
    assert.equal(log.grep(/failed after it started/).length, 1);
  });

  it('sends ABORT when the client goes away mid-request', async (t) => {
    const { port, flow, pool } = await setup(t);
    const ac = new AbortController();
    const gotRequest = new Promise<void>((resolve) => {
      const iv = setInterval(() => {
        if (flow.frames.some((f) => f.type === 0x01)) {
          clearInterval(iv);
          resolve();
        }
      }, 5);
    });
    const pending = request(port, '/slow?500', { signal: ac.signal }).catch((e: unknown) => e);
    await gotRequest;
    ac.abort();
    await pending;
    while (!flow.frames.some((f) => f.type === 0x04)) await new Promise((r) => setImmediate(r));
    assert.ok(flow.frames.some((f) => f.dir === 'out' && f.type === 0x04));
    // the worker still finishes the stream, and the pool is usable afterwards
    while (!flow.frames.some((f) => f.dir === 'in' && (f.type === 0x84 || f.type === 0x85)))
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(pool.workers[0]?.inFlight, 0);
    assert.equal((await request(port, '/hello')).status, 200);
  });
});
