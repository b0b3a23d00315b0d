import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandVars, readLines, splitCommand, splitWords } from './lexer.js';

describe('readLines', () => {
  it('drops blank and whole-line comments and keeps file:line', () => {
    const lines = readLines(
      '\n# comment\n  ServerName a\n\t# indented comment\nListen 80\n',
      'f.conf',
    );
    assert.deepEqual(lines, [
      { file: 'f.conf', line: 3, text: 'ServerName a' },
      { file: 'f.conf', line: 5, text: 'Listen 80' },
    ]);
  });

  it('keeps # after the first word (Apache has no trailing comments)', () => {
    assert.deepEqual(
      readLines('Listen 80 # no', 'f').map((l) => l.text),
      ['Listen 80 # no'],
    );
  });

  it('joins backslash continuations and reports the last physical line', () => {
    const lines = readLines('Alias /a \\\n    /b\nX \\  \n y \\\n z\n', 'f');
    assert.deepEqual(lines, [
      { file: 'f', line: 2, text: 'Alias /a     /b' },
      { file: 'f', line: 5, text: 'X  y  z' },
    ]);
  });

  it('handles CRLF line ends and a continuation at end of file', () => {
    assert.deepEqual(readLines('A 1\r\nB 2 \\', 'f'), [
      { file: 'f', line: 1, text: 'A 1' },
      { file: 'f', line: 2, text: 'B 2' },
    ]);
  });

  it('treats a continued comment as one comment', () => {
    assert.deepEqual(
      readLines('# a \\\nServerName hidden\nB', 'f').map((l) => l.text),
      ['B'],
    );
  });
});

describe('splitWords', () => {
  it('splits on whitespace', () => {
    assert.deepEqual(splitWords('  a\tb   c '), ['a', 'b', 'c']);
  });

  it('removes double and single quotes and keeps spaces inside', () => {
    assert.deepEqual(splitWords(`"a b" 'c d' e`), ['a b', 'c d', 'e']);
  });

  it('unescapes only the quote character inside quotes', () => {
    assert.deepEqual(splitWords(String.raw`"say \"hi\"" 'it\'s' "a\nb"`), [
      'say "hi"',
      "it's",
      String.raw`a\nb`,
    ]);
  });

  it('keeps backslashes in unquoted words', () => {
    assert.deepEqual(splitWords(String.raw`^\.ht \"x`), [String.raw`^\.ht`, String.raw`\"x`]);
  });

  it('returns an empty quoted word and tolerates an unterminated quote', () => {
    assert.deepEqual(splitWords(`"" "open`), ['', 'open']);
  });
});

describe('splitCommand', () => {
  it('splits the name from the rest', () => {
    assert.deepEqual(splitCommand('LogFormat  "%h %l" common'), {
      name: 'LogFormat',
      rest: '"%h %l" common',
    });
    assert.deepEqual(splitCommand('KeepAlive'), { name: 'KeepAlive', rest: '' });
  });
});

describe('expandVars', () => {
  it('expands defined names and reports undefined ones, leaving them as written', () => {
    const missing: string[] = [];
    const vars: Record<string, string> = { A: 'x', B: '' };
    const out = expandVars(
      '${A}/${B}/${C}/$D',
      (n) => vars[n],
      (n) => missing.push(n),
    );
    assert.equal(out, 'x//${C}/$D');
    assert.deepEqual(missing, ['C']);
  });
});

describe('splitWords: backslashes as ap_getword_conf reads them (checked on apache2 2.4.71)', () => {
  it('makes a doubled backslash one, in quoted and bare words alike', () => {
    assert.deepEqual(splitWords('a\\\\b "c\\\\d" e\\f'), ['a\\b', 'c\\d', 'e\\f']);
  });
  it('lets an escaped quote or an escaped backslash not end a quoted word', () => {
    assert.deepEqual(splitWords('"x\\"y" "z\\\\" w'), ['x"y', 'z\\', 'w']);
    assert.deepEqual(splitWords("'it\\'s' \"q\\'\""), ["it's", "q\\'"]);
  });
});
