// canonicalFilename: the r->filename ap_directory_walk works on (apr_filepath_merge).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalFilename, rawPathInfo } from './translate.js';

describe('canonicalFilename', () => {
  it('returns a canonical path as it is', () => {
    assert.equal(canonicalFilename('/srv/htdocs/x/b.txt'), '/srv/htdocs/x/b.txt');
    assert.equal(canonicalFilename('/srv/.well-known/a'), '/srv/.well-known/a');
    assert.equal(canonicalFilename('/srv/d/'), '/srv/d/');
  });
  it('merges slashes and drops `.` segments, keeping a trailing slash', () => {
    assert.equal(canonicalFilename('/srv//x//b.txt'), '/srv/x/b.txt');
    assert.equal(canonicalFilename('/srv/d//'), '/srv/d/');
    assert.equal(canonicalFilename('/srv/./d/.'), '/srv/d/');
  });
  it('takes `..` off lexically, and does nothing above the root', () => {
    assert.equal(canonicalFilename('/srv/a/../b'), '/srv/b');
    assert.equal(canonicalFilename('/srv/a/..'), '/srv/');
    assert.equal(canonicalFilename('/../srv'), '/srv');
    assert.equal(canonicalFilename('/..'), '/');
  });
  it('leaves a relative name alone', () => {
    assert.equal(canonicalFilename('rel//x'), 'rel//x');
  });
});

describe('rawPathInfo', () => {
  it('is what follows the segments that make up the file, as written', () => {
    assert.equal(rawPathInfo('/srv/app.wsgi//a//b/', '/srv/app.wsgi'), '//a//b/');
    assert.equal(rawPathInfo('/srv//./app.wsgi/x', '/srv/app.wsgi'), '/x');
    assert.equal(rawPathInfo('/srv/y/../app.wsgi//x', '/srv/app.wsgi'), '//x');
  });
  it('is undefined when no prefix names the file', () => {
    assert.equal(rawPathInfo('/srv//other/x', '/srv/app.wsgi'), undefined);
  });
});
