import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAutoindexDir } from './config.js';
import { Opt, applyIndexOptions, atoi, mergeOptBits } from './options.js';
import type { IndexOptionsState } from './options.js';

const apply = (words: string[], cur: IndexOptionsState = createAutoindexDir()) =>
  applyIndexOptions(cur, words);
const ok = (v: IndexOptionsState | string): IndexOptionsState => {
  if (typeof v === 'string') assert.fail(v);
  return v;
};

describe('IndexOptions (add_opts)', () => {
  it('sets plain keywords as absolute bits, case-insensitively', () => {
    const s = ok(apply(['fancyindexing', 'HTMLTable', 'FoldersFirst']));
    assert.equal(
      s.bits.opts,
      Opt.OPTION_UNSET | Opt.FANCY_INDEXING | Opt.TABLE_INDEXING | Opt.FOLDERS_FIRST,
    );
    assert.deepEqual([s.bits.add, s.bits.remove], [0, 0]);
  });
  it('keeps +/- words apart, a later one cancelling an earlier opposite one', () => {
    const s = ok(apply(['+IgnoreCase', '-VersionSort', '+VersionSort', '-SuppressIcon']));
    assert.equal(s.bits.opts, Opt.OPTION_UNSET);
    assert.equal(s.bits.add, Opt.IGNORE_CASE | Opt.VERSION_SORT);
    assert.equal(s.bits.remove, Opt.SUPPRESS_ICON);
  });
  it('drops pending +/- words at the next plain keyword', () => {
    const s = ok(apply(['+IgnoreCase', 'XHTML']));
    assert.equal(s.bits.add, 0);
    assert.equal(s.bits.opts, Opt.OPTION_UNSET | Opt.EMIT_XHTML);
  });
  it('reads the valued keywords', () => {
    const s = ok(
      apply([
        'IconWidth',
        'IconHeight=7',
        'NameWidth=*',
        'DescriptionWidth=40',
        'Type=text/plain',
        'Charset=UTF-8',
        'UseOldDateFormat',
      ]),
    );
    assert.equal(s.iconWidth, 20);
    assert.equal(s.iconHeight, 7);
    assert.deepEqual(s.nameWidth, { width: 23, adjust: true });
    assert.deepEqual(s.descWidth, { width: 40, adjust: false });
    assert.equal(s.ctype, 'text/plain');
    assert.equal(s.charset, 'UTF-8');
    assert.equal(s.oldDateFormat, true);
    const t = ok(apply(['-IconWidth', '-IconHeight', '-NameWidth', '-DescriptionWidth'], s));
    assert.deepEqual([t.iconWidth, t.iconHeight], [0, 0]);
    assert.deepEqual(t.nameWidth, { width: 23, adjust: false });
    assert.deepEqual(t.descWidth, { width: 23, adjust: false });
  });
  it('answers httpd’s error texts', () => {
    const cases: [string[], string][] = [
      [['+None'], "Cannot combine '+' or '-' with 'None' keyword"],
      [['None', 'FancyIndexing'], "Cannot combine other IndexOptions keywords with 'None'"],
      [['Bogus'], 'Invalid directory indexing option'],
      [['-IconWidth=3'], "Cannot combine '-' with IconWidth=n"],
      [['-IconHeight=3'], "Cannot combine '-' with IconHeight=n"],
      [['NameWidth'], "NameWidth with no value may only appear as '-NameWidth'"],
      [['-NameWidth=9'], "Cannot combine '-' with NameWidth=n"],
      [['NameWidth=4'], 'NameWidth value must be greater than 5'],
      [
        ['DescriptionWidth'],
        "DescriptionWidth with no value may only appear as '-DescriptionWidth'",
      ],
      [['-DescriptionWidth=20'], "Cannot combine '-' with DescriptionWidth=n"],
      [['DescriptionWidth=11'], 'DescriptionWidth value must be greater than 12'],
    ];
    for (const [words, msg] of cases) assert.equal(apply(words), msg, words.join(' '));
  });
  it('makes None exactly NO_OPTIONS and lets a later None clear the line', () => {
    assert.equal(ok(apply(['None'])).bits.opts, Opt.NO_OPTIONS);
    assert.equal(ok(apply(['NameWidth=0'])).nameWidth?.width, 0);
  });
});

describe('atoi', () => {
  it('reads a leading integer as C does', () => {
    assert.equal(atoi('12px'), 12);
    assert.equal(atoi(' -3'), -3);
    assert.equal(atoi('x'), 0);
  });
});

describe('merge of the option bits (merge_autoindex_configs)', () => {
  const U = Opt.OPTION_UNSET;
  it('inherits with incremental settings only, never a None from above', () => {
    const base = { opts: Opt.NO_OPTIONS, add: 0, remove: 0 };
    const m = mergeOptBits(base, { opts: U, add: Opt.FANCY_INDEXING, remove: 0 });
    assert.equal(m.opts, Opt.FANCY_INDEXING);
  });
  it('adds and removes over the inherited absolute bits, and passes them down', () => {
    const base = { opts: U | Opt.FANCY_INDEXING | Opt.TABLE_INDEXING, add: 0, remove: 0 };
    const m = mergeOptBits(base, { opts: U, add: Opt.FOLDERS_FIRST, remove: Opt.TABLE_INDEXING });
    assert.equal(m.opts, U | Opt.FANCY_INDEXING | Opt.FOLDERS_FIRST);
    const n = mergeOptBits(m, { opts: U, add: 0, remove: 0 });
    assert.equal(n.opts, m.opts);
    assert.deepEqual([n.add, n.remove], [Opt.FOLDERS_FIRST, Opt.TABLE_INDEXING]);
  });
  it('lets local absolute settings replace everything, dropping their own +/- words', () => {
    const base = { opts: U | Opt.FANCY_INDEXING, add: Opt.IGNORE_CASE, remove: 0 };
    const m = mergeOptBits(base, { opts: U | Opt.SUPPRESS_DESC, add: Opt.EMIT_XHTML, remove: 0 });
    assert.equal(m.opts, U | Opt.SUPPRESS_DESC);
  });
  it('clears everything under a local None', () => {
    const base = { opts: U | Opt.FANCY_INDEXING, add: Opt.IGNORE_CASE, remove: 1 << 3 };
    assert.deepEqual(mergeOptBits(base, { opts: Opt.NO_OPTIONS, add: 0, remove: 0 }), {
      opts: Opt.NO_OPTIONS,
      add: 0,
      remove: 0,
    });
  });
});
