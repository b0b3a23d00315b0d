// Unit tests for http-methods.ts: make_allow and the TRACE echo (values from Apache 2.4.71).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HANDLER_METHODS, KNOWN_METHODS, echoedHead, makeAllow } from './http-methods.js';
import type { RequestRecord } from '../request/record.js';

/** Just what makeAllow reads: r.allowed, r.prev and the server's core slot. */
const rec = (
  allowed: readonly string[] | undefined,
  trace?: 'on' | 'off' | 'extended',
): RequestRecord =>
  ({
    allowed,
    prev: undefined,
    server: { server: trace === undefined ? {} : { core: { traceEnable: trace } } },
  }) as unknown as RequestRecord;

describe('makeAllow (make_allow)', () => {
  it('lists the default handler methods, HEAD with GET, then TRACE', () => {
    assert.equal(makeAllow(rec(DEFAULT_HANDLER_METHODS)), 'GET,POST,OPTIONS,HEAD,TRACE');
    assert.equal(
      makeAllow(rec(DEFAULT_HANDLER_METHODS, 'extended')),
      'GET,POST,OPTIONS,HEAD,TRACE',
    );
  });
  it('leaves TRACE out under TraceEnable Off', () => {
    assert.equal(makeAllow(rec(DEFAULT_HANDLER_METHODS, 'off')), 'GET,POST,OPTIONS,HEAD');
  });
  it('is empty when nothing allowed anything and TRACE is off (the TRACE-off 405)', () => {
    assert.equal(makeAllow(rec(undefined, 'off')), '');
    assert.equal(makeAllow(rec(undefined)), 'TRACE');
  });
  it('reads TraceEnable from the original request of a redirect chain', () => {
    const first = rec(undefined, 'off');
    const next = { ...rec(['GET']), prev: first } as unknown as RequestRecord;
    assert.equal(makeAllow(next), 'GET,HEAD');
  });
});

describe('KNOWN_METHODS', () => {
  it('holds the methods httpd registers, not the ones node also parses', () => {
    for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'MERGE'])
      assert.ok(KNOWN_METHODS.has(m), m);
    for (const m of ['PURGE', 'SEARCH', 'BIND', 'LINK', 'M-SEARCH', 'FOO'])
      assert.ok(!KNOWN_METHODS.has(m), m);
  });
});

describe('echoedHead (TRACE body)', () => {
  it('echoes the request line and the fields, duplicates merged where the first stood', () => {
    const raw = [
      'Host',
      'x',
      'X-A',
      '1',
      'x-b',
      '2',
      'x-a',
      '3',
      'Cookie',
      'c=1',
      'Cookie',
      'd=2',
      'X-E',
      '',
    ];
    assert.equal(
      echoedHead('TRACE /t.txt?a=b HTTP/1.1', raw),
      'TRACE /t.txt?a=b HTTP/1.1\r\nHost: x\r\nX-A: 1, 3\r\nx-b: 2\r\nCookie: c=1, d=2\r\nX-E: \r\n\r\n',
    );
  });
  it('has just the request line and a blank line without fields', () => {
    assert.equal(echoedHead('TRACE /t.txt HTTP/1.0', []), 'TRACE /t.txt HTTP/1.0\r\n\r\n');
  });
});
