import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nonRegexPattern } from './config.js';

describe('nonRegexPattern (mod_setenvif non_regex_pattern)', () => {
  it('keeps plain text and unescapes escaped metacharacters', () => {
    assert.equal(nonRegexPattern('Mozilla/2'), 'Mozilla/2');
    assert.equal(nonRegexPattern('MSIE 4\\.0b2;'), 'MSIE 4.0b2;');
    assert.equal(nonRegexPattern('a\\\\b'), 'a\\b');
  });
  it('refuses anything with an unescaped metacharacter or an escaped ordinary one', () => {
    for (const re of ['^WebDrive', 'a.b', 'x$', '(a)', 'a|b', 'a*', 'a+', 'a?', '[ab]', 'a{2}'])
      assert.equal(nonRegexPattern(re), undefined, re);
    assert.equal(nonRegexPattern('\\d+'), undefined);
    assert.equal(nonRegexPattern('\\w'), undefined);
  });
});
