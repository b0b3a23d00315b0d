#!/usr/bin/env node
// Coverage gate (STYLE.md §4 "coverage"): reads c8's json-summary report and fails when a
// gated folder is below its line or branch threshold (the whole of src/ is printed against
// STYLE.md's overall 90/85 but not enforced). Stdlib only.
//
//   node scripts/coverage-gate.mjs [coverage/coverage-summary.json]
//
// Folders aggregate the files directly inside them (covered/total summed, not an average
// of per-file percentages). Exit 0 when every gate passes, 1 when one fails, 2 when the
// summary cannot be read.

import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/** Folder (relative to the repo root) → minimum percentages. */
const GATES = [
  { folder: 'src/config', lines: 95, branches: 90 },
  { folder: 'src/request', lines: 95, branches: 90 },
  { folder: 'src/wsgi/protocol', lines: 95, branches: 90 },
  // STYLE.md's overall 90/85: printed, not enforced yet (src/ as a whole is below it).
  { folder: 'src', lines: 90, branches: 85, recursive: true, reportOnly: true },
];

const root = resolve(import.meta.dirname, '..');
const file = resolve(process.argv[2] ?? 'coverage/coverage-summary.json');

let summary;
try {
  summary = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`coverage-gate: cannot read ${file}: ${e.message}`);
  console.error('run c8 with --reporter=json-summary first (npm run coverage does)');
  process.exit(2);
}

/** Sum covered/total of lines and branches over the files a gate covers. */
function aggregate(gate) {
  const sum = { files: 0, lines: [0, 0], branches: [0, 0] };
  for (const [path, m] of Object.entries(summary)) {
    if (path === 'total') continue;
    const rel = relative(root, path).split('\\').join('/');
    const inside = rel.startsWith(gate.folder + '/');
    if (!inside || (!gate.recursive && rel.slice(gate.folder.length + 1).includes('/'))) continue;
    sum.files++;
    sum.lines[0] += m.lines.covered;
    sum.lines[1] += m.lines.total;
    sum.branches[0] += m.branches.covered;
    sum.branches[1] += m.branches.total;
  }
  return sum;
}

const pct = ([covered, total]) => (total === 0 ? 100 : (100 * covered) / total);
const failures = [];
console.log('coverage gate            lines            branches');
for (const gate of GATES) {
  const s = aggregate(gate);
  if (s.files === 0) {
    failures.push(`${gate.folder}: no files in the coverage summary`);
    continue;
  }
  const row = [];
  for (const kind of ['lines', 'branches']) {
    const p = pct(s[kind]);
    const ok = p >= gate[kind];
    row.push(`${p.toFixed(2).padStart(6)}% ${ok ? '≥' : '<'} ${gate[kind]}`.padEnd(17));
    if (!ok && gate.reportOnly !== true) {
      failures.push(
        `${gate.folder}: ${kind} ${p.toFixed(2)}% (${s[kind][0]}/${s[kind][1]}) is below ${gate[kind]}%`,
      );
    }
  }
  const note = gate.reportOnly === true ? ' (report only)' : '';
  console.log(
    `${(gate.folder + (gate.recursive ? '/**' : '')).padEnd(24)} ${row.join(' ')}${note}`,
  );
}
if (failures.length > 0) {
  console.error('\ncoverage gate FAILED:');
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log('coverage gate passed');
