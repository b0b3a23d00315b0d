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
  it('expands All, clears on None, and keeps the class of Options=…', () => {
    assert.deepEqual(parseAllowOverride(['All']), [
      'AuthConfig',
      'FileInfo',
      'Indexes',
      'Limit',
      'Options',
    ]);
    assert.deepEqual(parseAllowOverride(['None']), []);
    assert.deepEqual(parseAllowOverride(['Options=Indexes,MultiViews', 'authconfig']), [
      'AuthConfig',
      'Options',
    ]);
    assert.equal(parseAllowOverride(['Bogus']), 'Illegal override option Bogus');
  });
});
