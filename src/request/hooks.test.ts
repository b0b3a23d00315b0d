// Hook ordering (apr_hook_sort_all) and the FIRST / ALL run modes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildHookTable,
  DECLINED,
  DONE,
  OK,
  runAll,
  runFirst,
  runPhase,
  sortHooks,
} from './hooks.js';
import type { HookReg } from './hooks.js';
import type { RequestRecord } from './record.js';

const reg = (
  order: NonNullable<HookReg['order']>,
  extra: { after?: string[]; before?: string[] } = {},
): HookReg => ({ run: () => OK, order, ...extra });
const names = (xs: readonly { module: string }[]): string[] => xs.map((x) => x.module);
// The runners never touch the record; any object stands in for one here.
const r = {} as RequestRecord;

describe('sortHooks', () => {
  it('orders by REALLY_FIRST…REALLY_LAST, keeping module-list order on ties', () => {
    const out = sortHooks([
      { module: 'core', reg: reg('reallyLast') },
      { module: 'a', reg: reg('middle') },
      { module: 'b', reg: reg('first') },
      { module: 'c', reg: reg('middle') },
    ]);
    assert.deepEqual(names(out), ['b', 'a', 'c', 'core']);
  });
  it('puts a hook after the modules in its `after` list (mod_wsgi after mod_alias)', () => {
    const out = sortHooks([
      { module: 'wsgi', reg: reg('middle', { after: ['alias'] }) },
      { module: 'alias', reg: reg('middle') },
    ]);
    assert.deepEqual(names(out), ['alias', 'wsgi']);
  });
  it('puts a hook before the modules in its `before` list and ignores absent modules', () => {
    const out = sortHooks([
      { module: 'x', reg: reg('middle') },
      { module: 'alias', reg: reg('middle', { before: ['x', 'userdir'] }) },
    ]);
    assert.deepEqual(names(out), ['alias', 'x']);
  });
});

describe('buildHookTable', () => {
  it('builds every phase, empty when no module registers it', () => {
    const table = buildHookTable([{ name: 'm', hooks: { fixups: reg('middle') } }]);
    assert.deepEqual(names(table.fixups), ['m']);
    assert.deepEqual(table.translateName, []);
  });
});

describe('run modes', () => {
  const h = (module: string, rv: number, log: string[]) => ({
    module,
    run: () => {
      log.push(module);
      return rv;
    },
  });
  it('FIRST stops at the first non-DECLINED result', async () => {
    const log: string[] = [];
    assert.equal(
      await runFirst([h('a', DECLINED, log), h('b', 404, log), h('c', OK, log)], r),
      404,
    );
    assert.deepEqual(log, ['a', 'b']);
    assert.equal(await runFirst([h('a', DECLINED, [])], r), DECLINED);
  });
  it('ALL runs through OK/DECLINED and stops at anything else', async () => {
    const log: string[] = [];
    assert.equal(
      await runAll([h('a', OK, log), h('b', DECLINED, log), h('c', DONE, log), h('d', OK, log)], r),
      DONE,
    );
    assert.deepEqual(log, ['a', 'b', 'c']);
    assert.equal(await runAll([], r), OK);
  });
});

describe('sortHooks (cycles and default order)', () => {
  it('falls back to order/list position when after/before form a cycle', () => {
    const out = sortHooks([
      { module: 'a', reg: reg('middle', { after: ['b'] }) },
      { module: 'b', reg: reg('middle', { after: ['a'] }) },
      { module: 'c', reg: reg('first') },
    ]);
    assert.deepEqual(names(out), ['c', 'a', 'b']);
  });
  it('treats a registration without an order as MIDDLE', () => {
    const plain: HookReg = { run: () => OK };
    const out = sortHooks([
      { module: 'late', reg: reg('last') },
      { module: 'plain', reg: plain },
      { module: 'plain2', reg: plain },
      { module: 'early', reg: reg('first') },
    ]);
    assert.deepEqual(names(out), ['early', 'plain', 'plain2', 'late']);
  });
});

describe('run modes with asynchronous hooks', () => {
  const h = (module: string, rv: number, log: string[], async = false) => ({
    module,
    run: () => {
      log.push(module);
      return async ? Promise.resolve(rv) : rv;
    },
  });
  it('FIRST continues after an async DECLINED and returns a promise only once one is met', async () => {
    const log: string[] = [];
    const hooks = [h('a', DECLINED, log), h('b', DECLINED, log, true), h('c', 403, log)];
    const rv = runFirst(hooks, r);
    assert.ok(rv instanceof Promise);
    assert.equal(await rv, 403);
    assert.deepEqual(log, ['a', 'b', 'c']);
    assert.equal(runFirst([h('x', OK, [])], r), OK, 'plain hooks answer synchronously');
    assert.equal(await runFirst([h('y', 500, [], true), h('z', OK, [])], r), 500);
  });
  it('ALL stops at an async error result', async () => {
    const log: string[] = [];
    const rv = runAll([h('a', OK, log, true), h('b', 401, log, true), h('c', OK, log)], r);
    assert.equal(await rv, 401);
    assert.deepEqual(log, ['a', 'b']);
  });
  it('runPhase runs a phase by its declared mode (translate_name FIRST, fixups ALL)', async () => {
    const log: string[] = [];
    const table = buildHookTable([
      {
        name: 'one',
        hooks: {
          translateName: { run: () => (log.push('t1'), OK) },
          fixups: { run: () => (log.push('f1'), OK) },
        },
      },
      {
        name: 'two',
        hooks: {
          translateName: { run: () => (log.push('t2'), OK) },
          fixups: { run: () => (log.push('f2'), OK) },
        },
      },
    ]);
    assert.equal(await runPhase(table, 'translateName', r), OK);
    assert.equal(await runPhase(table, 'fixups', r), OK);
    assert.deepEqual(log, ['t1', 'f1', 'f2']);
  });
});
