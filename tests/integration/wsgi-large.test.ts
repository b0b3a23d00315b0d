// Large bodies through the server with a slow reader (reference mod_wsgi.md §8 #13;
// docs/protocol.md flow control): a 32 MiB POST echoed back and a 32 MiB chunked download
// arrive byte-exact (SHA-256), and the server does not buffer whole bodies — the
// in-process RSS (the harness runs the server in this process) grows by much less than
// the bytes moved. The client streams: it never holds a body either.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { WSGI_PREAMBLE, app } from '../support/wsgi.js';

// Large enough that whole-body buffering (≥ SIZE) stands well clear of the ~10-16 MiB the
// process grows by anyway (GC lag, socket buffers, up to 1 MiB queued per response).
const SIZE = 32 * 1024 * 1024;
const PATTERN = Buffer.from(Array.from({ length: 65536 }, (_, i) => i % 256));

const CONF = `${WSGI_PREAMBLE}
WSGIDaemonProcess big threads=2 graceful-timeout=1 shutdown-timeout=1
WSGIScriptAlias /s @DIR@/stream.wsgi process-group=big
`;

interface Streamed {
  head: string;
  bodyBytes: number;
  sha256: string;
  peakRssDelta: number;
}

/**
 * Send `head` (+ `bodySize` pattern bytes, written under backpressure), then read the
 * response slowly: pause the socket after every 256 KiB and resume on the next timer tick.
 * Chunked framing is decoded on the fly; only the hash and counts are kept.
 */
async function streamRequest(port: number, head: string, bodySize: number): Promise<Streamed> {
  const s: Socket = connect(port, '127.0.0.1');
  await once(s, 'connect');
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const done = readResponse(s);
    s.write(head);
    for (let sent = 0; sent < bodySize;) {
      const n = Math.min(PATTERN.length, bodySize - sent);
      sent += n;
      const piece: Uint8Array = n === PATTERN.length ? PATTERN : PATTERN.subarray(0, n);
      if (!s.write(piece)) await once(s, 'drain');
    }
    const r = await done;
    return { ...r, peakRssDelta: Math.max(peak, process.memoryUsage().rss) - base };
  } finally {
    clearInterval(sampler);
    s.destroy();
  }
}

async function readResponse(s: Socket): Promise<Omit<Streamed, 'peakRssDelta'>> {
  const hash = createHash('sha256');
  let buf: Buffer = Buffer.alloc(0);
  let head: string | undefined;
  let bodyBytes = 0;
  let sincePause = 0;
  let chunked = false;
  // Chunked decoding as a state machine: a chunk-size line, its data, the CRLF after it.
  // Any of them may be split across reads (the CRLF too, which once read as an empty
  // chunk-size line). A Content-Length body is one 'data' phase.
  let phase: 'size' | 'data' | 'crlf' = 'data';
  let remaining = 0; // bytes left in the current chunk, or of the Content-Length body
  let finished = false;
  return new Promise((resolve, reject) => {
    const fail = (e: Error): void => {
      finished = true;
      s.destroy();
      reject(e);
    };
    s.on('error', reject);
    s.on('close', () => {
      if (!finished) reject(new Error(`closed early after ${String(bodyBytes)} body bytes`));
    });
    s.on('data', (d: Buffer) => {
      if (finished) return;
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      if (head === undefined) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        chunked = /\r\ntransfer-encoding: chunked/i.test(head);
        const cl = /\r\ncontent-length: (\d+)/i.exec(head);
        phase = chunked ? 'size' : 'data';
        remaining = chunked ? 0 : Number(cl?.[1] ?? 0);
      }
      for (;;) {
        if (phase === 'size') {
          const le = buf.indexOf('\r\n');
          if (le < 0) break;
          const line = buf.subarray(0, le).toString('latin1');
          if (!/^[0-9a-f]+$/i.test(line)) {
            fail(
              new Error(
                `bad chunk-size line ${JSON.stringify(line)} after ${String(bodyBytes)} bytes`,
              ),
            );
            return;
          }
          remaining = parseInt(line, 16);
          buf = buf.subarray(le + 2);
          if (remaining === 0) {
            finished = true;
            break;
          }
          phase = 'data';
        }
        if (phase === 'data') {
          const take = Math.min(remaining, buf.length);
          hash.update(buf.subarray(0, take));
          bodyBytes += take;
          sincePause += take;
          remaining -= take;
          buf = buf.subarray(take);
          if (remaining > 0) break;
          if (!chunked) {
            finished = true;
            break;
          }
          phase = 'crlf';
        }
        if (buf.length < 2) break; // phase === 'crlf': wait for the rest of it
        if (buf[0] !== 0x0d || buf[1] !== 0x0a) {
          fail(new Error(`no CRLF after a chunk at ${String(bodyBytes)} bytes`));
          return;
        }
        buf = buf.subarray(2);
        phase = 'size';
      }
      if (finished) {
        resolve({ head: head ?? '', bodyBytes, sha256: hash.digest('hex') });
        return;
      }
      if (sincePause >= 256 * 1024) {
        sincePause = 0;
        s.pause();
        setTimeout(() => s.resume(), 2);
      }
    });
  });
}

function patternSha(n: number): string {
  const h = createHash('sha256');
  for (let left = n; left > 0; left -= PATTERN.length)
    h.update(left >= PATTERN.length ? PATTERN : PATTERN.subarray(0, left));
  return h.digest('hex');
}

describe('large bodies with a slow reader', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, { 'stream.wsgi': app('stream.wsgi') });
    // Warm up once at full size: the first big transfer grows the heap and socket buffers
    // of this process (client and server alike) by ~30 MiB whatever the server does, so
    // only later transfers say anything about buffering.
    await streamRequest(
      h.port,
      `POST /s/echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${String(SIZE)}\r\n\r\n`,
      SIZE,
    );
  });
  after(() => h.stop());

  it('echoes a 32 MiB POST byte-exact without buffering it', async () => {
    const r = await streamRequest(
      h.port,
      `POST /s/echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: ${String(SIZE)}\r\n\r\n`,
      SIZE,
    );
    assert.match(r.head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.head, new RegExp(`\\r\\nContent-Length: ${String(SIZE)}(\\r\\n|$)`));
    assert.equal(r.bodyBytes, SIZE);
    assert.equal(r.sha256, patternSha(SIZE));
    // 64 MiB moved through the process; whole-body buffering would show ≥ 32 MiB.
    assert.ok(r.peakRssDelta < SIZE, `RSS grew by ${String(r.peakRssDelta)} bytes`);
  });

  it('streams a 32 MiB chunked download byte-exact without buffering it', async () => {
    const r = await streamRequest(
      h.port,
      `GET /s/download?n=${String(SIZE)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      0,
    );
    assert.match(r.head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.head, /\r\nTransfer-Encoding: chunked(\r\n|$)/);
    assert.equal(r.bodyBytes, SIZE);
    assert.equal(r.sha256, patternSha(SIZE));
    assert.ok(r.peakRssDelta < SIZE, `RSS grew by ${String(r.peakRssDelta)} bytes`);
  });
});
