import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bytes,
  escapeHtml,
  listingDate,
  osEscapePath,
  scanTitle,
  strcasecmp,
  strfsize,
  strnatcmp,
  terminateDescription,
} from './format.js';

describe('strfsize (apr_strfsize)', () => {
  it('formats sizes in four characters', () => {
    const cases: [number, string][] = [
      [-1, '  - '],
      [0, '  0 '],
      [972, '972 '],
      [973, '1.0K'],
      [5000, '4.9K'],
      [9 * 1024 + 972, '9.9K'],
      [9 * 1024 + 973, ' 10K'],
      [10 * 1024 + 600, ' 11K'],
      [972 * 1024, '972K'],
      [973 * 1024, '1.0M'],
      [5 * 1024 ** 3, '5.0G'],
    ];
    for (const [n, s] of cases) assert.equal(strfsize(n), s, String(n));
  });
});

describe('strnatcmp (apr_strnatcmp)', () => {
  it('orders digit runs by value, leading zeros as fractions', () => {
    assert.ok(strnatcmp('file9.txt', 'file10.txt') < 0);
    assert.ok(strnatcmp('file10', 'file9') > 0);
    assert.ok(strnatcmp('x1.01', 'x1.1') < 0);
    assert.ok(strnatcmp('a  b', 'ab') === 0);
    assert.equal(strnatcmp('same', 'same'), 0);
  });
  it('folds case on request, and compares bytes as signed chars', () => {
    assert.ok(strnatcmp('ABC', 'abd', true) < 0);
    assert.ok(strnatcmp('ABC', 'abc') < 0);
    assert.ok(strnatcmp('\xe9', 'a') < 0); // 0xe9 is negative as a C char
  });
  it('strcasecmp folds ASCII only', () => {
    assert.equal(strcasecmp('ABC', 'abc'), 0);
    assert.ok(strcasecmp('\xc9', '\xe9') < 0);
  });
});

describe('escaping', () => {
  it('escapes HTML specials as ap_escape_html', () => {
    assert.equal(escapeHtml(`a<b>&"c'`), "a&lt;b&gt;&amp;&quot;c'");
  });
  it('escapes a path with lower-case hex, ./ before a colon in the first segment', () => {
    assert.equal(osEscapePath('we ird&<n>.txt', false), 'we%20ird&%3cn%3e.txt');
    assert.equal(osEscapePath('a:b.txt', false), './a:b.txt');
    assert.equal(osEscapePath('d/a:b', false), 'd/a:b');
    assert.equal(osEscapePath('a:b', true), 'a:b');
    assert.equal(osEscapePath(bytes('café'), false), 'caf%c3%a9');
    assert.equal(osEscapePath('q?#%', false), 'q%3f%23%25');
  });
});

describe('listingDate', () => {
  it('formats local time in the two styles', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5).getTime();
    assert.equal(listingDate(t, false), '2026-01-02 03:04');
    assert.equal(listingDate(t, true), '02-Jan-2026 03:04');
  });
});

describe('terminateDescription', () => {
  it('leaves a short description alone', () => {
    assert.equal(terminateDescription('short', 23), 'short');
  });
  it('cuts a long one, ending it with >', () => {
    assert.equal(terminateDescription('A long description that goes on', 15), 'A long descrip>');
  });
  it('does not count tags, and counts an entity as one', () => {
    // httpd writes its `>` over the entity's `;`.
    assert.equal(terminateDescription('<b>bold</b> &amp; more', 6), '<b>bold</b> &amp>');
    assert.equal(terminateDescription('<b>bold</b>', 4), '<b>bold</b>');
    assert.equal(terminateDescription('a <unclosed', 5), 'a <unclosed');
    assert.equal(terminateDescription('a <b>', 1), '>');
    assert.equal(terminateDescription('&amp', 1), '&amp');
  });
});

describe('scanTitle (find_title)', () => {
  it('takes the text up to the next tag, line breaks made spaces', () => {
    assert.equal(scanTitle('<html><TITLE>My\nPage</title>'), 'My Page');
    assert.equal(scanTitle('<title>\r\nLead</title>'), 'Lead');
    assert.equal(scanTitle('<title>no end'), 'no end');
  });
  it('finds none without a title, or behind httpd’s restart-less match', () => {
    assert.equal(scanTitle('<html><body>'), undefined);
    assert.equal(scanTitle('<<title>x</title>'), undefined);
    assert.equal(scanTitle('\0<title>x'), undefined);
  });
});
