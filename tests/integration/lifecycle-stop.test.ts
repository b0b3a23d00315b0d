// Stopping with requests in flight (httpd: mpm_event's graceful and hard stop). Regression
// tests: a response queued behind another on a keep-alive socket (node's state.outgoing)
// got neither 'finish' nor 'close' when the client vanished, so its generation — with its
// daemon processes — stayed "busy" forever and a stop never reaped the daemons.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { WSGI_PREAMBLE, app, until } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
SetEnv BLOCK_DIR @DIR@
WSGIDaemonProcess stop processes=2 threads=4 graceful-timeout=1 shutdown-timeout=1
WSGIScriptAlias /b @DIR@/block.wsgi process-group=stop
`;

/** Resolves with true if `p` settles within `ms`. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Two pipelined requests on one socket: the second response waits behind the first. */
async function pipelined(h: Harness, tag: string): Promise<{ pid: number; close: () => void }> {
  const sock = connect(h.port, '127.0.0.1');
  sock.on('error', () => undefined);
  const one = `GET /b/block/${tag} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
  const two = `GET /b/quick HTTP/1.1\r\nHost: localhost\r\n\r\n`;
  sock.write(one + two);
  const file = `${h.dir}/${tag}.pid`;
  await until(() => existsSync(file), 10000);
  return { pid: Number(readFileSync(file, 'utf8')), close: () => sock.destroy() };
}

describe('stop with requests in flight', () => {
  it('a graceful stop completes after a client with a queued pipelined response vanishes', async () => {
    const h = await startServer(CONF, { 'block.wsgi': app('block.wsgi') });
    const { pid, close } = await pipelined(h, 'g1');
    close(); // the queued second response never gets a socket
    writeFileSync(`${h.dir}/g1.go`, ''); // let the first request finish
    const stopped = await within(h.server.stop({ graceful: true }), 8000);
    assert.equal(stopped, true, 'graceful stop did not complete: a request stayed in flight');
    await until(() => !alive(pid), 5000);
    assert.equal(alive(pid), false, 'the daemon process is gone once stop resolves');
    rmSync(h.dir, { recursive: true, force: true }); // the server is stopped already
  });

  it('a hard stop reaps the daemons even while requests are running', async () => {
    const h = await startServer(CONF, { 'block.wsgi': app('block.wsgi') });
    const { pid, close } = await pipelined(h, 'h1');
    const stopped = await within(h.server.stop({ graceful: false }), 8000);
    assert.equal(stopped, true, 'hard stop did not complete');
    // stop() resolves only once the generation is disposed: the daemon is already gone
    // (it was blocked in the app, so it needed SIGTERM/SIGKILL after shutdown-timeout).
    assert.equal(alive(pid), false, `daemon ${pid} survived the stop`);
    close();
    writeFileSync(`${h.dir}/h1.go`, '');
    rmSync(h.dir, { recursive: true, force: true }); // the server is stopped already
  });
});
