import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from './errors.js';
import { globToRegExp, MAX_INCLUDE_DEPTH, readConfigText, type ReadState } from './tree.js';

function state(root: string): ReadState {
  return {
    serverRoot: root,
    defines: new Map(),
    loaded: new Set(['core']),
    known: ['core'],
    loadable: new Set(),
    hasDirective: () => false,
    env: {},
    warnings: [],
  };
}

describe('readConfigText', () => {
  it('keeps sections with their children and splices true conditionals', () => {
    const nodes = readConfigText(
      '<Directory "/x">\n<IfDefine !NOPE>\nA 1\n</IfDefine>\n</Directory>\nB "q r"',
      'f',
      state('/'),
    );
    assert.deepEqual(nodes, [
      {
        name: 'Directory',
        args: ['/x'],
        rawArgs: '"/x">',
        file: 'f',
        line: 1,
        children: [{ name: 'A', args: ['1'], rawArgs: '1', file: 'f', line: 3 }],
      },
      { name: 'B', args: ['q r'], rawArgs: '"q r"', file: 'f', line: 6 },
    ]);
  });

  it('does not execute Define inside a false conditional', () => {
    const st = state('/');
    readConfigText('<IfDefine X>\nDefine Y\n</IfDefine>\nDefine Z 1', 'f', st);
    assert.deepEqual([...st.defines], [['Z', '1']]);
  });

  it('stops a self-including file at the include depth limit', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'tswsgi-tree-'));
    t.after(() => {
      rmSync(root, { recursive: true, force: true });
    });
    writeFileSync(join(root, 'self.conf'), 'Include self.conf\n');
    assert.throws(
      () => readConfigText('Include self.conf', 'main', state(root)),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(
          e.detail,
          `Exceeded maximum include depth of ${MAX_INCLUDE_DEPTH}, There appears to be a recursion.`,
        );
        // One frame for the main file plus one per nested self.conf, as httpd prints.
        assert.equal(e.frames.length, MAX_INCLUDE_DEPTH + 1);
        assert.ok(
          e.message.startsWith(
            'tswsgi: Syntax error on line 1 of main: Syntax error on line 1 of ',
          ),
        );
        return true;
      },
    );
  });
});

describe('globToRegExp', () => {
  it('implements *, ? and [] without matching a leading dot', () => {
    const re = globToRegExp('*.c[!x]nf');
    assert.ok(re.test('a.conf'));
    assert.ok(!re.test('a.cxnf'));
    assert.ok(!re.test('.a.conf'));
    assert.ok(globToRegExp('a?c').test('abc'));
    assert.ok(globToRegExp('a+b.(c)').test('a+b.(c)'));
  });
});
