import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fnmatch, fnmatchTest, isMatchExp, strcmpMatch } from './match.js';

describe('strcmpMatch (ap_strcmp_match)', () => {
  it('matches * and ? wildcards over the whole string', () => {
    assert.ok(strcmpMatch('/a/b/x.gif', '/a/*'));
    assert.ok(strcmpMatch('x.gif', '*.gif'));
    assert.ok(strcmpMatch('x.gif', '?.g*'));
    assert.ok(!strcmpMatch('x.gifs', '*.gif'));
    assert.ok(!strcmpMatch('..', '.??*'));
    assert.ok(strcmpMatch('.htaccess', '.??*'));
    assert.ok(strcmpMatch('anything', '**'));
    assert.ok(!strcmpMatch('', '?'));
  });
  it('compares case-blind on request', () => {
    assert.ok(strcmpMatch('TEXT/Plain', 'text/*', true));
    assert.ok(!strcmpMatch('TEXT/Plain', 'text/*'));
  });
  it('tells a pattern from a plain name', () => {
    assert.ok(isMatchExp('a*'));
    assert.ok(isMatchExp('a?'));
    assert.ok(!isMatchExp('.gif'));
  });
});

describe('fnmatch (apr_fnmatch)', () => {
  it('matches *, ?, and bracket classes; * crosses /', () => {
    assert.ok(fnmatch('*.txt', 'a/b.txt'));
    assert.ok(fnmatch('file[0-9].txt', 'file7.txt'));
    assert.ok(!fnmatch('file[!0-9].txt', 'file7.txt'));
    assert.ok(fnmatch('file[^a].txt', 'fileb.txt'));
    assert.ok(fnmatch('a?c', 'abc'));
    assert.ok(fnmatch('[]]', ']'));
    assert.ok(fnmatch('a[', 'a['));
  });
  it('honours escapes unless noEscape', () => {
    assert.ok(fnmatch('a\\*', 'a*'));
    assert.ok(!fnmatch('a\\*', 'ab'));
    assert.ok(fnmatch('a\\*', 'a\\bc', { noEscape: true }));
  });
  it('needs a literal leading period under period', () => {
    assert.ok(!fnmatch('*', '.hidden', { period: true }));
    assert.ok(fnmatch('.*', '.hidden', { period: true }));
    assert.ok(fnmatch('*', '.hidden'));
  });
  it('stays linear on a client pattern made to backtrack', () => {
    const pattern = '*a'.repeat(40) + 'b';
    assert.ok(!fnmatch(pattern, 'a'.repeat(250)));
    assert.ok(fnmatch(pattern, 'a'.repeat(250) + 'b'));
  });
  it('tells a pattern from a plain name (apr_fnmatch_test)', () => {
    assert.ok(fnmatchTest('*.txt'));
    assert.ok(fnmatchTest('a[b]'));
    assert.ok(!fnmatchTest('a[b'));
    assert.ok(!fnmatchTest('plain.txt'));
    assert.ok(!fnmatchTest('a\\*'.slice(0, 2)));
    assert.ok(!fnmatchTest('\\*x'.slice(0, 2) + 'x'));
  });
});
