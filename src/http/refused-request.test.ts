import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedTargetLine, requestLineOf, unparsedUriOf } from './refused-request.js';
import { isChunked } from './server.js';

describe('refusedTargetLine', () => {
  it('splits a well-formed line whose target does not start with /', () => {
    assert.deepEqual(refusedTargetLine('GET ftp:x HTTP/1.1'), {
      method: 'GET',
      target: 'ftp:x',
      version: '1.1',
    });
  });
  it('leaves origin-form targets and malformed lines alone', () => {
    assert.equal(refusedTargetLine('GET /x HTTP/1.1'), undefined);
    assert.equal(refusedTargetLine('GET ftp:x'), undefined);
    assert.equal(refusedTargetLine('GET  ftp:x HTTP/1.1'), undefined);
    assert.equal(refusedTargetLine('GET ftp:x HTTP/1.1 x'), undefined);
  });
});

describe('unparsedUriOf (AH03450, as httpd 2.4.71 logs it)', () => {
  const cases: readonly (readonly [string, string | undefined])[] = [
    ['ftp:x', 'x'],
    ['foo:bar', 'bar'],
    ['1ftp://h/x', '1ftp'],
    ['x', 'x'],
    ['a1:x/y', 'x/y'],
    ['ftp:x?q', 'x'],
    ['ftp:x/y#f', 'x/y'],
    ['x?q', 'x'],
    ['x#f', 'x'],
    ['+a:b', '+a'],
    [':x', ''],
    ['a:b:c', 'b'],
    ['1ftp//h', '1ftp//h'],
    ['ab%41:x', 'ab%41'],
    ['1:/x', '1'],
    ['ftp:', undefined],
    ['ftp:?x', undefined],
    ['ftp:/x', undefined],
  ];
  for (const [target, uri] of cases) {
    it(`${target} → ${String(uri)}`, () => {
      assert.equal(unparsedUriOf(target), uri);
    });
  }
});

describe('requestLineOf', () => {
  it('takes the first line, drops its CR and keeps a bare LF as httpd logs it', () => {
    assert.deepEqual(requestLineOf(Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n')), {
      method: 'GET',
      target: '/a',
      version: '1.1',
      theRequest: 'GET /a HTTP/1.1',
    });
    assert.equal(
      requestLineOf(Buffer.from('GET /b HTTP/1.1\nHost: x\n\n'))?.theRequest,
      'GET /b HTTP/1.1\n',
    );
    assert.deepEqual(requestLineOf(Buffer.from('GARBAGE\r\n\r\n')), {
      method: 'GARBAGE',
      target: '',
      version: '1.0',
      theRequest: 'GARBAGE',
    });
    assert.equal(requestLineOf(Buffer.from('GET /c FOO\r\n'))?.version, '1.0');
    assert.equal(requestLineOf(Buffer.from('GET /partial'))?.theRequest, 'GET /partial');
    assert.equal(requestLineOf(Buffer.from('\r\n')), undefined);
    assert.equal(requestLineOf(Buffer.from('')), undefined);
  });
});

describe('isChunked', () => {
  it('is true only when chunked is the final coding', () => {
    assert.equal(isChunked('chunked'), true);
    assert.equal(isChunked('gzip, Chunked '), true);
    assert.equal(isChunked('gzip'), false);
    assert.equal(isChunked('chunked, gzip'), false);
    assert.equal(isChunked(''), false);
  });
});
