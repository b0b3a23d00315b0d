// openChannelPair (channel-pair.ts): a connected pair whose reads go through the slab
// reader, whose accepted end reads nothing itself, and whose listener leaves no trace.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openChannelPair } from './channel-pair.js';

describe('openChannelPair', () => {
  it('connects both ends, delivers reads to the sink, and removes its socket directory', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('tswsgi-')));
    const pair = await openChannelPair();
    try {
      const after = readdirSync(tmpdir()).filter((n) => n.startsWith('tswsgi-'));
      assert.deepEqual(
        after.filter((n) => !before.has(n)),
        [],
        'no directory left behind',
      );
      assert.equal(pair.theirs.isPaused(), true, 'the worker end is not read by the front end');
      const got: string[] = [];
      const done = new Promise<void>((resolve) => {
        pair.sink.onRead = (chunk) => {
          got.push(chunk.toString());
          if (got.join('') === 'hello worker') resolve();
        };
      });
      pair.theirs.write('hello worker');
      await done;
      assert.equal(got.join(''), 'hello worker');
      // And the other way.
      const back = new Promise<string>((resolve) => {
        pair.theirs.resume();
        pair.theirs.once('data', (d: Buffer) => resolve(d.toString()));
      });
      pair.ours.write('hello front end');
      assert.equal(await back, 'hello front end');
    } finally {
      pair.ours.destroy();
      pair.theirs.destroy();
    }
  });
});
