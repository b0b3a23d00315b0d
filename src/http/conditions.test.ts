import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findEtagStrong, findEtagWeak, meetsConditions } from './conditions.js';
import type { RequestRecord } from '../request/record.js';

const req = (method: string, headers: Record<string, string>): RequestRecord =>
  ({
    method,
    headersIn: { headers },
    requestTime: Date.parse('2024-06-01T00:00:00Z'),
  }) as unknown as RequestRecord;
const v = { etag: '"abc"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' };

describe('entity tag lists (ap_find_etag_weak/strong)', () => {
  it('compares weakly ignoring W/, strongly only between strong tags', () => {
    assert.equal(findEtagWeak('"x", W/"abc"', '"abc"'), true);
    assert.equal(findEtagWeak('"x"', '"abc"'), false);
    assert.equal(findEtagStrong('W/"abc"', '"abc"'), false);
    assert.equal(findEtagStrong('"a,b", "abc"', '"abc"'), true);
    assert.equal(findEtagStrong('"abc"', 'W/"abc"'), false);
  });
});

describe('ap_meets_conditions', () => {
  it('answers 304 for a GET whose copy is current, 412 when a precondition fails', () => {
    assert.equal(meetsConditions(req('GET', { 'if-none-match': '"abc"' }), v), 304);
    assert.equal(meetsConditions(req('GET', { 'if-none-match': '*' }), v), 304);
    assert.equal(meetsConditions(req('GET', { 'if-none-match': '"zz"' }), v), undefined);
    assert.equal(meetsConditions(req('POST', { 'if-none-match': '"abc"' }), v), 412);
    assert.equal(meetsConditions(req('GET', { 'if-match': '"zz"' }), v), 412);
    assert.equal(meetsConditions(req('GET', { 'if-match': '*' }), v), undefined);
    assert.equal(
      meetsConditions(req('GET', { 'if-unmodified-since': 'Sun, 31 Dec 2023 00:00:00 GMT' }), v),
      412,
    );
    assert.equal(
      meetsConditions(req('GET', { 'if-modified-since': 'Tue, 02 Jan 2024 00:00:00 GMT' }), v),
      304,
    );
    // A date after the request time does not count.
    assert.equal(
      meetsConditions(req('GET', { 'if-modified-since': 'Tue, 02 Jan 2029 00:00:00 GMT' }), v),
      undefined,
    );
  });
  it('lets a failing If-None-Match override a matching If-Modified-Since, and If-Range through', () => {
    assert.equal(
      meetsConditions(
        req('GET', {
          'if-none-match': '"zz"',
          'if-modified-since': 'Tue, 02 Jan 2024 00:00:00 GMT',
        }),
        v,
      ),
      undefined,
    );
    assert.equal(
      meetsConditions(
        req('GET', { 'if-none-match': '"abc"', range: 'bytes=0-1', 'if-range': '"abc"' }),
        v,
      ),
      undefined,
    );
  });
});
