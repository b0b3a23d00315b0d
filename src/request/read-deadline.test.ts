import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { BodyDeadline, stageDeadline } from './read-deadline.js';

describe('stageDeadline (extend_timeout)', () => {
  it('adds a second per MinRate bytes, up to the maximum', () => {
    const l = { timeout: 2, maxTimeout: 4, minRate: 10 };
    assert.equal(stageDeadline(l, 1000, 0), 3000);
    assert.equal(stageDeadline(l, 1000, 5), 3500);
    assert.equal(stageDeadline(l, 1000, 1000), 5000);
  });
  it('has no cap without a maximum, and no extension without MinRate', () => {
    assert.equal(stageDeadline({ timeout: 1, maxTimeout: 0, minRate: 100 }, 0, 1000), 11000);
    assert.equal(stageDeadline({ timeout: 1, maxTimeout: 0, minRate: 0 }, 0, 1000), 1000);
  });
});

/** A request whose socket's bytesRead the test moves. */
function fakeRequest(): {
  req: IncomingMessage;
  socket: { bytesRead: number; destroyed: boolean };
} {
  const socket = { bytesRead: 100, destroyed: false };
  const req = Object.assign(new EventEmitter(), { socket, complete: false });
  return {
    req: req as unknown as IncomingMessage,
    socket: socket,
  };
}

/** The deadline's timer is unref'd (it never holds the server open): hold the loop here. */
async function held<T>(p: Promise<T>): Promise<T> {
  const t = setInterval(() => undefined, 1000);
  try {
    return await p;
  } finally {
    clearInterval(t);
  }
}

describe('BodyDeadline', () => {
  it('expires once when no byte came, running every listener', async () => {
    const { req } = fakeRequest();
    const d = new BodyDeadline({ timeout: 0.05, maxTimeout: 0, minRate: 0 }, req);
    const order: string[] = [];
    await held(
      new Promise<void>((resolve) => {
        d.onExpire(() => order.push('a'));
        d.onExpire(() => {
          order.push('b');
          resolve();
        });
      }),
    );
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(d.expired, true);
    // A listener that comes late still hears it.
    await held(new Promise<void>((resolve) => d.onExpire(resolve)));
  });
  it('is pushed back by bytes read at MinRate', async () => {
    const { req, socket } = fakeRequest();
    const start = Date.now();
    const d = new BodyDeadline({ timeout: 0.05, maxTimeout: 0, minRate: 1000 }, req, start);
    socket.bytesRead += 100; // +100 ms
    await held(new Promise<void>((resolve) => d.onExpire(resolve)));
    assert.ok(Date.now() - start >= 145, `expired after ${Date.now() - start} ms`);
  });
  it('never expires for a body that completed or a connection that closed', async () => {
    for (const end of ['complete', 'destroyed'] as const) {
      const { req, socket } = fakeRequest();
      const d = new BodyDeadline({ timeout: 0.02, maxTimeout: 0, minRate: 0 }, req);
      let fired = false;
      d.onExpire(() => (fired = true));
      if (end === 'complete') (req as { complete: boolean }).complete = true;
      else socket.destroyed = true;
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(fired, false, end);
      assert.equal(d.expired, false, end);
    }
  });
});
