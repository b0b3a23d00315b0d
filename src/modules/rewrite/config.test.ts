import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRewriteDir, createRewriteServer, mergeDir, mergeServer } from './config.js';
import type { RewriteDir, RewriteServer, RuleEntry } from './config.js';
import { OPT } from './flags.js';
import { parseTemplate } from './template.js';

const rule = (p: string): RuleEntry => ({
  pattern: p,
  output: parseTemplate('-'),
  outputText: '-',
  flags: 0,
  conds: [],
  forcedMimetype: undefined,
  forcedHandler: undefined,
  status: 302,
  env: [],
  cookies: [],
  skip: 0,
  maxRounds: 10000,
  escapes: undefined,
  noescapes: undefined,
});
const srv = (o: Partial<RewriteServer>): RewriteServer => ({ ...createRewriteServer().c, ...o });
const dir = (o: Partial<RewriteDir>): RewriteDir => ({ ...createRewriteDir().c, set: true, ...o });
const pats = (rs: readonly RuleEntry[]): string[] => rs.map((r) => r.pattern);

describe('config_server_merge', () => {
  const base = srv({
    rules: [rule('main')],
    state: true,
    stateSet: true,
    maps: { m: { type: 'int', func: 'toupper' } },
  });
  it('keeps only the vhost rules by default, the engine state inherited', () => {
    const m = mergeServer(base, srv({ rules: [rule('vh')] }));
    assert.deepEqual(pats(m.rules), ['vh']);
    assert.equal(m.state, true);
    assert.deepEqual(m.maps, {});
  });
  it('Inherit: the vhost rules first, then the main ones; maps overlaid', () => {
    const m = mergeServer(
      base,
      srv({ rules: [rule('vh')], options: OPT.INHERIT, optionsSet: true }),
    );
    assert.deepEqual(pats(m.rules), ['vh', 'main']);
    assert.ok('m' in m.maps);
  });
  it('InheritBefore: the main rules first', () => {
    const m = mergeServer(
      base,
      srv({ rules: [rule('vh')], options: OPT.INHERIT_BEFORE, optionsSet: true }),
    );
    assert.deepEqual(pats(m.rules), ['main', 'vh']);
  });
  it('InheritDown in the parent applies unless the child says IgnoreInherit', () => {
    const b = { ...base, options: OPT.INHERIT_DOWN, optionsSet: true };
    assert.deepEqual(pats(mergeServer(b, srv({ rules: [rule('vh')] })).rules), ['vh', 'main']);
    const ign = srv({ rules: [rule('vh')], options: OPT.IGNORE_INHERIT, optionsSet: true });
    assert.deepEqual(pats(mergeServer(b, ign).rules), ['vh']);
    const bb = { ...base, options: OPT.INHERIT_DOWN_BEFORE, optionsSet: true };
    assert.deepEqual(pats(mergeServer(bb, srv({ rules: [rule('vh')] })).rules), ['main', 'vh']);
  });
});

describe('config_perdir_merge', () => {
  it('a section without rewrite directives keeps the outer config', () => {
    const b = dir({ rules: [rule('outer')], directory: '/d/' });
    assert.equal(mergeDir(b, createRewriteDir().c), b);
  });
  it('an inner section replaces the rules and the directory', () => {
    const m = mergeDir(
      dir({ rules: [rule('outer')], directory: '/d/' }),
      dir({ rules: [rule('in')], directory: '/d/e/' }),
    );
    assert.deepEqual(pats(m.rules), ['in']);
    assert.equal(m.directory, '/d/e/');
  });
  it('Inherit appends the outer rules; RewriteBase only merges under MergeBase', () => {
    const b = dir({ rules: [rule('outer')], baseUrl: '/b/', baseUrlSet: true });
    const m = mergeDir(b, dir({ rules: [rule('in')], options: OPT.INHERIT, optionsSet: true }));
    assert.deepEqual(pats(m.rules), ['in', 'outer']);
    assert.equal(m.baseUrl, undefined);
    const mb = mergeDir(b, dir({ options: OPT.MERGEBASE, optionsSet: true }));
    assert.equal(mb.baseUrl, '/b/');
  });
});
