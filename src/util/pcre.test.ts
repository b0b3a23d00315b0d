import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, pcreOnlySyntax, pcreToJs } from './pcre.js';

describe('pcreToJs', () => {
  it('turns POSIX classes into ranges', () => {
    assert.equal(compilePattern('^[[:alpha:]]+[[:digit:]]$', false)?.test('abc1'), true);
    assert.equal(compilePattern('^[^[:space:]]+$', false)?.test('a b'), false);
  });
  it('reads \\A, \\z and a leading (?i)', () => {
    const re = compilePattern('(?i)\\Aab\\z', false);
    assert.equal(re?.test('AB'), true);
    assert.equal(re?.flags, 'i');
  });
  it('reads (?P<name>…) groups', () => {
    assert.equal(compilePattern('^(?P<x>a)$', false)?.exec('a')?.groups?.['x'], 'a');
  });
  it('keeps a ] right after [ as a literal', () => {
    assert.equal(pcreToJs('[]a]', false).source, '[\\]a]');
    assert.equal(compilePattern('^[^]]$', false)?.test(']'), false);
  });
  it('is case-blind under NC', () => {
    assert.equal(compilePattern('^/A$', true)?.test('/a'), true);
  });
  it('answers undefined for what does not compile', () => {
    assert.equal(compilePattern('^(a', false), undefined);
  });
});

describe('pcreOnlySyntax', () => {
  it('names PCRE-only constructs', () => {
    assert.equal(pcreOnlySyntax('a++'), '++');
    assert.equal(pcreOnlySyntax('(?>a)'), '(?>');
    assert.equal(pcreOnlySyntax('a(?i)b'), '(?i)');
    assert.equal(pcreOnlySyntax('(?i:a)'), '(?i:');
    assert.equal(pcreOnlySyntax('\\p{L}'), '\\p');
    assert.equal(pcreOnlySyntax('\\Qa.b\\E'), '\\Q');
    assert.equal(pcreOnlySyntax('\\x{41}'), '\\x{…}');
  });
  it('accepts what JavaScript reads the same way', () => {
    for (const ok of [
      '^/a+b*?$',
      '(?i)abc',
      '(?:a|b)',
      '(?=a)',
      '(?!a)',
      '(?<n>a)',
      '[+*]+',
      '\\\\p',
      '\\x41',
      '\\d{2}',
    ])
      assert.equal(pcreOnlySyntax(ok), undefined, ok);
  });
});
