import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTxtMap, pickRandom } from './maps.js';

describe('txt: and rnd: maps', () => {
  it('reads `key value` lines; comments and indented lines are skipped; the first key wins', () => {
    const t = parseTxtMap('# c\nk1 v1 extra\n  k2 hidden\nk1 second\nk3\tv3\nlonely\n');
    assert.deepEqual(
      [...t],
      [
        ['k1', 'v1'],
        ['k3', 'v3'],
      ],
    );
  });
  it('picks one of the |-separated values', () => {
    assert.equal(
      pickRandom('a|b|c', () => 0),
      'a',
    );
    assert.equal(
      pickRandom('a|b|c', () => 0.99),
      'c',
    );
    assert.equal(
      pickRandom('only', () => 0.5),
      'only',
    );
  });
});
