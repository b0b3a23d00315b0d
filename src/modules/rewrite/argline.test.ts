import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgLine, parseFlagField } from './argline.js';

describe('parseArgLine (parseargline)', () => {
  it('splits up to three words', () => {
    assert.deepEqual(parseArgLine('^/a  /b   [L,R]'), { a1: '^/a', a2: '/b', a3: '[L,R]' });
  });
  it('leaves the third word out when absent or blank', () => {
    assert.deepEqual(parseArgLine('a b'), { a1: 'a', a2: 'b', a3: undefined });
    assert.deepEqual(parseArgLine('a b   '), { a1: 'a', a2: 'b', a3: undefined });
  });
  it('reads quoted words, keeping blanks inside', () => {
    assert.deepEqual(parseArgLine('"a b" \'c d\' [NC]'), { a1: 'a b', a2: 'c d', a3: '[NC]' });
  });
  it('keeps a backslash-escaped blank in the word, backslash included', () => {
    assert.deepEqual(parseArgLine('a\\ b c'), { a1: 'a\\ b', a2: 'c', a3: undefined });
  });
  it('is a bad argument line with fewer than two words', () => {
    assert.equal(parseArgLine('^a'), undefined);
    assert.equal(parseArgLine(''), undefined);
  });
  it('reads an empty second word after a closing quote at the end', () => {
    assert.deepEqual(parseArgLine('"a" '), { a1: 'a', a2: '', a3: undefined });
  });
  it('ignores a fourth word, as httpd does', () => {
    assert.deepEqual(parseArgLine('a b c d'), { a1: 'a', a2: 'b', a3: 'c' });
  });
});

describe('parseFlagField (cmd_parseflagfield)', () => {
  const collect = (f: string): [string, string][] | string => {
    const out: [string, string][] = [];
    const err = parseFlagField(f, (k, v) => {
      out.push([k, v]);
      return undefined;
    });
    return err ?? out;
  };
  it('splits keys and values, trimming blanks', () => {
    assert.deepEqual(collect('[L, R=301 ,E=a:b=c]'), [
      ['L', ''],
      ['R', '301'],
      ['E', 'a:b=c'],
    ]);
  });
  it('refuses a field without brackets', () => {
    assert.equal(collect('NC'), 'bad flag delimiters');
    assert.equal(collect('[NC'), 'bad flag delimiters');
  });
  it('passes the first error up', () => {
    assert.equal(
      parseFlagField('[A,B]', (k) => (k === 'B' ? 'bad B' : undefined)),
      'bad B',
    );
  });
  it('hands an empty flag to the setter, as httpd does for [] and [L,,R]', () => {
    assert.deepEqual(collect('[]'), [['', '']]);
    assert.deepEqual(collect('[L,,R]'), [
      ['L', ''],
      ['', ''],
      ['R', ''],
    ]);
  });
});
