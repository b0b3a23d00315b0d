import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spdist } from './index.js';

// sp_reason: 1 miscapitalized, 2 transposition, 3 missing char, 4 extra char,
// 5 mistyped char, 6 too different (spdist in mod_speling.c, case-blind).
describe('spdist', () => {
  const cases: [string, string, number][] = [
    ['readme', 'README', 1],
    ['raedme', 'readme', 2],
    ['redme', 'readme', 3],
    ['readmee', 'readme', 4],
    ['reedme', 'readme', 5],
    ['xyz', 'readme', 6],
    ['x', '.', 5],
    ['ab', 'ba', 2],
    ['', 'a', 3],
  ];
  for (const [s, t, want] of cases)
    it(`${JSON.stringify(s)} against ${JSON.stringify(t)} → ${want}`, () =>
      assert.equal(spdist(s, t), want));
});
