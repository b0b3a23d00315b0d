// httpd: docs/log-message-tags — parity between the MW id catalog, the code and the docs.
//
// Scans the source text of every non-test .ts file under src/ for quoted MW ids and checks
// them against MESSAGES (STYLE.md §3 do-10), and checks docs/errors.md is what
// catalog-doc.ts prints.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MESSAGE_ID_PATTERN, MESSAGES, type MessageInfo } from './catalog.js';
import { catalogMarkdown } from './catalog-doc.js';

/** The repository root (this file runs as dist/src/logging/catalog.test.js). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CATALOG: Readonly<Record<string, MessageInfo>> = MESSAGES;
/** Files that name ids without logging them. */
const SKIP = new Set(['src/logging/catalog.ts', 'src/logging/catalog-doc.ts']);

interface Use {
  readonly id: string;
  readonly where: string;
  /** The literal level/module before the id (`log('error', 'wsgi', 'MW…')`), if any. */
  readonly level?: string;
  readonly module?: string;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Source text with comment lines and trailing `// …` comments blanked (lines kept). */
function stripComments(src: string): string {
  return src
    .split('\n')
    .map((l) => (/^\s*(\/\/|\/\*|\*)/.test(l) ? '' : l.replace(/\s\/\/\s.*$/, '')))
    .join('\n');
}

/** Every quoted MW id in `text`, with its line and any literal level/module before it. */
function usesIn(file: string, text: string): Use[] {
  const src = stripComments(text);
  const uses: Use[] = [];
  for (const m of src.matchAll(/(['"`])(MW\d+)\1/g)) {
    const at = m.index;
    const line = src.slice(0, at).split('\n').length;
    const before = src.slice(Math.max(0, at - 120), at);
    const lit = /'([a-z0-9]+)',\s*'([a-z_]+)',\s*$/.exec(before);
    const mod = /'([a-z_]+)',\s*$/.exec(before);
    const use: { -readonly [K in keyof Use]: Use[K] } = {
      id: m[2] ?? '',
      where: `${file}:${line}`,
    };
    if (lit?.[1] !== undefined && lit[2] !== undefined) {
      use.level = lit[1];
      use.module = lit[2];
    } else if (mod?.[1] !== undefined) use.module = mod[1];
    uses.push(use);
  }
  return uses;
}

function scan(filter: (rel: string) => boolean, under: string): Use[] {
  const uses: Use[] = [];
  for (const f of tsFiles(join(ROOT, under))) {
    const rel = relative(ROOT, f).split('\\').join('/');
    if (SKIP.has(rel) || !filter(rel)) continue;
    uses.push(...usesIn(rel, readFileSync(f, 'utf8')));
  }
  return uses;
}

const isTest = (rel: string): boolean => rel.endsWith('.test.ts');
const SOURCE_USES = scan((rel) => !isTest(rel), 'src');
const byId = new Map<string, Use[]>();
for (const u of SOURCE_USES) byId.set(u.id, [...(byId.get(u.id) ?? []), u]);

describe('MW message-id catalog', () => {
  it('finds the ids the code logs (the scan itself works)', () => {
    assert.ok(SOURCE_USES.length >= 30, `found only ${SOURCE_USES.length} uses`);
    assert.ok(byId.get('MW00227')?.some((u) => u.where.startsWith('src/wsgi/dispatch.ts:')));
    assert.ok(byId.get('MW00101')?.some((u) => u.where.startsWith('src/modules/wsgi/handler.ts:')));
  });

  it('every catalog id is well-formed and has a module, level and summary', () => {
    for (const [id, m] of Object.entries(CATALOG)) {
      assert.match(id, MESSAGE_ID_PATTERN);
      assert.notEqual(m.module, '', id);
      assert.ok(m.summary.length > 10 && !m.summary.includes('\n'), `${id} summary`);
    }
  });

  it('(a) every MW id used in src/ is in the catalog and well-formed', () => {
    for (const u of SOURCE_USES) {
      assert.match(u.id, MESSAGE_ID_PATTERN, `${u.where}: malformed id ${u.id}`);
      assert.ok(u.id in CATALOG, `${u.where}: ${u.id} is not in src/logging/catalog.ts`);
    }
  });

  it('(b) every catalog id is used somewhere in src/', () => {
    for (const id of Object.keys(CATALOG)) {
      assert.ok(byId.has(id), `${id} is catalogued but no longer logged (never reuse it)`);
    }
  });

  it('(c) an id logged from two call sites is marked shared, and a shared one is', () => {
    for (const [id, uses] of byId) {
      const shared = CATALOG[id]?.shared === true;
      if (uses.length > 1)
        assert.ok(
          shared,
          `${id} is used at ${uses.map((u) => u.where).join(', ')}: give one a new id or mark it shared`,
        );
      else assert.ok(!shared, `${id} is marked shared but logged only at ${uses[0]?.where}`);
    }
  });

  it('call sites log an id at the module and level the catalog says', () => {
    for (const u of SOURCE_USES) {
      const m = CATALOG[u.id];
      if (m === undefined) continue;
      if (u.module !== undefined) assert.equal(u.module, m.module, `${u.where}: ${u.id} module`);
      if (u.level !== undefined) assert.equal(u.level, m.level, `${u.where}: ${u.id} level`);
    }
  });

  it('tests only assert on catalogued ids', () => {
    const self = 'src/logging/catalog.test.ts';
    const testText = [
      ...tsFiles(join(ROOT, 'src')).filter((f) => isTest(f)),
      ...tsFiles(join(ROOT, 'tests')),
    ]
      .filter((f) => relative(ROOT, f).split('\\').join('/') !== self)
      .map((f) => [relative(ROOT, f), readFileSync(f, 'utf8')] as const);
    for (const [rel, text] of testText) {
      for (const m of text.matchAll(/\bMW\d{5}\b/g)) {
        assert.ok(m[0] in CATALOG, `${rel}: ${m[0]} is not in the catalog`);
      }
    }
  });

  it('the scanner sees quoted ids, ignores comments, and reads a literal level/module', () => {
    const src = [
      "// 'MW09999' in a line comment",
      "/* 'MW09998' in a block comment */",
      " * 'MW09997' in TSDoc",
      "f(); // 'MW09996' after code",
      "log.log('warn', 'log_config', 'MW00501', 'x');",
      'r.logError(level, \'wsgi\', "MW00204", m);',
      "const url = 'http://x'; const id = 'MW00001';",
    ].join('\n');
    assert.deepEqual(usesIn('f.ts', src), [
      { id: 'MW00501', where: 'f.ts:5', level: 'warn', module: 'log_config' },
      { id: 'MW00204', where: 'f.ts:6', module: 'wsgi' },
      { id: 'MW00001', where: 'f.ts:7' },
    ]);
  });
});

describe('docs/errors.md', () => {
  it('is exactly what the generator prints', () => {
    const committed = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
    assert.equal(
      committed,
      catalogMarkdown(),
      'docs/errors.md is stale: run `node dist/src/logging/catalog-doc.js > docs/errors.md`',
    );
  });

  it('the generator script prints the same text, one row per id', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/src/logging/catalog-doc.js')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, catalogMarkdown());
    for (const [id, m] of Object.entries(CATALOG)) {
      const rows = r.stdout.split('\n').filter((l) => l.startsWith(`| ${id} |`));
      assert.equal(rows.length, 1, `${id} has one row`);
      assert.ok(rows[0]?.startsWith(`| ${id} | ${m.module} | ${m.level} | `), `${id} row`);
    }
  });
});
