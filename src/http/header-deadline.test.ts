import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { HeaderWatch } from './header-deadline.js';

const sock = (): { bytesRead: number; destroyed: boolean } => ({ bytesRead: 0, destroyed: false });
const asSocket = (s: ReturnType<typeof sock>): Socket => s as unknown as Socket;

describe('HeaderWatch (mod_reqtimeout header stage)', () => {
  const limits = { timeout: 1, maxTimeout: 2, minRate: 10 };

  it('waits for the first byte, then expires timeout seconds after it', () => {
    const expired: unknown[] = [];
    const w = new HeaderWatch((s) => expired.push(s));
    const s = sock();
    w.watch(asSocket(s), { timeout: 1, maxTimeout: 0, minRate: 0 });
    w.tick(0);
    w.tick(60_000); // idle: KeepAliveTimeout/Timeout's business, not this stage's
    assert.deepEqual(expired, []);
    s.bytesRead = 5;
    w.tick(100_000); // first byte seen
    w.tick(100_999);
    assert.deepEqual(expired, []);
    w.tick(101_000);
    assert.deepEqual(expired, [s]);
    assert.equal(w.size, 0);
    w.tick(200_000);
    assert.equal(expired.length, 1, 'expires once');
    w.clear();
  });

  it('counts from the bytes read when the connection began to wait (keep-alive)', () => {
    const expired: unknown[] = [];
    const w = new HeaderWatch((s) => expired.push(s));
    const s = sock();
    s.bytesRead = 500; // the previous request
    w.watch(asSocket(s), limits);
    w.tick(10_000);
    assert.equal(w.size, 1);
    s.bytesRead = 510; // +10 bytes: one more second
    w.tick(20_000);
    w.tick(21_999);
    assert.deepEqual(expired, []);
    w.tick(22_000);
    assert.deepEqual(expired, [s]);
    w.clear();
  });

  it('stops at the maximum however fast bytes come', () => {
    const expired: unknown[] = [];
    const w = new HeaderWatch((s) => expired.push(s));
    const s = sock();
    w.watch(asSocket(s), limits);
    s.bytesRead = 1;
    w.tick(0);
    s.bytesRead = 10_000;
    w.tick(1_999);
    assert.deepEqual(expired, []);
    w.tick(2_000);
    assert.deepEqual(expired, [s]);
    w.clear();
  });

  it('forgets connections that were handed a request or closed', () => {
    const expired: unknown[] = [];
    const w = new HeaderWatch((s) => expired.push(s));
    const a = sock();
    const b = sock();
    w.watch(asSocket(a), limits);
    w.watch(asSocket(b), limits);
    a.bytesRead = b.bytesRead = 1;
    w.tick(0);
    w.unwatch(asSocket(a));
    b.destroyed = true;
    w.tick(10_000);
    assert.deepEqual(expired, []);
    assert.equal(w.size, 0);
  });
});
