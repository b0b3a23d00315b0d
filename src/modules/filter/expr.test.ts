// The FilterProvider condition forms tswsgi evaluates (a subset of httpd's ap_expr).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalProviderExpr, parseProviderExpr, type ExprContext } from './expr.js';

const ctx: ExprContext = {
  variable: (n) => ({ CONTENT_TYPE: 'text/html; charset=utf-8', HANDLER: 'wsgi-script' })[n] ?? '',
  req: (n) => (n === 'Accept' ? 'text/*' : ''),
  resp: (n) => (n === 'X-Gz' ? 'yes' : ''),
  env: (n) => (n === 'flag' ? '1' : ''),
  note: () => '',
};

function evaluate(text: string): boolean {
  const p = parseProviderExpr(text);
  if ('error' in p) throw new Error(p.error);
  return evalProviderExpr(p.expr, ctx);
}

describe('FilterProvider expressions', () => {
  it('matches %{CONTENT_TYPE} against m#…# and /…/ regexes', () => {
    assert.equal(evaluate('%{CONTENT_TYPE} =~ m#^text/#'), true);
    assert.equal(evaluate('%{CONTENT_TYPE} =~ /^image\\//'), false);
    assert.equal(evaluate('%{CONTENT_TYPE} !~ m#^image/#'), true);
    assert.equal(evaluate('%{CONTENT_TYPE} =~ m#^TEXT/#i'), true);
  });
  it('compares strings with == = != < >', () => {
    assert.equal(evaluate("%{HANDLER} == 'wsgi-script'"), true);
    assert.equal(evaluate('%{HANDLER} = "cgi-script"'), false);
    assert.equal(evaluate("%{HANDLER} != 'cgi-script'"), true);
    assert.equal(evaluate("'a' < 'b'"), true);
    assert.equal(evaluate("'a' >= 'b'"), false);
  });
  it('reads req(), http(), resp(), env() / reqenv(), note(), true and false', () => {
    assert.equal(evaluate("req('Accept') == 'text/*'"), true);
    assert.equal(evaluate("http('Accept') == 'text/*'"), true);
    assert.equal(evaluate("resp('X-Gz') == 'yes'"), true);
    assert.equal(evaluate("reqenv('flag') == '1'"), true);
    assert.equal(evaluate("env('flag') == '1'"), true);
    assert.equal(evaluate("note('x') == ''"), true);
    assert.equal(evaluate('true'), true);
    assert.equal(evaluate('false'), false);
  });
  it('joins comparisons with && || ! and parentheses, and tests -n / -z', () => {
    assert.equal(evaluate("%{CONTENT_TYPE} =~ m#^text/# && %{HANDLER} == 'wsgi-script'"), true);
    assert.equal(evaluate("%{HANDLER} == 'x' || resp('X-Gz') == 'yes'"), true);
    assert.equal(evaluate("!(%{HANDLER} == 'wsgi-script')"), false);
    assert.equal(evaluate("! %{HANDLER} == 'x' && true"), true);
    assert.equal(evaluate('(false || true) && !false'), true);
    assert.equal(evaluate('-n %{CONTENT_TYPE}'), true);
    assert.equal(evaluate("-z note('none')"), true);
    assert.equal(evaluate('-z %{HANDLER}'), false);
    assert.equal(evaluate('%{CONTENT_TYPE} =~ /^text\\/html/ && %{HANDLER} != "cgi"'), true);
  });
  it('refuses what it does not implement, saying so', () => {
    for (const text of [
      "%{HANDLER} in {'a'}",
      '-f %{REQUEST_FILENAME}',
      '%{TIME} == 1',
      "%{HANDLER} == 'a' extra",
      "(%{HANDLER} == 'a'",
      '%{HANDLER}',
      "file('/etc/passwd') == 'x'",
      '%{CONTENT_TYPE} =~ text',
    ]) {
      const p = parseProviderExpr(text);
      assert.ok('error' in p, text);
      assert.match(p.error, /tswsgi implements comparisons/);
    }
    const bad = parseProviderExpr('%{CONTENT_TYPE} =~ /(/');
    assert.ok('error' in bad);
    assert.doesNotMatch(bad.error, /tswsgi implements/);
  });
});
