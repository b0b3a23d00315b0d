import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBasic } from './index.js';
import { escapeQuotes } from '../authn-core/index.js';

describe('decodeBasic (apr_base64_decode as get_basic_auth uses it)', () => {
  it('decodes user:password, keeping bytes as latin1', () => {
    assert.equal(decodeBasic(Buffer.from('alice:secret').toString('base64')), 'alice:secret');
    const utf8 = Buffer.from('dave:pässwörd').toString('base64');
    assert.equal(Buffer.from(decodeBasic(utf8), 'latin1').toString('utf8'), 'dave:pässwörd');
  });
  it('stops at the first character outside the base64 alphabet', () => {
    const b = Buffer.from('bob:hunter2').toString('base64'); // "Ym9iOmh1bnRlcjI="
    assert.equal(decodeBasic(`${b} trailing`), 'bob:hunter2');
    assert.equal(decodeBasic('!!!'), '');
  });
  it('ends the text at a NUL byte, as the C string does', () => {
    assert.equal(decodeBasic(Buffer.from('eve:pw\0ignored').toString('base64')), 'eve:pw');
  });
});

describe('escapeQuotes (ap_escape_quotes)', () => {
  it('escapes bare quotes and passes escaped characters through', () => {
    assert.equal(escapeQuotes('a "b" c'), 'a \\"b\\" c');
    assert.equal(escapeQuotes('a \\"b'), 'a \\"b');
    assert.equal(escapeQuotes('end\\'), 'end\\');
    assert.equal(escapeQuotes('\\\\"'), '\\\\\\"');
  });
});
