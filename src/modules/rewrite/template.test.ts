import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expand, parseTemplate } from './template.js';
import type { ExpandCtx } from './template.js';

const ctx = (over: Partial<ExpandCtx> = {}): ExpandCtx => ({
  variable: (n) => (n === 'Q' ? 'a?b' : n === 'HOST' ? 'h.example' : `<${n}>`),
  map: (name, key) => (name === 'up' ? key.toUpperCase() : undefined),
  ruleMatch: /^\/(\w+)\/(\w*)$/.exec('/one/') ?? undefined,
  condMatch: /(\d+)/.exec('id=42') ?? undefined,
  ...over,
});
const x = (s: string, c = ctx()): string => expand(parseTemplate(s), c).text;

describe('parseTemplate/expand (do_expand)', () => {
  it('keeps plain text as a constant', () => {
    const t = parseTemplate('/plain/path');
    assert.equal(t.constant, '/plain/path');
    assert.equal(x('/plain/path'), '/plain/path');
  });
  it('expands $N from the rule and %N from the condition', () => {
    assert.equal(x('/x/$1/%1'), '/x/one/42');
  });
  it('expands an unmatched or empty group to nothing', () => {
    assert.equal(x('[$2][$9][%5]'), '[][][]');
  });
  it('expands %{VAR} and ${map:key}', () => {
    assert.equal(x('%{HOST}/${up:$1}'), 'h.example/ONE');
  });
  it('uses the default of a map lookup that fails, expanded', () => {
    assert.equal(x('${none:k|def-$1}'), 'def-one');
    assert.equal(x('${none:k}'), '');
  });
  it('reads a map key with nested braces', () => {
    assert.equal(x('${up:%{HOST}}'), 'H.EXAMPLE');
  });
  it('takes a backslash as an escape', () => {
    assert.equal(x('\\$1\\%1\\\\'), '$1%1\\');
    assert.equal(x('end\\'), 'end\\');
  });
  it('keeps $/% that start nothing, and unclosed braces', () => {
    assert.equal(x('$x%y%{open'), '$x%y%{open');
    assert.equal(x('${nocolon}'), '${nocolon}');
  });
  it('notes lookahead variables', () => {
    assert.equal(parseTemplate('%{LA-U:REMOTE_USER}').lookahead, true);
    assert.equal(parseTemplate('${m:%{la-f:X}}').lookahead, true);
    assert.equal(parseTemplate('%{REMOTE_USER}').lookahead, false);
  });
  it('escapes back-references through escapeRef ([B])', () => {
    assert.equal(x('/$1', ctx({ escapeRef: (s) => `[${s}]` })), '/[one]');
  });
  it('says where the first ? came from', () => {
    const t = (s: string, track: 'first' | 'last' = 'first'): number =>
      expand(parseTemplate(s), ctx(), track).unsafeQmark;
    assert.equal(t('/a?b'), 0);
    assert.equal(t('/a%{Q}'), 1);
    assert.equal(t('/a?%{Q}'), 0);
    assert.equal(t('/a%{Q}?x'), 1);
    assert.equal(t('/a%{Q}?x', 'last'), 0);
    assert.equal(t('/a\\?b'), -1);
    assert.equal(t('/ab'), -1);
  });
});
