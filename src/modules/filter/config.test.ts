// mod_filter's FilterChain words, chain merging and FilterProtocol flags
// (httpd modules/filters/mod_filter.c filter_chain, filter_merge, filter_protocol).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chainWord, mergeChain, parseProto } from './config.js';

const words = (...ws: string[]) =>
  ws.reduce<(string | null)[] | undefined>((c, w) => chainWord(c, w), undefined);

describe('FilterChain words (filter_chain)', () => {
  it('appends plain and + names, prepends @ names', () => {
    assert.deepEqual(words('A', '+B', '@C'), ['C', 'A', 'B']);
  });
  it('removes the first entry, or later entries, by name (any case) with -', () => {
    assert.deepEqual(words('A', 'B', '-a'), ['B']);
    assert.deepEqual(words('A', 'B', 'C', '-c'), ['A', 'B']);
    assert.deepEqual(words('-A'), []);
  });
  it('! empties the chain and = starts it anew, both leaving a reset mark', () => {
    assert.deepEqual(words('A', '!'), [null]);
    assert.deepEqual(words('A', '=B'), [null, 'B']);
  });
});

describe('chain merging (filter_merge)', () => {
  it('appends the nearer chain to the outer one', () => {
    assert.deepEqual(mergeChain(['A'], ['B']), ['A', 'B']);
  });
  it('a reset mark in the nearer chain drops the outer one', () => {
    assert.deepEqual(mergeChain(['A'], [null, 'B']), [null, 'B']);
  });
  it('takes whichever side exists', () => {
    assert.deepEqual(mergeChain(undefined, ['B']), ['B']);
    assert.deepEqual(mergeChain(['A'], undefined), ['A']);
    assert.equal(mergeChain(undefined, undefined), undefined);
  });
});

describe('FilterProtocol flags (filter_protocol)', () => {
  it('reads change, byteranges, proxy and cache words', () => {
    assert.deepEqual(parseProto('change=yes;byteranges=no, cache=no'), {
      change: true,
      changeLength: true,
      noByteranges: true,
      noProxy: false,
      transform: false,
      noCache: true,
    });
    assert.deepEqual(parseProto('change=1:1 proxy=no proxy=transform'), {
      change: true,
      changeLength: false,
      noByteranges: false,
      noProxy: true,
      transform: true,
      noCache: false,
    });
    assert.equal(parseProto('change=yes change=no').change, false);
  });
});
