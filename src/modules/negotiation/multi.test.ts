// Pieces of handle_multi: the variant-list validator and its merge into the ETag
// (ap_make_etag_ex, checked against Apache: `"7-660d6c9ba9200;660d6c9ba9200`, no closing
// quote) and the exceptions-list match.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exceptionsMatch, vlistValidatorOf } from './multi.js';
import { withVlist } from '../../core/default-handler.js';

describe('variant list validator', () => {
  it('is the directory mtime in µs, weak within a second of the request', () => {
    const mtimeUs = 0x660d6c9ba9200n;
    const ms = Number(mtimeUs / 1000n);
    assert.equal(vlistValidatorOf(mtimeUs, ms + 5000, false), '"660d6c9ba9200"');
    assert.equal(vlistValidatorOf(mtimeUs, ms + 500, false), 'W/"660d6c9ba9200"');
    assert.equal(vlistValidatorOf(mtimeUs, ms, true), '');
  });
  it('is merged into the variant tag as httpd does, closing quote lost', () => {
    assert.equal(withVlist('"7-abc"', '"660d"'), '"7-abc;660d');
    assert.equal(withVlist('W/"7-abc"', '"660d"'), 'W/"7-abc;660d');
    assert.equal(withVlist('"7-abc"', 'W/"660d"'), 'W/"7-abc;660d');
    assert.equal(withVlist('"7-abc"', undefined), '"7-abc"');
    assert.equal(withVlist(undefined, '"660d"'), undefined);
  });
});

describe('exceptionsMatch', () => {
  it('needs every unknown part of the variant in the requested name, in order', () => {
    assert.equal(exceptionsMatch('index', ['index']), true);
    assert.equal(exceptionsMatch('index.html', ['index', 'foo']), false);
    assert.equal(exceptionsMatch('index.foo', ['index', 'foo']), true);
    assert.equal(exceptionsMatch('index.html.foo', ['index', 'foo']), true);
    assert.equal(exceptionsMatch('foo.index', ['index', 'foo']), false);
  });
});
