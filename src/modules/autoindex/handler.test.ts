import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from './handler.js';
import { Opt } from './options.js';

describe('parseQuery (index_directory query arguments)', () => {
  const F = Opt.FANCY_INDEXING;
  const T = Opt.TABLE_INDEXING;
  it('reads C= O= F= V= and carries F/V/P into the column links', () => {
    const q = parseQuery('C=S;O=D&F=2;V=1', 0, 'N', 'A');
    assert.deepEqual([q.key, q.direction], ['S', 'D']);
    assert.equal(q.opts, F | T | Opt.VERSION_SORT);
    assert.equal(q.colargs, ';F=2;V=1');
    assert.equal(parseQuery('F=1', F | T, 'N', 'A').opts, F);
    assert.equal(parseQuery('F=0;V=0', F | Opt.VERSION_SORT, 'N', 'A').opts, 0);
  });
  it('decodes ?P= and escapes it again for the links; a bad one is dropped', () => {
    const q = parseQuery('P=a%20*;C=M', 0, 'N', 'A');
    assert.equal(q.pattern, 'a *');
    assert.equal(q.colargs, ';P=a%20*');
    assert.equal(q.key, 'M');
    const bad = parseQuery('P=%zz', 0, 'N', 'A');
    assert.equal(bad.pattern, undefined);
    assert.equal(bad.colargs, '');
    assert.equal(parseQuery('P=', 0, 'N', 'A').pattern, undefined);
    assert.equal(parseQuery('P=a%2fb', 0, 'N', 'A').pattern, undefined);
  });
  it('stops at the first item it cannot read', () => {
    const q = parseQuery('C=X;O=D', 0, 'N', 'A');
    assert.deepEqual([q.key, q.direction], ['N', 'A']);
    assert.equal(parseQuery('O=D;C=MM', 0, 'N', 'A').key, 'N');
    assert.equal(parseQuery('O=D;C=MM', 0, 'N', 'A').direction, 'D');
  });
  it('ignores the client under IgnoreClient, and suppresses the sort links', () => {
    const q = parseQuery('C=S;O=D', Opt.IGNORE_CLIENT, 'M', 'D');
    assert.deepEqual([q.key, q.direction, q.colargs], ['M', 'D', '']);
    assert.equal(q.opts, Opt.IGNORE_CLIENT | Opt.SUPPRESS_COLSORT);
  });
});
