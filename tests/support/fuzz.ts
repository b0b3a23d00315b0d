// Shared by the fuzz tests: a seeded PRNG (a failure names a case that replays) and a
// one-shot exchange that collects whatever the server answers.

import { connect } from 'node:net';

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Send bytes, half-close, collect everything until the server closes (or `ms` pass). */
export function exchange(
  port: number,
  data: Buffer,
  ms = 5000,
): Promise<{ reply: Buffer; timedOut: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      s.destroy();
    }, ms);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ reply: Buffer.concat(chunks), timedOut });
    });
    s.end(data);
  });
}
