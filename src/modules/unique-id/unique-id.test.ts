import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { genUniqueId } from './index.js';

/** The 20 bytes an id encodes (base64url, the two pad bits of the last character dropped). */
function decode(id: string): Buffer {
  return Buffer.from(id, 'base64url').subarray(0, 20);
}

describe('mod_unique_id ids', () => {
  it('encode the request second, the process root, a counter and the connection index', () => {
    const t = Date.UTC(2026, 10, 22, 8, 0, 0) + 250;
    const a = decode(genUniqueId(t, 7));
    const b = decode(genUniqueId(t, 7));
    assert.equal(a.readUInt32BE(0), Math.floor(t / 1000));
    assert.ok(a.subarray(4, 14).equals(b.subarray(4, 14)), 'one root per process');
    assert.equal((b.readUInt16BE(14) - a.readUInt16BE(14) + 65535) % 65535, 1);
    assert.equal(a.readUInt32BE(16), 7);
  });

  it('are 27 base64url characters, different for each request', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = genUniqueId(1_700_000_000_000, 1);
      assert.match(id, /^[A-Za-z0-9_-]{27}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 1000);
  });
});
