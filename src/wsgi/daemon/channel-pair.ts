// The worker channel's two ends (mod_wsgi: the daemon's listener socket, which each Apache
// child connects to per request; here one persistent connection per worker process).
//
// node makes a socketpair for `stdio: 'pipe'`, but only a socket it connects itself can
// read into caller-supplied memory (`onread`, see slab-reader.ts). So the pair is made by
// connecting to a one-shot listening socket in a fresh private directory (mkdtemp: mode
// 0700, only this user or root can reach it); the accepted end becomes the worker's fd 3
// and the listener and its directory are gone before the worker starts.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlabReader } from './slab-reader.js';

/** A connected pair: `ours` reads through `reader`; `theirs` is handed to the worker. */
export interface ChannelPair {
  readonly ours: Socket;
  readonly theirs: Socket;
  readonly reader: SlabReader;
  /** Where each read goes (the bytes are valid until it returns; see SlabReader.retain). */
  readonly sink: { onRead: (chunk: Buffer) => void };
}

/** sun_path holds 108 bytes; a long TMPDIR falls back to /tmp. */
function baseDir(): string {
  const t = tmpdir();
  return t.length <= 80 ? t : '/tmp';
}

/** Make a connected channel pair. Rejects if the private socket cannot be made. */
export async function openChannelPair(): Promise<ChannelPair> {
  const base = baseDir();
  const dir = await mkdtemp(path.join(base, 'tswsgi-')).catch((e: unknown) => {
    throw new Error(
      `cannot make the worker channel's private directory in ${base}: ${e instanceof Error ? e.message : String(e)}`,
    );
  });
  const where = path.join(dir, 'c');
  const server = createServer({ pauseOnConnect: true });
  let ours: Socket | undefined;
  let theirs: Socket | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const reader = new SlabReader();
    const sink = { onRead: (_chunk: Buffer): void => undefined };
    const sock = connect({
      path: where,
      onread: {
        buffer: reader.next,
        callback: (n: number): boolean => {
          sink.onRead(reader.take(n));
          return true;
        },
      },
    });
    ours = sock;
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    theirs = await accepted;
    return { ours: sock, theirs, reader, sink };
  } catch (e) {
    ours?.destroy();
    theirs?.destroy();
    throw e;
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
