import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFormat } from './config.js';
import type { HeaderEntry } from './config.js';
import { doHeadersFixup, processRegexp } from './index.js';
import type { Table } from './index.js';
import type { RequestRecord } from '../../request/record.js';

const entry = (
  action: HeaderEntry['action'],
  header: string,
  value?: string,
  regex?: string,
): HeaderEntry => {
  const f = value === undefined ? undefined : parseFormat(value);
  if (typeof f === 'string') throw new Error(f);
  return { action, header, format: f, regex, condition: undefined };
};
const req = (env: Record<string, string> = {}): RequestRecord =>
  ({
    env: new Map(Object.entries(env)),
    notes: new Map(),
    requestTime: 1_000,
  }) as unknown as RequestRecord;

describe('Header value formats (parse_format_string)', () => {
  it('splits text, escapes and %-tags', () => {
    assert.deepEqual(parseFormat('a\\tb %% %{HOME}e %t\\q'), [
      { kind: 'text', text: 'a\tb ' },
      { kind: 'text', text: '%' },
      { kind: 'text', text: ' ' },
      { kind: 'tag', tag: 'e', arg: 'HOME' },
      { kind: 'text', text: ' ' },
      { kind: 'tag', tag: 't', arg: '' },
      { kind: 'text', text: '\\q' },
    ]);
    assert.deepEqual(parseFormat('100%'), [
      { kind: 'text', text: '100' },
      { kind: 'text', text: '%' },
    ]);
  });
  it('refuses an unknown tag with httpd words', () => {
    assert.equal(parseFormat('x %Z'), 'Unrecognized header format %Z');
  });
});

describe('do_headers_fixup', () => {
  it('sets, appends, merges tokens once, adds, unsets and fills only when empty', () => {
    const t: Table = [
      ['Cache-Control', 'private'],
      ['Vary', 'Cookie, "a,b"'],
      ['X-Gone', '1'],
      ['x-gone', '2'],
    ];
    doHeadersFixup(
      req(),
      t,
      [
        entry('append', 'cache-control', 'no-cache'),
        entry('merge', 'Vary', 'Cookie'),
        entry('merge', 'Vary', 'Accept'),
        entry('add', 'X-A', '1'),
        entry('add', 'X-A', '2'),
        entry('set', 'X-A', '3'),
        entry('unset', 'X-GONE'),
        entry('setifempty', 'X-A', 'no'),
        entry('setifempty', 'X-B', 'yes'),
      ],
      false,
      [],
    );
    assert.deepEqual(t, [
      ['Cache-Control', 'private, no-cache'],
      ['Vary', 'Cookie, "a,b", Accept'],
      ['X-A', '3'],
      ['X-B', 'yes'],
    ]);
  });
  it('echoes matching request fields and writes notes', () => {
    const r = req();
    const t: Table = [['X-Out', 'v']];
    doHeadersFixup(
      r,
      t,
      [entry('echo', '^X-E'), entry('echo', '^x-o'), entry('note', 'X-Out', 'out_note')],
      false,
      [
        ['X-Echo', '1'],
        ['Other', '2'],
      ],
    );
    assert.deepEqual(t, [
      ['X-Out', 'v'],
      ['X-Echo', '1'],
    ]);
    assert.equal(r.notes.get('out_note'), 'v');
  });
  it('runs env= entries only when the variable is (or, with !, is not) set', () => {
    const t: Table = [];
    const on: HeaderEntry = {
      ...entry('set', 'X-On', 'y'),
      condition: { kind: 'env', name: 'V', negate: false },
    };
    const off: HeaderEntry = {
      ...entry('set', 'X-Off', 'y'),
      condition: { kind: 'env', name: 'V', negate: true },
    };
    doHeadersFixup(req({ V: '1' }), t, [on, off], false, []);
    assert.deepEqual(t, [['X-On', 'y']]);
  });
  it('edits the first match or every match, with $N and tags in the replacement', () => {
    const r = req({ WHO: 'me' });
    const one = entry('edit', 'X', '<$1-%{WHO}e>', '(a+)');
    const all = entry('edit*', 'X', '[$1]', '(a)');
    assert.equal(processRegexp(r, one, 'xaay aa', new RegExp('(a+)')), 'x<aa-me>y aa');
    assert.equal(processRegexp(r, all, 'banana', new RegExp('(a)')), 'b[a]n[a]n[a]');
    assert.equal(processRegexp(r, all, 'xyz', new RegExp('(a)')), 'xyz');
    const empty = entry('edit*', 'X', '-', '');
    assert.equal(processRegexp(r, empty, 'ab', new RegExp('')), '-a-b-');
  });
});
