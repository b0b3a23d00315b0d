import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCode } from './config.js';
import type { ExpiresDirConf } from './config.js';
import { codeFor, expirationFields } from './index.js';

describe('expires codes (check_code)', () => {
  it('turns <base> [plus] {<num> <type>}* into A/M seconds, abbreviations as httpd reads them', () => {
    assert.equal(checkCode('access plus 1 month'), `A${30 * 86400}`);
    assert.equal(checkCode('now plus 1 hour 30 minutes'), 'A5400');
    assert.equal(checkCode('modification 2 days 1 s'), `M${2 * 86400 + 1}`);
    assert.equal(checkCode('a 1 y 1 w'), `A${365 * 86400 + 7 * 86400}`);
    assert.equal(checkCode('access'), 'A0');
    assert.equal(checkCode('A3600'), 'A3600');
    assert.equal(checkCode('M0'), 'M0');
  });
  it('refuses what httpd refuses, with its words', () => {
    assert.deepEqual(checkCode('later plus 1 day'), {
      error: "bad expires code, unrecognised <base> 'later'",
    });
    assert.deepEqual(checkCode('access plus x days'), {
      error: "bad expires code, numeric value expected <num> 'x'",
    });
    assert.deepEqual(checkCode('access plus 1'), { error: 'bad expires code, missing <type>' });
    assert.deepEqual(checkCode('access plus 1 m'), {
      error: "bad expires code, unrecognised <type>'m'",
    });
  });
});

describe('expires_filter', () => {
  const conf: ExpiresDirConf = {
    active: true,
    expiresDefault: 'M60',
    byType: { 'text/plain': 'A10', 'image/*': 'A20' },
    wildcards: true,
  };
  it('picks the exact type, then type/*, then ExpiresDefault', () => {
    assert.equal(codeFor(conf, 'text/plain; charset=utf-8'), 'A10');
    assert.equal(codeFor(conf, 'Text/Plain'), 'A10');
    assert.equal(codeFor(conf, 'image/png'), 'A20');
    assert.equal(codeFor({ ...conf, wildcards: false }, 'image/png'), 'M60');
    assert.equal(codeFor(conf, undefined), 'M60');
  });
  it('counts from the request or the mtime, never before the request', () => {
    assert.deepEqual(expirationFields('A10', 1_000_000, undefined), {
      maxAge: 10,
      expires: 1_010_000,
    });
    assert.deepEqual(expirationFields('M60', 1_000_000, 970_500), {
      maxAge: 30,
      expires: 1_030_500,
    });
    assert.deepEqual(expirationFields('M60', 1_000_000, 100_000), {
      maxAge: 0,
      expires: 1_000_000,
    });
    assert.equal(expirationFields('M60', 1_000_000, undefined), undefined);
  });
});
