import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AiDesc, AiItem } from './config.js';
import { compareEntries, findDesc, findItem, ignoreEntry, isHtml } from './entries.js';
import type { Entry } from './entries.js';

const item = (type: AiItem['type'], applyTo: string, data: string, applyPath = '*'): AiItem => ({
  type,
  applyTo,
  applyPath,
  data,
});

describe('findItem (find_item)', () => {
  const list = [
    item('path', '*^^DIRECTORY^^', '/icons/folder.gif'),
    item('encoding', 'x-gzip', '/icons/compressed.gif'),
    item('type', 'text/*', '/icons/text.gif'),
    item('path', '*.c', '/icons/c.gif', '/src/*'),
  ];
  it('matches by path, type (case-blind) or encoding, first one wins', () => {
    assert.equal(findItem('TEXT/plain', undefined, '/www/a.txt', list, false), '/icons/text.gif');
    assert.equal(
      findItem('text/plain', 'x-gzip', '/www/a.txt.gz', list, false),
      '/icons/compressed.gif',
    );
    assert.equal(findItem(undefined, undefined, '/src/x.c', list, false), '/icons/c.gif');
    assert.equal(findItem(undefined, undefined, '/www/x.c', list, false), undefined);
  });
  it('looks only at paths when asked, and finds the ^^ specials without a path', () => {
    assert.equal(findItem('text/plain', undefined, '/www/a.txt', list, true), undefined);
    assert.equal(findItem(undefined, undefined, '^^DIRECTORY^^', list, true), '/icons/folder.gif');
  });
  it('answers an item without a target for every path under it', () => {
    assert.equal(findItem(undefined, undefined, '/x', [item('path', '', 'all')], false), 'all');
  });
});

describe('findDesc / ignoreEntry', () => {
  const descs: AiDesc[] = [
    { pattern: 'readme', description: 'Plain', fullPath: false, wildcards: false },
    { pattern: '**.c*', description: 'C', fullPath: false, wildcards: true },
    { pattern: '*/sub/x*', description: 'Deep', fullPath: true, wildcards: true },
  ];
  it('matches a plain name as a substring and patterns with fnmatch', () => {
    assert.equal(findDesc(descs, '/www/my-readme.txt'), 'Plain');
    assert.equal(findDesc(descs, '/www/main.c'), 'C');
    assert.equal(findDesc(descs, '/www/sub/xy'), 'Deep');
    assert.equal(findDesc(descs, '/www/other'), undefined);
  });
  it('ignores by the last component under the section path', () => {
    const ign = [item('ignore', '.??*', ''), item('ignore', 'x/*.bak', '', '/only/*')];
    assert.ok(ignoreEntry(ign, '/www/.htaccess'));
    assert.ok(!ignoreEntry(ign, '/www/..'));
    assert.ok(ignoreEntry(ign, '/only/a.bak'));
    assert.ok(!ignoreEntry(ign, '/else/a.bak'));
  });
  it('knows HTML types', () => {
    assert.ok(isHtml('text/html; charset=utf-8'));
    assert.ok(isHtml('Application/XHTML+XML'));
    assert.ok(!isHtml('text/plain'));
    assert.ok(!isHtml(undefined));
  });
});

describe('compareEntries (dsortf)', () => {
  const e = (name: string, o: Partial<Entry> = {}): Entry => ({
    name,
    icon: undefined,
    alt: undefined,
    desc: undefined,
    size: -1,
    lm: -1,
    isdir: false,
    ...o,
  });
  const sort = (
    list: Entry[],
    key: string,
    ascending = true,
    versionSort = false,
    ignoreCase = false,
  ) =>
    [...list]
      .sort((a, b) => compareEntries(a, b, { key, ascending, versionSort, ignoreCase }))
      .map((x) => x.name);
  const list = [
    e('b.txt', { size: 5, lm: 3, desc: 'zeta' }),
    e('A.txt', { size: 9, lm: 1, desc: 'alpha' }),
    e('file10', { size: 1, lm: 2 }),
    e('file9', { size: 1, lm: 2 }),
    e('dir/'),
    e('/parent/'),
  ];
  it('puts the parent first and orders by name (bytes) by default', () => {
    assert.deepEqual(sort(list, 'N'), ['/parent/', 'A.txt', 'b.txt', 'dir/', 'file10', 'file9']);
    assert.deepEqual(sort(list, 'N', false), [
      '/parent/',
      'file9',
      'file10',
      'dir/',
      'b.txt',
      'A.txt',
    ]);
  });
  it('sorts by size, date and description, names breaking ties', () => {
    assert.deepEqual(sort(list, 'S'), ['/parent/', 'dir/', 'file10', 'file9', 'b.txt', 'A.txt']);
    assert.deepEqual(sort(list, 'M', false), [
      '/parent/',
      'b.txt',
      'file9',
      'file10',
      'A.txt',
      'dir/',
    ]);
    assert.deepEqual(sort(list, 'D'), ['/parent/', 'dir/', 'file10', 'file9', 'A.txt', 'b.txt']);
  });
  it('sorts versions naturally and folds case on request; folders first when marked', () => {
    assert.deepEqual(sort(list, 'N', true, true), [
      '/parent/',
      'A.txt',
      'b.txt',
      'dir/',
      'file9',
      'file10',
    ]);
    const folders = [e('b'), e('a/', { isdir: true }), e('c/', { isdir: true })];
    assert.deepEqual(sort(folders, 'N', false), ['c/', 'a/', 'b']);
    const mixed = [e('b'), e('B'), e('a')];
    assert.deepEqual(sort(mixed, 'N', true, false, true), ['a', 'B', 'b']);
    assert.deepEqual(sort(mixed, 'N', true, true, true), ['a', 'B', 'b']);
    assert.deepEqual(sort(mixed, 'N'), ['B', 'a', 'b']);
  });
});
