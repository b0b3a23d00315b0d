// mod_negotiation's header parsers (atoq, get_entry, do_header_line, ap_get_token).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { atoq, getToken, parseAcceptHeader, parseLanguages } from './accept.js';

describe('atoq', () => {
  it('reads at most three decimals, with or without the leading zero', () => {
    assert.equal(atoq('0.5'), Math.fround(0.5));
    assert.equal(atoq('.5'), Math.fround(0.5));
    assert.equal(atoq(' 0.25'), Math.fround(0.25));
    assert.equal(atoq('0.1234'), Math.fround(0.123));
    assert.equal(atoq('0.0009'), 0);
    assert.equal(atoq('0'), 0);
    assert.equal(atoq('0x'), 0);
  });
  it('counts anything not starting with 0 or . as 1 (q=1.5, junk, empty)', () => {
    assert.equal(atoq('1'), 1);
    assert.equal(atoq('1.5'), 1);
    assert.equal(atoq('abc'), 1);
    assert.equal(atoq(''), 1);
    assert.equal(atoq(undefined), 1);
  });
});

describe('getToken', () => {
  it('stops at white space, ; or , and skips the white space after', () => {
    assert.deepEqual(getToken('  text/html ; q=1', 0, false), ['text/html', 12]);
    assert.deepEqual(getToken('a b', 0, false), ['a', 2]);
    assert.deepEqual(getToken('q = 0.5 ,x', 0, true), ['q = 0.5 ', 8]);
  });
  it('steps over quoted strings', () => {
    assert.deepEqual(getToken('"a;b",c', 0, false), ['"a;b"', 5]);
    assert.deepEqual(getToken('"open', 0, false), ['"open', 5]);
  });
});

describe('parseAcceptHeader', () => {
  it('is undefined for a missing header and [] for an empty one', () => {
    assert.equal(parseAcceptHeader(undefined), undefined);
    assert.deepEqual(parseAcceptHeader(''), []);
  });
  it('lower-cases names and reads q, qs, level and charset', () => {
    assert.deepEqual(
      parseAcceptHeader('Text/HTML;Level=3;q=0.5, text/plain; charset="UTF-8", */*;qs=0.1'),
      [
        { name: 'text/html', quality: Math.fround(0.5), level: 3, charset: '' },
        { name: 'text/plain', quality: 1, level: 0, charset: 'utf-8' },
        { name: '*/*', quality: Math.fround(0.1), level: 0, charset: '' },
      ],
    );
  });
  it('gives text/html level 2 and server-parsed HTML 2 or 3 unless told', () => {
    const [html, ssi, ssi3] =
      parseAcceptHeader('text/html, text/x-server-parsed-html, text/x-server-parsed-html3') ?? [];
    assert.equal(html?.level, 2);
    assert.equal(ssi?.level, 2);
    assert.equal(ssi3?.level, 3);
  });
  it('accepts the old space-separated format and ignores parameters without =', () => {
    assert.deepEqual(
      (parseAcceptHeader('text/html text/plain;foo;q=0') ?? []).map((a) => [a.name, a.quality]),
      [
        ['text/html', 1],
        ['text/plain', 0],
      ],
    );
  });
  it('keeps empty items between commas (they match nothing)', () => {
    assert.deepEqual(
      (parseAcceptHeader(', en') ?? []).map((a) => a.name),
      ['', 'en'],
    );
  });
});

describe('parseLanguages', () => {
  it('splits a type map Content-Language on , and ; and lower-cases', () => {
    assert.deepEqual(parseLanguages('EN, fr;de\n'), ['en', 'fr', 'de']);
  });
});

describe('robustness', () => {
  it('parses any header text without throwing, one item per comma at most', () => {
    const alphabet = 'ab*/-;,=" q.019\t\r\n(';
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let j = rnd(40); j > 0; j--) s += alphabet[rnd(alphabet.length)] ?? '';
      const items = parseAcceptHeader(s) ?? [];
      for (const it of items) {
        assert.ok(it.quality >= 0 && it.quality <= 1);
        assert.equal(it.name, it.name.toLowerCase());
      }
      assert.ok(items.length <= s.length + 1);
      assert.ok(parseLanguages(s).length <= s.length + 1);
    }
  });
});
