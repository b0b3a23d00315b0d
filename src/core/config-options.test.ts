import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyOptions,
  mergeOptions,
  OPTIONS_SERVER_DEFAULT,
  parseAllowOverride,
  type OptionsConf,
} from './config-options.js';

function opts(cur: OptionsConf, line: string): OptionsConf {
  const r = applyOptions(cur, line.split(' ').filter(Boolean));
  if (typeof r === 'string') throw new Error(r);
  return r;
}

describe('Options merge (merge_core_dir_configs)', () => {
  it('adds and removes relative options over the inherited set', () => {
    const inner = opts(OPTIONS_SERVER_DEFAULT, '+Indexes -FollowSymLinks');
    const merged = mergeOptions(opts(OPTIONS_SERVER_DEFAULT, 'FollowSymLinks ExecCGI'), inner);
    assert.deepEqual(merged.opts, ['Indexes', 'ExecCGI']);
    assert.equal(merged.unset, false);
  });

  it('lets an absolute Options replace everything inherited', () => {
    const merged = mergeOptions(
      opts(OPTIONS_SERVER_DEFAULT, 'All'),
      opts(OPTIONS_SERVER_DEFAULT, 'MultiViews'),
    );
    assert.deepEqual(merged.opts, ['MultiViews']);
  });

  it('carries +/- through several levels', () => {
    const l1 = opts(OPTIONS_SERVER_DEFAULT, 'None');
    const l2 = opts(OPTIONS_SERVER_DEFAULT, '+ExecCGI');
    const l3 = opts(OPTIONS_SERVER_DEFAULT, '-ExecCGI +Indexes');
    const merged = mergeOptions(mergeOptions(l1, l2), l3);
    assert.deepEqual(merged.opts, ['Indexes']);
    assert.deepEqual(merged.remove, ['ExecCGI']);
  });

  it('keeps the server default FollowSymLinks when nothing is set', () => {
    assert.deepEqual(mergeOptions(OPTIONS_SERVER_DEFAULT, OPTIONS_SERVER_DEFAULT).opts, [
      'FollowSymLinks',
    ]);
  });

  it('rejects +/- on All and None, and unknown words', () => {
    assert.equal(
      applyOptions(OPTIONS_SERVER_DEFAULT, ['+All']),
      "You may not use 'Options +All' or 'Options -All'.",
    );
    assert.equal(
      applyOptions(OPTIONS_SERVER_DEFAULT, ['-none']),
      "You may not use 'Options +None' or 'Options -None'.",
    );
    assert.equal(applyOptions(OPTIONS_SERVER_DEFAULT, ['Nope']), 'Illegal option Nope');
    assert.equal(
      applyOptions(OPTIONS_SERVER_DEFAULT, ['Indexes', '-ExecCGI']),
      'Either all Options must start with + or -, or no Option may.',
    );
  });
});

describe('AllowOverride', () => {
  it('expands All, clears on None, and keeps the class and the list of Options=…', () => {
    const all = parseAllowOverride(['All']);
    assert.deepEqual(all, {
      classes: ['AuthConfig', 'FileInfo', 'Indexes', 'Limit', 'Options'],
      opts: undefined,
      nonfatal: [],
    });
    assert.deepEqual(parseAllowOverride(['None']), { classes: [], opts: undefined, nonfatal: [] });
    assert.deepEqual(parseAllowOverride(['Options=Indexes,MultiViews', 'authconfig']), {
      classes: ['AuthConfig', 'Options'],
      opts: ['Indexes', 'MultiViews'],
      nonfatal: [],
    });
    assert.equal(parseAllowOverride(['Bogus']), 'Illegal override option Bogus');
    assert.equal(parseAllowOverride(['Bogus=x']), 'Illegal override option Bogus');
  });

  it('takes a bare Options as Options=All (no MultiViews), RunScripts as MultiViews+ExecCGI', () => {
    const bare = parseAllowOverride(['Options']);
    assert.ok(typeof bare !== 'string');
    assert.deepEqual(bare.opts, [
      'Indexes',
      'Includes',
      'IncludesExec',
      'FollowSymLinks',
      'ExecCGI',
    ]);
    const rs = parseAllowOverride(['Options=RunScripts']);
    assert.ok(typeof rs !== 'string');
    assert.deepEqual(rs.opts, ['ExecCGI', 'MultiViews']);
    assert.equal(parseAllowOverride(['Options=Indexes,Bogus']), 'Illegal option Bogus');
  });

  it('reads Nonfatal=…, which a later All or None clears as in set_override', () => {
    const nf = parseAllowOverride(['Nonfatal=All', 'FileInfo']);
    assert.ok(typeof nf !== 'string');
    assert.deepEqual(nf.nonfatal, ['Override', 'Unknown']);
    assert.deepEqual(nf.classes, ['FileInfo']);
    const cleared = parseAllowOverride(['Nonfatal=Unknown', 'All']);
    assert.ok(typeof cleared !== 'string');
    assert.deepEqual(cleared.nonfatal, []);
    assert.equal(
      parseAllowOverride(['Nonfatal']),
      '=Override, =Unknown or =All expected after Nonfatal',
    );
  });
});

describe('Options in .htaccess (override_opts)', () => {
  it('refuses an option outside the allowed set, naming it as written', () => {
    const r = applyOptions(OPTIONS_SERVER_DEFAULT, ['+Indexes', '-FollowSymLinks'], ['Indexes']);
    assert.equal(r, 'Option FollowSymLinks not allowed here');
    assert.equal(
      applyOptions(OPTIONS_SERVER_DEFAULT, ['All'], ['Indexes']),
      'Option All not allowed here',
    );
    const ok = applyOptions(OPTIONS_SERVER_DEFAULT, ['None'], []);
    assert.ok(typeof ok !== 'string');
    assert.deepEqual(ok.opts, []);
  });

  it('says All and None must come first, as set_options does', () => {
    assert.equal(
      applyOptions(OPTIONS_SERVER_DEFAULT, ['Indexes', 'None']),
      "'Options None' must be the first Option given.",
    );
    assert.equal(
      applyOptions(OPTIONS_SERVER_DEFAULT, ['Indexes', 'All']),
      "'Options All' must be the first option given.",
    );
  });
});
