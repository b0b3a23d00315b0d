// Unit tests for byteranges.ts: ap_set_byterange's parsing, merging and limits, If-Range,
// and the multipart/byteranges layout. Expected values were captured from Apache 2.4.71
// on a 23-byte file (see tests/integration/static-methods.test.ts for the wire view).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ifRangeMatches, parseByteRanges, planMultipart } from './byteranges.js';
import type { RangeResult } from './byteranges.js';

const ranges = (...pairs: [number, number][]): RangeResult => ({
  kind: 'ranges',
  ranges: pairs.map(([start, end]) => ({ start, end })),
});
const NONE: RangeResult = { kind: 'none' };

describe('parseByteRanges (ap_set_byterange)', () => {
  const cases: [string | undefined, RangeResult][] = [
    [undefined, NONE],
    ['bytes=0-4', ranges([0, 4])],
    ['BYTES=0-0', ranges([0, 0])],
    ['bytes=00-01', ranges([0, 1])],
    ['bytes=0-30', ranges([0, 22])],
    ['bytes=-5', ranges([18, 22])],
    ['bytes=-100', ranges([0, 22])],
    ['bytes=0-0,2-2', ranges([0, 0], [2, 2])],
    ['bytes=3-4,0-1', ranges([3, 4], [0, 1])],
    ['bytes=0-1,5-6,2-3', ranges([0, 1], [5, 6], [2, 3])],
    // overlapping, adjacent and repeated ranges merge into the one before them
    ['bytes=0-1,1-2', ranges([0, 2])],
    ['bytes=0-1,2-3', ranges([0, 3])],
    ['bytes=0-1,0-1,0-1', ranges([0, 1])],
    // "0-" anywhere: the whole file, other specs dropped
    ['bytes=1-2,0-', ranges([0, 22])],
    // unsatisfiable specs are skipped when another one is satisfiable
    ['bytes=0-0,100-200', ranges([0, 0])],
    ['bytes=100-200,0-0', ranges([0, 0])],
    ['bytes=22-22,100-', ranges([22, 22])],
    // runs of commas are one separator; a trailing comma ends the list
    ['bytes=0-1,,3-4', ranges([0, 1], [3, 4])],
    ['bytes=0-1,', ranges([0, 1])],
    ['bytes=100-200', { kind: 'unsatisfiable' }],
    ['bytes=23-', { kind: 'unsatisfiable' }],
    // syntactically invalid: the whole header is ignored
    ['bytes=9-1', NONE],
    ['bytes=-0', NONE],
    ['bytes=abc', NONE],
    ['bytes= 0-1', NONE],
    ['bytes=0-1, 3-4', NONE],
    ['bytes=,0-1', NONE],
    ['bytes=', NONE],
    ['bytes==0-1', NONE],
    ['bytes=+1-2', NONE],
    ['bytes=0-0, bytes=2-2', NONE],
    ['items=0-1', NONE],
    ['bytes=0-99999999999999999999', NONE],
  ];
  for (const [header, want] of cases) {
    it(`${String(header)} on 23 bytes`, () => {
      assert.deepEqual(parseByteRanges(header, 23), want);
    });
  }

  it('leaves an empty body alone, whatever the header', () => {
    assert.deepEqual(parseByteRanges('bytes=0-0', 0), NONE);
    assert.deepEqual(parseByteRanges('bytes=5-6', 0), NONE);
  });

  it('ignores the header past MaxRanges, MaxRangeOverlaps or MaxRangeReversals', () => {
    const spaced = (n: number): string =>
      'bytes=' + Array.from({ length: n }, (_, i) => `${i * 2}-${i * 2}`).join(',');
    assert.equal(parseByteRanges(spaced(200), 1000).kind, 'ranges');
    assert.deepEqual(parseByteRanges(spaced(201), 1000), NONE);
    // 21 adjacent ranges: 20 merges is the limit
    const adjacent = (n: number): string =>
      'bytes=' + Array.from({ length: n }, (_, i) => `${i * 2 + 2}-${i * 2 + 3}`).join(',');
    assert.deepEqual(parseByteRanges(adjacent(21), 300), ranges([2, 43]));
    assert.deepEqual(parseByteRanges(adjacent(22), 300), NONE);
    // descending adjacent ranges count as reversals too
    const down = (n: number): string =>
      'bytes=' + Array.from({ length: n }, (_, i) => `${(n - i) * 2}-${(n - i) * 2 + 1}`).join(',');
    assert.deepEqual(parseByteRanges(down(22), 300), NONE);
    assert.deepEqual(
      parseByteRanges(down(22), 300, { ranges: 200, overlaps: 50, reversals: 20 }),
      NONE,
    );
    assert.equal(
      parseByteRanges(down(22), 300, { ranges: 200, overlaps: 50, reversals: 50 }).kind,
      'ranges',
    );
  });

  it('ignores ranges whose lengths add up to more than the file', () => {
    assert.deepEqual(parseByteRanges('bytes=0-10,15-22,0-5', 23), NONE);
  });
});

describe('ifRangeMatches (ap_condition_if_range)', () => {
  const mtime = 1_000_000;
  const later = (mtime + 120) * 1000;
  it('applies only when both If-Range and Range are present', () => {
    assert.equal(ifRangeMatches(undefined, 'bytes=0-0', '"e"', mtime, later), true);
    assert.equal(ifRangeMatches('"x"', undefined, '"e"', mtime, later), true);
  });
  it('compares an entity tag exactly (a weak ETag never matches)', () => {
    assert.equal(ifRangeMatches('"e"', 'bytes=0-0', '"e"', mtime, later), true);
    assert.equal(ifRangeMatches('"x"', 'bytes=0-0', '"e"', mtime, later), false);
    assert.equal(ifRangeMatches('"e"', 'bytes=0-0', 'W/"e"', mtime, later), false);
    assert.equal(ifRangeMatches('"e"', 'bytes=0-0', undefined, mtime, later), false);
  });
  it('matches a date equal to Last-Modified, once the file is a minute old', () => {
    const date = new Date(mtime * 1000).toUTCString();
    assert.equal(ifRangeMatches(date, 'bytes=0-0', undefined, mtime, later), true);
    assert.equal(ifRangeMatches(date, 'bytes=0-0', undefined, mtime, (mtime + 30) * 1000), false);
    const other = new Date((mtime + 1) * 1000).toUTCString();
    assert.equal(ifRangeMatches(other, 'bytes=0-0', undefined, mtime, later), false);
    assert.equal(ifRangeMatches('junk', 'bytes=0-0', undefined, mtime, later), false);
  });
});

describe('planMultipart', () => {
  it("lays out the parts as httpd does (Apache's bytes, boundary aside)", () => {
    const got = [
      { start: 0, end: 0 },
      { start: 2, end: 2 },
    ];
    const plan = planMultipart(got, 23, 'text/plain', 'd9491a80d13f105a');
    assert.equal(plan.contentType, 'multipart/byteranges; boundary=d9491a80d13f105a');
    const body = plan.heads[0] + 'h' + plan.heads[1] + 'l' + plan.tail;
    assert.equal(
      body,
      '\r\n--d9491a80d13f105a\r\nContent-type: text/plain\r\nContent-range: bytes 0-0/23\r\n\r\nh' +
        '\r\n--d9491a80d13f105a\r\nContent-type: text/plain\r\nContent-range: bytes 2-2/23\r\n\r\nl' +
        '\r\n--d9491a80d13f105a--\r\n',
    );
    assert.equal(plan.length, 184); // Apache's Content-Length for this request
    assert.equal(plan.lengthKnown, true);
  });
  it('leaves out Content-type when the file has no type', () => {
    const plan = planMultipart([{ start: 0, end: 1 }], 5, undefined, 'b');
    assert.equal(plan.heads[0], '\r\n--b\r\nContent-range: bytes 0-1/5\r\n\r\n');
  });
  it('drops the length past 32 parts, as the filter passes them on early', () => {
    const many = Array.from({ length: 33 }, (_, i) => ({ start: i * 2, end: i * 2 }));
    assert.equal(planMultipart(many.slice(0, 32), 300, 'text/plain', 'b').lengthKnown, true);
    assert.equal(planMultipart(many, 300, 'text/plain', 'b').lengthKnown, false);
  });
});
