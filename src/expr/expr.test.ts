import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExpr, tryParseExpr } from './parse.js';
import { ExprEvalError, execBool, execString, fnmatchRegExp } from './eval.js';
import type { ExprRequest } from './eval.js';
import { scan } from './lexer.js';
import { APACHE_VECTORS } from './vectors.test-data.js';

/** The request of the Apache run the vectors come from (GET /a/b?q=1&r=2, a 404). */
function fakeRequest(over: Partial<Record<string, string>> = {}): ExprRequest {
  const vars: Record<string, string> = {
    REQUEST_URI: '/a/b',
    QUERY_STRING: 'q=1&r=2',
    REQUEST_METHOD: 'GET',
    SERVER_PROTOCOL: 'HTTP/1.1',
    IS_SUBREQ: 'false',
    HTTPS: 'off',
    SERVER_NAME: '127.0.0.1',
    SERVER_PORT: '18321',
    REQUEST_SCHEME: 'http',
    THE_REQUEST: 'GET /a/b?q=1&r=2 HTTP/1.1',
    REQUEST_FILENAME: '/tmp/oracle-expr/htdocs/a',
    DOCUMENT_ROOT: '/tmp/oracle-expr/htdocs',
    CONTEXT_PREFIX: '',
    CONTEXT_DOCUMENT_ROOT: '/tmp/oracle-expr/htdocs',
    API_VERSION: '20120211',
    SERVER_SOFTWARE: 'Apache/2.4.71 (Debian)',
    REMOTE_ADDR: '127.0.0.1',
    PATH_INFO: '/b',
    REQUEST_STATUS: '404',
    HANDLER: '',
    CONTENT_TYPE: 'text/html; charset=iso-8859-1',
    ...over,
  };
  const headers = new Map([
    ['host', '127.0.0.1:18321'],
    ['x-foo', 'Bar'],
    ['accept', 'text/x'],
  ]);
  return {
    variable: (n) => vars[n] ?? '',
    header: (n) => headers.get(n.toLowerCase()),
    respHeader: (n) => (n.toLowerCase() === 'x-out' ? 'out' : undefined),
    note: (n) => (n === 'N' ? 'note-v' : undefined),
    env: (n) => (n === 'E' ? 'env-v' : n === 'N' ? 'env-n' : undefined),
    remoteIp: '127.0.0.1',
  };
}

test('vectors checked against Apache', () => {
  const r = fakeRequest();
  for (const [text, want] of APACHE_VECTORS) {
    if (typeof want === 'boolean') assert.equal(execBool(parseExpr(text), r), want, text);
    else assert.equal(execString(parseExpr(text, 'string'), r), want, text);
  }
});

test('parse errors are Apache’s (apache2 -t "Cannot parse condition clause: …")', () => {
  const cases: [string, string][] = [
    ['foo', "syntax error, unexpected $end, expecting '('"],
    ['%{FOO} == 1', "Variable 'FOO' does not exist"],
    ['%{HTTP_X} == 1', "Variable 'HTTP_X' does not exist"],
    ["bar('x') == 1", "Function 'bar' does not exist"],
    ['-Q 1', "Unary operator '-Q' does not exist"],
    ['1 -foo 2', "Binary operator '-foo' does not exist"],
    ['1 == ', 'syntax error, unexpected $end'],
    ['(1 == 1', "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"],
    ['1 =~ /(/', 'Failed to compile regular expression'],
    ["'abc == 1", 'Unterminated string or variable'],
    ['1 == 1 @', "syntax error, unexpected T_ERROR, expecting $end: Parse error near '@'"],
    [
      '%{FO-O}',
      "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Invalid character in variable name '-'",
    ],
    ["1 -in split(/,/, 'a')", 'syntax error, unexpected T_REGEX'],
    ["1 -in foo('a')", "List-returning function 'foo' does not exist"],
    ['-R 1.2.3.', 'syntax error, unexpected $end'],
    ['1 -ipmatch 1.2.3', '-ipmatch requires subnet/netmask as constant argument'],
    ['1 -ipmatch %{REMOTE_ADDR}', '-ipmatch requires subnet/netmask as constant argument'],
    ["1 -ipmatch 'x.y'", 'parsing of subnet/netmask failed'],
    ['true 1', 'syntax error, unexpected T_DIGIT, expecting $end'],
    ['(true 1', "syntax error, unexpected T_DIGIT, expecting T_OP_OR or T_OP_AND or ')'"],
    ['', 'syntax error, unexpected $end'],
    ["'\\8'", 'Bad escape sequence'],
    ["'\\777'", 'Escape sequence out of bound'],
    [
      '%{req',
      "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable",
    ],
    ["'a' =~ 'b'", 'syntax error, unexpected T_STR_BEGIN, expecting T_REGEX or T_REGEX_I'],
    [
      "-U '/x'",
      "Unary operator '-U' is not supported by tswsgi (sub-request tests in expressions)",
    ],
    ["filemod('/x') == 1", "Function 'filemod' does not exist"],
  ];
  for (const [text, msg] of cases) assert.deepEqual(tryParseExpr(text), { error: msg }, text);
  assert.deepEqual(tryParseExpr("'abc", 'string'), { expr: parseExpr("'abc", 'string') });
});

test('scanner: keywords, identifiers, m-regex delimiters, digits', () => {
  const types = (s: string): string[] => scan(s, false).map((t) => t.t);
  assert.deepEqual(types('and or not eq in -in -eq'), [
    'T_OP_AND',
    'T_OP_OR',
    'T_OP_NOT',
    'T_OP_EQ',
    'T_OP_IN',
    'T_OP_IN',
    'T_OP_EQ',
    '$end',
  ]);
  assert.deepEqual(types('android m_x m#a#i -12 = !'), [
    'T_ID',
    'T_ID',
    'T_REGEX_I',
    'T_DIGIT',
    'T_OP_STR_EQ',
    'T_OP_NOT',
    '$end',
  ]);
  assert.deepEqual(types('-x -xy'), ['T_OP_UNARY', 'T_OP_BINARY', '$end']);
  // An unterminated regex just ends the scan (flex has no <<EOF>> rule there).
  assert.deepEqual(types('/abc'), ['$end']);
});

test('booleans: precedence, short-circuit, back-references', () => {
  const r = fakeRequest();
  const b = (s: string): boolean => execBool(parseExpr(s), r);
  assert.equal(b('true || false && false'), true);
  assert.equal(b('! true || true'), true);
  assert.equal(b('!(true || true)'), false);
  // file() on a missing file would fail: && must not evaluate it.
  assert.equal(b("false && file('/nonexistent/x') == ''"), false);
  assert.equal(b("%{REQUEST_URI} =~ m#^/(a)/(b)# && $2 == 'b' && $1 == 'a'"), true);
  assert.equal(b("%{REQUEST_URI} =~ m#^/(a)# && '$1x' == 'ax'"), true);
  // A failed match with groups clears the back-references.
  assert.equal(b("%{REQUEST_URI} =~ m#^/(z)# || $1 == ''"), true);
  assert.equal(b("'a' -in {'x', 'a' . ''}"), true);
  assert.equal(b('-1 -lt 0'), true);
  assert.equal(b("'9223372036854775808' -eq '9223372036854775807'"), true);
});

test('string functions and tables', () => {
  const r = fakeRequest();
  const s = (x: string): string => execString(parseExpr(x, 'string'), r);
  assert.equal(
    s('%{resp:X-Out}|%{note:N}|%{reqenv:E}|%{env:N}|%{env:E}'),
    'out|note-v|env-v|note-v|env-v',
  );
  assert.equal(s('%{req_novary:x-foo}%{http:X-FOO}'), 'BarBar');
  assert.equal(s('%{osenv:TSWSGI_EXPR_NOPE}'), '');
  assert.equal(s('%{unescape:%00}|%{unescape:%41}'), '|A');
  assert.equal(execString(parseExpr('true'), r), 'true');
  const vary: string[] = [];
  execString(parseExpr('%{req:X-Foo}%{HTTP_HOST}%{req:host}%{HTTP_ACCEPT}', 'string'), r, vary);
  assert.deepEqual(vary, ['X-Foo', 'Accept']);
});

test('ldap() escapes as apr_pescape_ldap (checked against Apache)', () => {
  const r = fakeRequest();
  const all = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
  const want =
    " !\\22#$%&'\\28\\29\\2a\\2b\\2c-./0123456789:\\3b\\3c=\\3e?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\5c]^_`abcdefghijklmnopqrstuvwxyz{|}~";
  const env = {
    ...r,
    env: (n: string) => (n === 'A' ? all : n === 'B' ? 'x\x01y\x7f\u00e9' : undefined),
  };
  assert.equal(execString(parseExpr('%{ldap:%{reqenv:A}}', 'string'), env), want);
  assert.equal(execString(parseExpr('%{ldap:%{reqenv:B}}', 'string'), env), 'x\\01y\\7f\\e9');
});

test('file operators and functions', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'expr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'f');
  writeFileSync(f, 'data');
  writeFileSync(join(dir, 'empty'), '');
  symlinkSync(f, join(dir, 'l'));
  const r = fakeRequest();
  const b = (x: string): boolean => execBool(parseExpr(x), r);
  assert.equal(b(`-f '${f}' && -s '${f}' && -e '${dir}' && -d '${dir}' && !-d '${f}'`), true);
  assert.equal(b(`-s '${dir}/empty' || -L '${f}' || -x '${f}'`), false);
  assert.equal(b(`-L '${dir}/l' && -h '${dir}/l' && -e '${dir}/l'`), true);
  assert.equal(b(`-e '' || -f '${dir}/none'`), false);
  assert.equal(
    b(`file('${f}') == 'data' && filesize('${f}') -eq 4 && filesize('${dir}') == '0'`),
    true,
  );
  assert.throws(
    () => b(`file('${dir}/none') == ''`),
    new ExprEvalError(`Cannot open file ${dir}/none`),
  );
});

test('fnmatch', () => {
  assert.equal(fnmatchRegExp('/a/[!x]?\\*', true, false).test('/a/bc*'), true);
  assert.equal(fnmatchRegExp('[', false, false).test('['), true);
  assert.equal(fnmatchRegExp('a.b', false, true).test('A.B'), true);
});

test('recursion limit', () => {
  const deep = '('.repeat(30) + 'true' + ')'.repeat(30);
  assert.equal(execBool(parseExpr(deep), fakeRequest()), true); // parentheses add no node
  const nots = '!'.repeat(30) + 'true';
  assert.throws(
    () => execBool(parseExpr(nots), fakeRequest()),
    new ExprEvalError('Recursion limit reached'),
  );
});
