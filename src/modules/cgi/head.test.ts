import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeShellCmd, isindexArgs, parseScriptHead, splitHead } from './head.js';

describe('ISINDEX arguments (default_build_command)', () => {
  it('splits a query without = on +, decoded and shell-escaped', () => {
    assert.deepEqual(isindexArgs('foo+b%20ar'), ['foo', 'b ar']);
    assert.deepEqual(isindexArgs('a%3Bb+%2A'), ['a\\;b', '\\*']);
    assert.deepEqual(isindexArgs('x++y'), ['x', '', 'y']);
  });
  it('gives none for an empty query, a query with =, or too many words', () => {
    assert.deepEqual(isindexArgs(''), []);
    assert.deepEqual(isindexArgs('a=1+b'), []);
    assert.deepEqual(isindexArgs(Array(600).fill('w').join('+')), []);
  });
  it('escapes every shell metacharacter as ap_escape_shell_cmd does', () => {
    assert.equal(
      escapeShellCmd(`&;\`'"|*?~<>^()[]{}$\\\n`),
      '\\&\\;\\`\\\'\\"\\|\\*\\?\\~\\<\\>\\^\\(\\)\\[\\]\\{\\}\\$\\\\\\\n',
    );
    assert.equal(escapeShellCmd('plain words'), 'plain words');
  });
});

describe('the head of a script output (ap_scan_script_header_err)', () => {
  it('splits at the first empty line, LF or CR LF', () => {
    const got = splitHead(Buffer.from('A: 1\r\nB: 2\n\nbody\n\nmore'));
    assert.deepEqual(got?.lines, ['A: 1', 'B: 2']);
    assert.equal(got?.rest.toString(), 'body\n\nmore');
    assert.equal(splitHead(Buffer.from('A: 1\nB: 2\n')), undefined);
    assert.deepEqual(splitHead(Buffer.from('\nx'))?.lines, []);
  });
  it('reads Status (code and reason), Location and a lower-cased Content-Type', () => {
    const head = parseScriptHead(
      [
        'Status: 404 Nope Here',
        'Content-type:  TEXT/Html; Charset=UTF-8  ',
        'Location: /x',
        'X-A: 1',
      ],
      's.cgi',
    );
    assert.deepEqual(head, {
      status: 404,
      reason: 'Nope Here',
      location: '/x',
      headers: [
        ['Content-type', 'text/html; Charset=UTF-8'],
        ['Location', '/x'],
        ['X-A', '1'],
      ],
    });
    const bare = parseScriptHead(['Status: 302'], 's.cgi');
    assert.ok(!('error' in bare));
    assert.equal(bare.status, 302);
    assert.equal(bare.reason, undefined);
  });
  it('refuses a line without a colon, quoting its first 30 characters', () => {
    assert.deepEqual(
      parseScriptHead(['A: 1', 'this line has no colon at all, really none'], 'bad.cgi'),
      {
        error: "malformed header from script 'bad.cgi': Bad header: this line has no colon at all,",
      },
    );
  });
});
