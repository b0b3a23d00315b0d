// Golden-file tests for the configuration adapter (STYLE.md do-6; caddy's
// caddytest/integration/caddyfile_adapt_test.go). Each tests/adapt/*.golden file holds:
//
//   [#! defines: NAME …]        optional -D names
//   [#! env: NAME=value …]      optional environment for ${VAR}
//   [#! before: <directive>]    optional -C directive (repeatable)
//   [#! after: <directive>]     optional -c directive (repeatable)
//   [=== path]                  optional: starts a file (default: httpd.conf); more files follow
//   <configuration text>
//   ----------
//   <expected IR JSON>  or  error: <message, may span lines>
//
// An expected error that includes its "Syntax error on line N of FILE" location must equal
// the ConfigError's message exactly; one without is matched as a substring.
//
// `@ROOT@` stands for a fresh temporary ServerRoot holding the files. Expected JSON is
// matched as a pattern: every key given must be present with an equal value (recursively);
// arrays must have the same length. Keys left out are not checked, so a golden states what
// it is about and stays readable.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { MODULES } from '../../src/modules/index.js';

/** dist/tests/adapt → tests/adapt in the source tree. */
const GOLDEN_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'tests',
  'adapt',
);

interface Golden {
  readonly files: ReadonlyMap<string, string>;
  readonly defines: string[];
  readonly env: Record<string, string>;
  readonly before: string[];
  readonly after: string[];
  readonly expected: string;
}

function parseGolden(text: string): Golden {
  const sep = text.indexOf('\n----------\n');
  if (sep < 0) throw new Error('golden file lacks the ---------- separator');
  const input = text.slice(0, sep + 1);
  const expected = text.slice(sep + '\n----------\n'.length).trim();
  const files = new Map<string, string>();
  const defines: string[] = [];
  const env: Record<string, string> = {};
  const before: string[] = [];
  const after: string[] = [];
  let current = 'httpd.conf';
  let buf: string[] = [];
  for (const line of input.split('\n')) {
    const meta = /^#! (defines|env|before|after): ?(.*)$/.exec(line);
    if (meta !== null) {
      const [, key, value = ''] = meta;
      if (key === 'defines') defines.push(...value.split(/\s+/).filter(Boolean));
      else if (key === 'env') {
        for (const kv of value.split(/\s+/).filter(Boolean)) {
          const eq = kv.indexOf('=');
          env[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
      } else (key === 'before' ? before : after).push(value);
      // Kept in the file (a comment to the parser) so line numbers match the golden text.
    }
    const file = /^=== (.+)$/.exec(line);
    if (file !== null) {
      if (buf.some((l) => l.trim() !== '') || files.size > 0) files.set(current, buf.join('\n'));
      current = file[1] ?? '';
      buf = [];
      continue;
    }
    buf.push(line);
  }
  files.set(current, buf.join('\n'));
  return { files, defines, env, before, after, expected };
}

/** Pattern match: keys in `want` must match; arrays by length and element. */
function matches(got: unknown, want: unknown, path: string): void {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path}: expected an array, got ${JSON.stringify(got)}`);
    assert.equal(got.length, want.length, `${path}: array length (got ${JSON.stringify(got)})`);
    want.forEach((w, i) => {
      matches(got[i], w, `${path}[${i}]`);
    });
  } else if (want !== null && typeof want === 'object') {
    assert.ok(
      got !== null && typeof got === 'object' && !Array.isArray(got),
      `${path}: expected an object, got ${JSON.stringify(got)}`,
    );
    for (const [k, w] of Object.entries(want)) {
      const g: unknown = (got as Record<string, unknown>)[k];
      assert.ok(g !== undefined, `${path}.${k}: missing in ${JSON.stringify(got)}`);
      matches(g, w, `${path}.${k}`);
    }
  } else {
    assert.deepEqual(got, want, `${path}`);
  }
}

function runGolden(name: string): void {
  const g = parseGolden(readFileSync(join(GOLDEN_DIR, name), 'utf8'));
  const root = mkdtempSync(join(tmpdir(), 'tswsgi-adapt-'));
  try {
    const sub = (s: string): string => s.replaceAll('@ROOT@', root);
    for (const [path, text] of g.files) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), sub(text));
    }
    const run = () =>
      loadConfig({
        file: join(root, 'httpd.conf'),
        serverRoot: root,
        defines: g.defines,
        before: g.before.map(sub),
        after: g.after.map(sub),
        modules: MODULES,
        env: Object.fromEntries(Object.entries(g.env).map(([k, v]) => [k, sub(v)])),
      });
    const expected = sub(g.expected);
    if (expected.startsWith('error: ')) {
      assert.throws(run, (e: unknown) => {
        assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
        const want = expected.slice('error: '.length);
        // A full message (with its "Syntax error on line N of FILE" location) must match
        // exactly; a bare message is matched as a substring (STYLE.md do-6).
        if (want.includes('Syntax error')) assert.equal(e.message, want);
        else
          assert.ok(
            e.message.includes(want),
            `${JSON.stringify(e.message)} does not contain ${JSON.stringify(want)}`,
          );
        return true;
      });
    } else {
      const ir: unknown = JSON.parse(JSON.stringify(run()));
      matches(ir, JSON.parse(expected), 'ir');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('config adapter golden files', () => {
  const names = readdirSync(GOLDEN_DIR)
    .filter((n) => n.endsWith('.golden'))
    .sort();
  it('finds golden files', () => {
    assert.ok(names.length > 0);
  });
  for (const name of names) {
    it(`adapts ${name.replace(/\.golden$/, '')}`, () => {
      runGolden(name);
    });
  }
});
