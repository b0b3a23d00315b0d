import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { acceptOptions, fanOutAccepts } from './accept-fanout.js';
import { descriptorsOf, listeningInode } from '../../tests/support/sockets.js';

/**
 * A server answering each connection with one line naming the order it was accepted in;
 * closed (with its fan-out, if the test registers one) when the test ends, pass or fail.
 */
async function lineServer(
  t: TestContext,
): Promise<{ server: Server; port: number; seen: Socket[] }> {
  const seen: Socket[] = [];
  const server = createServer((s) => {
    seen.push(s);
    s.end(`conn ${seen.length}\n`);
  });
  t.after(() => new Promise((resolve) => server.close(resolve)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, seen, port: (server.address() as AddressInfo).port };
}

/** Open `n` connections at once; each resolves with what the server sent. */
function burst(port: number, n: number): Promise<string[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<string>((resolve, reject) => {
          const c = connect(port, '127.0.0.1');
          let got = '';
          c.setEncoding('utf8');
          c.on('data', (d: string) => (got += d));
          c.on('end', () => resolve(got));
          c.on('error', reject);
        }),
    ),
  );
}

/** net.js marks a socket it set TCP_NODELAY on (onconnection) with this symbol. */
function noDelaySet(s: Socket): boolean {
  const sym = Object.getOwnPropertySymbols(s).find((x) => x.description === 'kSetNoDelay');
  return sym !== undefined && (s as unknown as Record<symbol, unknown>)[sym] === true;
}

describe('fanOutAccepts (extra accept handles on one listening socket)', () => {
  it("a socket accepted through a copy gets the server's own options (half-open, TCP_NODELAY, buffer marks)", async (t) => {
    const seen: Socket[] = [];
    const server = createServer(
      { allowHalfOpen: true, noDelay: true, highWaterMark: 1 << 17, keepAlive: true },
      (s) => {
        seen.push(s);
        // Half-open: the client's FIN does not end our side; answer after it.
        s.on('end', () => s.end(`conn ${seen.length}\n`));
        s.resume();
      },
    );
    t.after(() => new Promise((resolve) => server.close(resolve)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    assert.deepEqual(acceptOptions(server), {
      allowHalfOpen: true,
      pauseOnConnect: false,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 0,
      highWaterMark: 1 << 17,
    });
    assert.deepEqual(acceptOptions(createServer()), {
      allowHalfOpen: false,
      pauseOnConnect: false,
      noDelay: false,
      keepAlive: false,
      keepAliveInitialDelay: 0,
      highWaterMark: 16384,
    });
    const fan = fanOutAccepts(server, { copies: 5, onError: assert.fail });
    t.after(() => fan.close());
    await fan.ready;
    const answers = await Promise.all(
      Array.from(
        { length: 60 },
        () =>
          new Promise<string>((resolve, reject) => {
            const c = connect(port, '127.0.0.1', () => c.end());
            let got = '';
            c.setEncoding('utf8');
            c.on('data', (d: string) => (got += d));
            c.on('close', () => resolve(got));
            c.on('error', reject);
          }),
      ),
    );
    assert.ok(fan.accepted > 0, 'some came through copies');
    assert.equal(
      answers.filter((a) => /^conn \d+\n$/.test(a)).length,
      60,
      'all answered after their FIN',
    );
    for (const s of seen) {
      assert.equal(s.allowHalfOpen, true);
      assert.equal(noDelaySet(s), true);
      assert.equal(s.readableHighWaterMark, 1 << 17);
      assert.equal(s.writableHighWaterMark, 1 << 17);
    }
  });

  it('adds `copies` descriptors of the same socket; connections through them reach the server', async (t) => {
    const { server, port, seen } = await lineServer(t);
    const inode = listeningInode(port);
    assert.equal(descriptorsOf(inode), 1);
    const errors: string[] = [];
    const fan = fanOutAccepts(server, { copies: 5, onError: (m) => errors.push(m) });
    t.after(() => fan.close());
    await fan.ready;
    assert.deepEqual(errors, []);
    assert.equal(fan.handles, 5);
    assert.equal(descriptorsOf(inode), 6, 'the original and five copies');

    // 60 connections queued at once: every watcher fires in the same loop iteration, so
    // the copies take some of them; each is handed to the server's own listener.
    const answers = await burst(port, 60);
    assert.equal(seen.length, 60);
    assert.deepEqual(
      answers.map((a) => /^conn \d+\n$/.test(a)).filter((ok) => !ok),
      [],
    );
    assert.ok(fan.accepted > 0 && fan.accepted < 60, `accepted by copies: ${fan.accepted}`);

    await fan.close();
    assert.equal(descriptorsOf(inode), 1, 'the copies are closed');
    const before = fan.accepted;
    assert.equal((await burst(port, 10)).length, 10, 'the original handle still accepts');
    assert.equal(fan.accepted, before);
    assert.equal(seen.length, 70);
  });

  it('closing the server and the fan-out stops every handle: connections are refused', async (t) => {
    const { server, port } = await lineServer(t);
    const inode = listeningInode(port);
    const fan = fanOutAccepts(server, { copies: 3, onError: () => undefined });
    t.after(() => fan.close());
    await fan.ready;
    assert.equal(descriptorsOf(inode), 4);
    await Promise.all([fan.close(), new Promise((r) => server.close(r))]);
    assert.equal(descriptorsOf(inode), 0);
    const c = connect(port, '127.0.0.1');
    const [err] = (await once(c, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
  });

  it('a helper that cannot start: the error is reported, the server keeps its one handle', async (t) => {
    const { server, port, seen } = await lineServer(t);
    const errors: string[] = [];
    const fan = fanOutAccepts(server, {
      copies: 3,
      execPath: '/nonexistent/node',
      onError: (m) => errors.push(m),
    });
    t.after(() => fan.close());
    await fan.ready;
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^the helper failed: spawn \/nonexistent\/node ENOENT$/);
    assert.equal(fan.handles, 0);
    assert.equal(descriptorsOf(listeningInode(port)), 1);
    assert.deepEqual(await burst(port, 3), ['conn 1\n', 'conn 2\n', 'conn 3\n']);
    assert.equal(seen.length, 3);
  });

  it('a helper that exits without answering, or never answers, is reported and stopped', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tswsgi-fanout-'));
    const { server } = await lineServer(t);
    try {
      const exits: string[] = [];
      const quits = fanOutAccepts(server, {
        copies: 2,
        execPath: '/bin/true',
        onError: (m) => exits.push(m),
      });
      t.after(() => quits.close());
      await quits.ready;
      assert.deepEqual(exits, ['the helper exited (status 0) after 0 of 2 handles']);

      const mute = join(dir, 'mute');
      writeFileSync(mute, '#!/bin/sh\nexec sleep 60\n');
      chmodSync(mute, 0o755);
      const stalls: string[] = [];
      const stalled = fanOutAccepts(server, {
        copies: 2,
        execPath: mute,
        timeoutMs: 100,
        onError: (m) => stalls.push(m),
      });
      t.after(() => stalled.close());
      await stalled.ready;
      assert.deepEqual(stalls, ['no answer from the helper after 100 ms']);
      assert.equal(stalled.handles, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a server that is not listening gets no helper', async () => {
    const errors: string[] = [];
    const fan = fanOutAccepts(createServer(), { onError: (m) => errors.push(m) });
    await fan.ready;
    assert.deepEqual(errors, ['the server is not listening']);
    assert.equal(fan.handles, 0);
    await fan.close();
  });

  it('copies that cannot listen are dropped and reported once', async (t) => {
    // A connected socket's handle where the listening one should be: the helper copies it,
    // and listen() on each copy fails (EINVAL) after the fact.
    const { port } = await lineServer(t);
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const errors: string[] = [];
    const fake = { _handle: (client as Socket & { _handle: object })._handle } as unknown as Server;
    const fan = fanOutAccepts(fake, { copies: 2, onError: (m) => errors.push(m) });
    t.after(() => fan.close());
    await fan.ready;
    client.destroy();
    for (let i = 0; i < 20 && fan.handles > 0; i++) await new Promise((r) => setImmediate(r));
    assert.equal(fan.handles, 0);
    assert.deepEqual(errors, ['cannot listen on a copy: listen EINVAL: invalid argument']);
  });
});
