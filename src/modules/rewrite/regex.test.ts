import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, pcreToJs } from './regex.js';

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
