import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CF, MAX_ROUNDS, RF, setCondFlag, setRuleFlag } from './flags.js';
import type { RuleFlags } from './flags.js';

const fresh = (): RuleFlags => ({
  flags: 0,
  forcedMimetype: undefined,
  forcedHandler: undefined,
  status: 302,
  env: [],
  cookies: [],
  skip: 0,
  maxRounds: MAX_ROUNDS,
  escapes: undefined,
  noescapes: undefined,
});
const set = (...flags: [string, string?][]): RuleFlags => {
  const f = fresh();
  for (const [k, v] of flags) assert.equal(setRuleFlag(f, k, v ?? ''), undefined, k);
  return f;
};

describe('setRuleFlag (cmd_rewriterule_setflag)', () => {
  it('reads short and long spellings, any case', () => {
    assert.equal(set(['l']).flags, RF.LASTRULE);
    assert.equal(set(['Last']).flags, RF.LASTRULE);
    assert.equal(set(['nc']).flags, RF.NOCASE);
    assert.equal(set(['NoCase']).flags, RF.NOCASE);
    assert.equal(set(['PT']).flags, RF.PASSTHROUGH);
    assert.equal(set(['qsa'], ['QSD'], ['QSL']).flags, RF.QSAPPEND | RF.QSDISCARD | RF.QSLAST);
    assert.equal(set(['END']).flags, RF.END);
    assert.equal(set(['NE']).flags, RF.NOESCAPE);
    assert.equal(set(['NS']).flags, RF.IGNOREONSUBREQ);
    assert.equal(set(['DPI']).flags, RF.DISCARDPATHINFO);
    assert.equal(set(['C']).flags, RF.CHAIN);
  });
  it('[F] and [G] set the status and no substitution', () => {
    const f = set(['F']);
    assert.equal(f.flags, RF.STATUS | RF.NOSUB);
    assert.equal(f.status, 403);
    assert.equal(set(['G']).status, 410);
  });
  it('[R] keeps 302; named and numbered statuses; non-3xx acts like [F]', () => {
    assert.equal(set(['R']).status, 302);
    assert.equal(set(['R', 'permanent']).status, 301);
    assert.equal(set(['R', 'seeother']).status, 303);
    assert.equal(set(['R', '307']).flags, RF.FORCEREDIRECT);
    const f = set(['R', '404']);
    assert.equal(f.status, 404);
    assert.equal(f.flags, RF.FORCEREDIRECT | RF.STATUS | RF.NOSUB);
    assert.equal(set(['R', 'abc']).status, 0);
  });
  it('refuses a status httpd has no reason phrase for', () => {
    assert.equal(setRuleFlag(fresh(), 'R', '418'), "invalid HTTP response code '418' for flag 'R'");
    assert.equal(setRuleFlag(fresh(), 'R', '999'), "invalid HTTP response code '999' for flag 'R'");
    assert.equal(setRuleFlag(fresh(), 'R', '500'), undefined);
  });
  it('[N=n], [S=n] read numbers', () => {
    assert.equal(set(['N', '5']).maxRounds, 5);
    assert.equal(set(['N']).maxRounds, MAX_ROUNDS);
    assert.equal(set(['S', '2']).skip, 2);
  });
  it('[B] variants', () => {
    const f = set(['B', '?&'], ['BNP'], ['BNE', '/']);
    assert.equal(f.flags, RF.ESCAPEBACKREF | RF.ESCAPENOPLUS);
    assert.equal(f.escapes, '?&');
    assert.equal(f.noescapes, '/');
    assert.equal(set(['BCTLS']).flags, RF.ESCAPECTLS | RF.ESCAPEBACKREF);
    assert.equal(
      setRuleFlag(fresh(), 'BNE', ''),
      "flag 'BNE' wants a list of characters (i.e. [BNE=...])",
    );
  });
  it('keeps [E=], [CO=], [T=], [H=] as templates', () => {
    const f = set(['E', 'A:1'], ['env', '!B'], ['CO', 'n:v:d'], ['T', 'text/x'], ['H', 'h']);
    assert.equal(f.env.length, 2);
    assert.equal(f.cookies.length, 1);
    assert.equal(f.forcedMimetype?.constant, 'text/x');
    assert.equal(f.forcedHandler?.constant, 'h');
  });
  it('accepts the Unsafe flags', () => {
    assert.equal(
      set(['UnsafePrefixStat'], ['UnsafeAllow3F'], ['UNC']).flags,
      RF.UNSAFE_PREFIX_STAT | RF.UNSAFE_ALLOW3F | RF.UNC,
    );
  });
  it('names an unknown flag as written', () => {
    assert.equal(setRuleFlag(fresh(), 'Foo', ''), "unknown flag 'Foo'");
    assert.equal(setRuleFlag(fresh(), 'Lx', ''), "unknown flag 'Lx'");
    assert.equal(setRuleFlag(fresh(), 'QS', ''), "unknown flag 'QS'");
  });
});

describe('setCondFlag (cmd_rewritecond_setflag)', () => {
  it('reads NC, OR, NV', () => {
    const f = { v: 0 };
    for (const k of ['nocase', 'OR', 'NV']) assert.equal(setCondFlag(f, k, ''), undefined);
    assert.equal(f.v, CF.NOCASE | CF.ORNEXT | CF.NOVARY);
  });
  it('refuses anything else', () => {
    assert.equal(setCondFlag({ v: 0 }, 'L', ''), "unknown flag 'L'");
  });
});
