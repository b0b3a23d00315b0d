// httpd: server/request.c (AP_IMPLEMENT_HOOK_RUN_FIRST / _ALL), include/apr_hooks.h ordering.
//
// The phase list is fixed here; modules only join it (STYLE.md do-3).

import type { RequestRecord } from './record.js';

/** Hook results (httpd's OK / DECLINED / DONE), or an HTTP status to stop with. */
export const OK = 0;
export const DECLINED = -1;
export const DONE = -2;
export type Outcome = number;

export type Hook = (r: RequestRecord) => Outcome | Promise<Outcome>;

export type HookOrder = 'reallyFirst' | 'first' | 'middle' | 'last' | 'reallyLast';

/** Numeric order (APR_HOOK_* values), lower runs first. */
export const HOOK_ORDER: Readonly<Record<HookOrder, number>> = {
  reallyFirst: -10,
  first: 0,
  middle: 10,
  last: 20,
  reallyLast: 30,
};

export interface HookReg {
  readonly run: Hook;
  readonly order?: HookOrder;
  /** Module names this hook must run after / before (httpd's predecessor lists). */
  readonly after?: readonly string[];
  readonly before?: readonly string[];
}

/** Each phase and its run mode: FIRST = first non-DECLINED wins; ALL = stop at first non-OK/DECLINED. */
export const PHASES = {
  postReadRequest: 'all',
  translateName: 'first',
  mapToStorage: 'first',
  headerParser: 'all',
  accessChecker: 'all',
  accessCheckerEx: 'first',
  checkUserId: 'first',
  authChecker: 'first',
  typeChecker: 'first',
  fixups: 'all',
  /** Just before the handler: modules add output filters (ap_run_insert_filter). */
  insertFilter: 'all',
  logTransaction: 'all',
} as const;
export type Phase = keyof typeof PHASES;

// --- The runner (request-side helper). Hook lists are built once per generation.

/** One registered hook with its owner, as the runner keeps it. */
export interface BoundHook {
  readonly module: string;
  readonly run: Hook;
}

/** Per-phase ordered hook lists (≈ httpd's sorted `_hooks` arrays). */
export type HookTable = { readonly [P in Phase]: readonly BoundHook[] };

/**
 * Order one phase's registrations as apr_hook_sort_all does: by numeric order (stable,
 * module-list order breaks ties), then a topological pass so each hook follows the
 * modules in its `after` list and precedes those in `before`. A cycle keeps list order.
 */
export function sortHooks(regs: readonly { module: string; reg: HookReg }[]): BoundHook[] {
  const byOrder = [...regs].sort(
    (a, b) => HOOK_ORDER[a.reg.order ?? 'middle'] - HOOK_ORDER[b.reg.order ?? 'middle'],
  );
  const present = new Set(byOrder.map((x) => x.module));
  // must[m] = modules that have to run before m
  const must = new Map<string, Set<string>>();
  for (const { module } of byOrder) must.set(module, new Set());
  for (const { module, reg } of byOrder) {
    for (const a of reg.after ?? []) if (present.has(a)) must.get(module)?.add(a);
    for (const b of reg.before ?? []) if (present.has(b)) must.get(b)?.add(module);
  }
  const out: BoundHook[] = [];
  const placed = new Set<string>();
  const left = [...byOrder];
  while (left.length > 0) {
    let i = left.findIndex((x) => [...(must.get(x.module) ?? [])].every((m) => placed.has(m)));
    if (i < 0) i = 0; // cycle: fall back to order/list position
    const [next] = left.splice(i, 1);
    if (next === undefined) break;
    placed.add(next.module);
    out.push({ module: next.module, run: next.reg.run });
  }
  return out;
}

/** Build every phase's list from the module list (src/modules/index.ts MODULES). */
export function buildHookTable(
  modules: readonly {
    readonly name: string;
    readonly hooks?: { readonly [P in Phase]?: HookReg };
  }[],
): HookTable {
  const build = (phase: Phase): BoundHook[] => {
    const regs: { module: string; reg: HookReg }[] = [];
    for (const m of modules) {
      const reg = m.hooks?.[phase];
      if (reg !== undefined) regs.push({ module: m.name, reg });
    }
    return sortHooks(regs);
  };
  return {
    postReadRequest: build('postReadRequest'),
    translateName: build('translateName'),
    mapToStorage: build('mapToStorage'),
    headerParser: build('headerParser'),
    accessChecker: build('accessChecker'),
    accessCheckerEx: build('accessCheckerEx'),
    checkUserId: build('checkUserId'),
    authChecker: build('authChecker'),
    typeChecker: build('typeChecker'),
    fixups: build('fixups'),
    insertFilter: build('insertFilter'),
    logTransaction: build('logTransaction'),
  };
}

/**
 * AP_IMPLEMENT_HOOK_RUN_FIRST: first result other than DECLINED wins; all declined → DECLINED.
 * Synchronous while the hooks are (most are): a promise is only created once a hook returns
 * one, so a phase of plain hooks costs no microtask turns (this runs ~10 times a request).
 */
export function runFirst(
  hooks: readonly BoundHook[],
  r: RequestRecord,
  from = 0,
): Outcome | Promise<Outcome> {
  for (let i = from; i < hooks.length; i++) {
    const rv = (hooks[i] as BoundHook).run(r);
    if (typeof rv !== 'number')
      return rv.then((v) => (v !== DECLINED ? v : runFirst(hooks, r, i + 1)));
    if (rv !== DECLINED) return rv;
  }
  return DECLINED;
}

/**
 * AP_IMPLEMENT_HOOK_RUN_ALL: stop at the first result that is neither OK nor DECLINED.
 * Synchronous while the hooks are, like runFirst.
 */
export function runAll(
  hooks: readonly BoundHook[],
  r: RequestRecord,
  from = 0,
): Outcome | Promise<Outcome> {
  for (let i = from; i < hooks.length; i++) {
    const rv = (hooks[i] as BoundHook).run(r);
    if (typeof rv !== 'number') {
      return rv.then((v) => (v !== OK && v !== DECLINED ? v : runAll(hooks, r, i + 1)));
    }
    if (rv !== OK && rv !== DECLINED) return rv;
  }
  return OK;
}

/** Run a phase by its declared mode. */
export function runPhase(
  table: HookTable,
  phase: Phase,
  r: RequestRecord,
): Outcome | Promise<Outcome> {
  return PHASES[phase] === 'first' ? runFirst(table[phase], r) : runAll(table[phase], r);
}
