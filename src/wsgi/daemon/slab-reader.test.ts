// SlabReader (slab-reader.ts): reads land in consecutive regions of a slab; a slab is reused
// only once the reader moved past it and every retain() on it was released; past the pin
// limit reads fall back to plain buffers.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PINNED_MAX, READ_SIZE, SLAB_SIZE, SlabReader } from './slab-reader.js';

/** One simulated read of `bytes` into the reader's next region; returns the view. */
function read(r: SlabReader, bytes: Buffer): Buffer {
  const region = r.next();
  assert.ok(region.length >= bytes.length);
  bytes.copy(region);
  return r.take(bytes.length);
}

describe('SlabReader', () => {
  it('puts consecutive reads side by side in one slab', () => {
    const r = new SlabReader();
    const a = read(r, Buffer.from('first'));
    const b = read(r, Buffer.from('second'));
    assert.equal(a.buffer, b.buffer, 'same slab');
    assert.equal(b.byteOffset, a.byteOffset + 5, 'the next read starts where the last ended');
    assert.equal(a.toString(), 'first');
    assert.equal(b.toString(), 'second');
    assert.equal(r.next().length, READ_SIZE);
  });

  it('reuses a slab nobody holds, and never one whose bytes are retained', () => {
    const r = new SlabReader();
    const first = read(r, Buffer.alloc(READ_SIZE, 1));
    const release = r.retain(); // the client socket still holds these bytes
    // Fill the rest of the slab, so the reader moves on.
    for (let i = 1; i < SLAB_SIZE / READ_SIZE; i++) read(r, Buffer.alloc(READ_SIZE, 2));
    const next = read(r, Buffer.alloc(READ_SIZE, 3));
    assert.notEqual(next.buffer, first.buffer, 'a new slab');
    assert.equal(r.pinned, 1);
    // Run through many slabs: the retained one is never handed out again.
    for (let i = 0; i < 4 * (SLAB_SIZE / READ_SIZE); i++) {
      const v = read(r, Buffer.alloc(READ_SIZE, 4));
      assert.notEqual(v.buffer, first.buffer);
    }
    assert.ok(
      first.every((x) => x === 1),
      'retained bytes intact',
    );
    release();
    release(); // idempotent
    assert.equal(r.pinned, 0);
  });

  it('reads into plain buffers while too many slabs are pinned, and back once released', () => {
    const r = new SlabReader();
    const releases: (() => void)[] = [];
    const slabs = new Set<ArrayBufferLike>();
    while (r.pinned < PINNED_MAX) {
      const v = read(r, Buffer.alloc(READ_SIZE, 5));
      slabs.add(v.buffer);
      releases.push(r.retain());
      // One retained read per slab, then move to the next slab.
      for (let i = 1; i < SLAB_SIZE / READ_SIZE; i++) read(r, Buffer.alloc(READ_SIZE, 6));
    }
    // The slab current now is abandoned at the next boundary; past the limit: plain buffers.
    for (let i = 0; i < SLAB_SIZE / READ_SIZE; i++) read(r, Buffer.alloc(READ_SIZE, 7));
    const plain = read(r, Buffer.alloc(READ_SIZE, 8));
    assert.equal(plain.buffer.byteLength, READ_SIZE, 'a buffer of its own');
    const noop = r.retain();
    noop();
    for (const rel of releases) rel();
    assert.equal(r.pinned, 0);
    const again = read(r, Buffer.alloc(16, 9));
    assert.equal(again.buffer.byteLength, SLAB_SIZE, 'slabs again');
  });
});
