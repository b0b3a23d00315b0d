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
  logTransaction: 'all',
} as const;
export type Phase = keyof typeof PHASES;
