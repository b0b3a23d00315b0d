import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { absoluteUri, substPrefixPath } from './uri.js';

describe('is_absolute_uri', () => {
  it('knows the schemes and which take a query string', () => {
    assert.deepEqual(absoluteUri('http://h/x'), { len: 7, qs: true });
    assert.deepEqual(absoluteUri('HTTPS://h/x'), { len: 8, qs: true });
    assert.deepEqual(absoluteUri('ftp://h/x'), { len: 6, qs: false });
    assert.deepEqual(absoluteUri('mailto:a@b'), { len: 7, qs: true });
    assert.deepEqual(absoluteUri('news:comp.x'), { len: 5, qs: false });
    assert.deepEqual(absoluteUri('unix:/run/s'), { len: 5, qs: true });
    assert.deepEqual(absoluteUri('unix:///run/s'), { len: 7, qs: true });
  });
  it('answers 0 for paths, short strings and unknown schemes', () => {
    assert.equal(absoluteUri('/http://x').len, 0);
    assert.equal(absoluteUri('ws:/').len, 0);
    assert.equal(absoluteUri('gopherx://h').len, 0);
    assert.equal(absoluteUri('foo://bar/baz').len, 0);
  });
});

describe('subst_prefix_path', () => {
  it('swaps a matching directory prefix for the base', () => {
    assert.equal(substPrefixPath('/srv/www/a/b', '/srv/www/', '/app/'), '/app/a/b');
    assert.equal(substPrefixPath('/srv/www/a', '/srv/www/', '/app'), '/app/a');
  });
  it('leaves a path outside the prefix alone (whole segments only)', () => {
    assert.equal(substPrefixPath('/srv/wwwx/a', '/srv/www/', '/app/'), '/srv/wwwx/a');
    assert.equal(substPrefixPath('/other', '/srv/www/', '/app/'), '/other');
  });
});
