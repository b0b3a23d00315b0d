// ap_normalize_path / ap_unescape_url_ex behaviour (steps 1 and 4 of the pipeline).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePath, unescapePath } from './normalize.js';

describe('normalizePath', () => {
  it('removes dot segments and merges slashes', () => {
    assert.equal(normalizePath('/a/./b/../c', true), '/a/c');
    assert.equal(normalizePath('//a///b//', true), '/a/b/');
    assert.equal(normalizePath('/a/b/..', true), '/a/');
    assert.equal(normalizePath('/a//b', false), '/a//b');
  });
  it('decodes %2e before resolving, so %2e%2e cannot escape', () => {
    assert.equal(normalizePath('/static/%2e%2e/a.txt', true), '/a.txt');
    assert.equal(normalizePath('/%2E%2e/x', true), undefined);
  });
  it('refuses paths above the root and non-absolute paths (400)', () => {
    assert.equal(normalizePath('/../a', true), undefined);
    assert.equal(normalizePath('a/b', true), undefined);
  });
  it('refuses invalid %-escapes', () => {
    assert.equal(normalizePath('/a%zz', true), undefined);
  });
  it('leaves reserved escapes encoded for step 4, in the case the client sent', () => {
    // httpd 2.4.71, AllowEncodedSlashes NoDecode: GET /x%2f%2fb.txt logs %U = /x%2f%2fb.txt
    // and looks for the file "x%2f%2fb.txt" (ap_normalize_path never re-cases an escape).
    assert.equal(normalizePath('/a%2fb%20c', true), '/a%2fb%20c');
    assert.equal(normalizePath('/a%2Fb%7e', true), '/a%2Fb~');
  });
});

describe('unescapePath', () => {
  it('decodes everything but refuses %2F with 404 unless AllowEncodedSlashes', () => {
    assert.deepEqual(unescapePath('/a%20b', 'off'), { path: '/a b' });
    // The refused path is still decoded, as httpd's in-place decode leaves r->uri.
    assert.deepEqual(unescapePath('/a%2Fb%20c', 'off'), { status: 404, path: '/a/b c' });
    assert.deepEqual(unescapePath('/a%2Fb', 'on'), { path: '/a/b' });
    assert.deepEqual(unescapePath('/a%2Fb', 'nodecode'), { path: '/a%2Fb' });
  });
  it('answers 404 for %00 and 400 for a bad escape', () => {
    // A NUL ends the C string httpd keeps; a bad escape stays as written.
    assert.deepEqual(unescapePath('/a%20%00b/c', 'on'), { status: 404, path: '/a ' });
    assert.deepEqual(unescapePath('/a%g1%20', 'off'), { status: 400, path: '/a%g1 ' });
    assert.deepEqual(unescapePath('/a%2F%g1', 'off'), { status: 400, path: '/a/%g1' });
  });
  it('returns a path without escapes as it is', () => {
    assert.deepEqual(unescapePath('/caf\u00e9/x', 'off'), { path: '/caf\u00e9/x' });
  });
  it('decodes UTF-8 sequences', () => {
    assert.deepEqual(unescapePath('/%C3%A9', 'off'), { path: '/é' });
  });
});

describe('normalizePath (dot segments at the end)', () => {
  it('keeps the trailing slash a final "." or ".." leaves behind', () => {
    assert.equal(normalizePath('/a/.', true), '/a/');
    assert.equal(normalizePath('/a/b/%2e', false), '/a/b/');
    assert.equal(normalizePath('/.', true), '/');
  });
});

describe('unescapePath (bytes that are not UTF-8)', () => {
  it('keeps every byte of a non-UTF-8 escape, read as latin-1', () => {
    assert.deepEqual(unescapePath('/%FF%41', 'off'), { path: '/\u00ffA' });
    assert.deepEqual(unescapePath('/caf%E9', 'off'), { path: '/caf\u00e9' });
  });
  it('keeps %2F encoded under AllowEncodedSlashes NoDecode and decodes it under On', () => {
    assert.deepEqual(unescapePath('/a%2fb', 'nodecode'), { path: '/a%2fb' });
    assert.deepEqual(unescapePath('/a%2Fb', 'on'), { path: '/a/b' });
  });
});
