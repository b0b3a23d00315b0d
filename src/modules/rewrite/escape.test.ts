import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeAbsoluteUri, escapeBackref, escapeUri, unescapeUrl } from './escape.js';

const B = { escapes: undefined, noescapes: undefined, noPlus: false, ctls: false };

describe('rewrite escaping', () => {
  it('ap_escape_uri keeps the path-safe set, lower-case hex otherwise', () => {
    assert.equal(escapeUri("a b/~$-_.+!*'(),:;@&=?#%é"), "a%20b/~$-_.+!*'(),:;@&=%3f%23%25%c3%a9");
  });
  it('ap_unescape_url decodes valid escapes and stops at %00', () => {
    assert.equal(unescapeUrl('a%20b%zz%2F'), 'a b%zz/');
    assert.equal(unescapeUrl('a%00b'), 'a');
    assert.equal(unescapeUrl('caf%C3%A9'), 'café');
  });
  it('[B] escapes everything but letters, digits and _, space as +', () => {
    assert.equal(escapeBackref('a b&c=d/é_', B), 'a+b%26c%3dd%2f%c3%a9_');
  });
  it('[BNP] escapes the space as %20', () => {
    assert.equal(escapeBackref('a b', { ...B, noPlus: true }), 'a%20b');
  });
  it('[B=chars] escapes only those; [BNE=chars] spares some', () => {
    assert.equal(escapeBackref('a b&c/d', { ...B, escapes: '&' }), 'a b%26c/d');
    assert.equal(escapeBackref('a&c/d', { ...B, noescapes: '/' }), 'a%26c/d');
  });
  it('[BCTLS] escapes controls and blanks only', () => {
    assert.equal(escapeBackref('a b\tc&', { ...B, ctls: true }), 'a+b%09c&');
  });
  it('escape_absolute_uri leaves scheme and host, escapes the path', () => {
    assert.equal(escapeAbsoluteUri('http://h.x/a b?c d', 7), 'http://h.x/a%20b%3fc%20d');
    assert.equal(escapeAbsoluteUri('http://h.x', 7), 'http://h.x');
    assert.equal(escapeAbsoluteUri('http://h.x/', 7), 'http://h.x/');
    assert.equal(escapeAbsoluteUri('mailto:a b@x', 7), 'mailto:a%20b@x');
    assert.equal(escapeAbsoluteUri('ldap://h/a b?c d?e', 7), 'ldap://h/a%20b?c%20d?e');
  });
});
