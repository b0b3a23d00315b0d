// Daemon supervision seen through the server (reference mod_wsgi.md §3.4, §3.5, §8 #16,
// #17, #20; mod_wsgi wsgi_daemon.c): a daemon killed mid-request gives 502 and a clear
// log line, and the next request runs on a new process; maximum-requests recycles under
// load without a failed request; touching the script reloads it in a new process; a
// graceful stop lets an in-flight request finish.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app, req, until } from '../support/wsgi.js';

const T = 'graceful-timeout=1 shutdown-timeout=1';
const CONF = `${WSGI_PREAMBLE}
SetEnv BLOCK_DIR @DIR@
WSGIDaemonProcess kill threads=2 ${T}
WSGIDaemonProcess recycle processes=2 threads=2 maximum-requests=2 ${T}
WSGIDaemonProcess reload threads=2 ${T}
WSGIScriptAlias /kill @DIR@/block.wsgi process-group=kill
WSGIScriptAlias /recycle @DIR@/block.wsgi process-group=recycle
WSGIScriptAlias /reload @DIR@/reload.wsgi process-group=reload
`;

const pidOf = (body: Buffer): number =>
  Number(/(?:pid|released) (\d+)/.exec(body.toString())?.[1] ?? NaN);

/** Wait for the app to report the pid of the process holding request `tag`. */
async function blockedPid(h: Harness, tag: string): Promise<number> {
  const file = `${h.dir}/${tag}.pid`;
  await until(() => existsSync(file), 10000);
  return Number(readFileSync(file, 'utf8'));
}

describe('daemon supervision through the server', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'block.wsgi': app('block.wsgi'),
      'reload.wsgi': app('block.wsgi'),
    });
  });
  after(() => h.stop());

  it('answers 502 when the daemon is killed mid-request, then serves the next request on a new process', async () => {
    const pending = rawRequest(h.port, req('/kill/block/k1', { keep: true }));
    const pid = await blockedPid(h, 'k1');
    process.kill(pid, 'SIGKILL');
    const res = await pending;
    assert.equal(res.statusLine, 'HTTP/1.1 502 Bad Gateway');
    // 502 does not drop the connection (ap_status_drops_connection): no Connection header.
    assert.deepEqual(res.headerNames, ['content-length', 'content-type', 'date', 'server']);
    assert.match(res.body.toString(), /<h1>Bad Gateway<\/h1>/);
    assert.equal(res.conn.open, true);
    res.conn.close();
    const line = await until(() =>
      h.errorLog().find((l) => l.includes(`daemon process (pid ${String(pid)}) of group 'kill'`)),
    );
    assert.match(
      line,
      /\[wsgi:error\] .*\[client 127\.0\.0\.1:\d+\] MW00225: daemon process \(pid \d+\) of group 'kill' .*SIGKILL.* while handling request for '.*\/block\.wsgi'/,
    );
    const next = await rawRequest(h.port, req('/kill/after'));
    assert.equal(next.statusLine, 'HTTP/1.1 200 OK');
    assert.notEqual(pidOf(next.body), pid);
    assert.ok(pidOf(next.body) > 0);
  });

  it('recycles with maximum-requests=2 under 20 concurrent requests without a failure', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const r = await rawRequest(h.port, req(`/recycle/n${String(i)}`));
        r.conn.close();
        return r;
      }),
    );
    for (const r of results) {
      assert.equal(r.statusLine, 'HTTP/1.1 200 OK', r.body.toString());
      assert.match(r.body.toString(), /^pid \d+ loads 1$/);
    }
    const pids = new Set(results.map((r) => pidOf(r.body)));
    // 20 requests, at most 2 per process: at least 10 distinct processes.
    assert.ok(pids.size >= 10, `only ${String(pids.size)} pids`);
  });

  it('reloads a touched script in a new process without failing a request', async () => {
    const first = await rawRequest(h.port, req('/reload/a'));
    assert.equal(first.status, 200);
    const before1 = pidOf(first.body);
    // Any mtime change counts, even one to an older time.
    const older = new Date(Date.now() - 3600_000);
    utimesSync(`${h.dir}/reload.wsgi`, older, older);
    const second = await rawRequest(h.port, req('/reload/b'));
    assert.equal(second.statusLine, 'HTTP/1.1 200 OK');
    assert.notEqual(pidOf(second.body), before1);
    assert.match(second.body.toString(), /loads 1$/);
    const third = await rawRequest(h.port, req('/reload/c'));
    assert.equal(pidOf(third.body), pidOf(second.body));
  });
});

describe('graceful stop', () => {
  it('drains an in-flight WSGI request before the server stops', async () => {
    const h = await startServer(
      `${WSGI_PREAMBLE}\nSetEnv BLOCK_DIR @DIR@\nWSGIDaemonProcess g threads=1 ${T}\nWSGIScriptAlias /b @DIR@/block.wsgi process-group=g\n`,
      { 'block.wsgi': app('block.wsgi') },
    );
    let stopped = false;
    try {
      const pending = rawRequest(h.port, req('/b/block/g1'));
      const pid = await blockedPid(h, 'g1');
      const stopping = h.server.stop({ graceful: true });
      writeFileSync(`${h.dir}/g1.go`, '');
      const res = await pending;
      assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
      assert.equal(res.body.toString(), `released ${String(pid)}`);
      await stopping;
      stopped = true;
      await until(() => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      });
    } finally {
      if (!stopped) await h.server.stop({ graceful: false });
      rmSync(h.dir, { recursive: true, force: true });
    }
  });
});
