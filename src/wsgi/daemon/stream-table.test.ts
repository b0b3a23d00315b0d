// StreamTable (stream-table.ts): ids are fresh, never 0, never a live stream's; lookups
// survive growth; a closed stream's slot holds nothing.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamTable } from './stream-table.js';

class S {
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
}

describe('StreamTable', () => {
  it('hands out increasing ids and finds each stream by its id only', () => {
    const t = new StreamTable<S>();
    const a = t.open((id) => new S(id));
    const b = t.open((id) => new S(id));
    assert.deepEqual([a.id, b.id], [1, 2]);
    assert.equal(t.get(1), a);
    assert.equal(t.get(2), b);
    // Same slot (id & mask), another id: not found.
    assert.equal(t.get(1 + 16), undefined);
    assert.equal(t.get(0), undefined);
    assert.equal(t.size, 2);
  });

  it('does not reuse an id soon after its stream closed', () => {
    const t = new StreamTable<S>();
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const s = t.open((id) => new S(id));
      assert.ok(!seen.has(s.id), `id ${s.id} repeated`);
      seen.add(s.id);
      t.delete(s);
    }
    assert.equal(t.size, 0);
  });

  it('skips ids whose slot a long-lived stream holds, and grows past half full', () => {
    const t = new StreamTable<S>();
    const long = t.open((id) => new S(id)); // id 1, slot 1 of 16
    for (let i = 0; i < 15; i++) t.delete(t.open((id) => new S(id))); // ids 2..16
    const next = t.open((id) => new S(id));
    assert.equal(next.id, 18, 'id 17 maps to the slot of the open id 1');
    assert.equal(t.get(1), long);
    const many = Array.from({ length: 40 }, () => t.open((id) => new S(id)));
    assert.equal(t.size, 42);
    for (const s of [long, next, ...many]) assert.equal(t.get(s.id), s);
    assert.equal(new Set(many.map((s) => s.id)).size, 40);
  });

  it('delete() of a stream not in the table changes nothing; clear() returns the open ones', () => {
    const t = new StreamTable<S>();
    const a = t.open((id) => new S(id));
    t.delete(new S(a.id)); // same id, another object
    assert.equal(t.get(a.id), a);
    const b = t.open((id) => new S(id));
    t.delete(a);
    t.delete(a);
    assert.equal(t.size, 1);
    assert.deepEqual(t.values(), [b]);
    assert.deepEqual(t.clear(), [b]);
    assert.equal(t.size, 0);
    assert.equal(t.get(b.id), undefined);
  });
});
