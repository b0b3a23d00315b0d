// httpd: include/http_config.h (module / AP_DECLARE_MODULE), typed.
//
// One object declares everything a module contributes: directives, config slots with
// their merge rules, phase hooks, content handlers, and provisioning (STYLE.md §2.3).

import type { AnyDirective, DirectiveBuilder } from '../config/directive.js';
import type { MergeSpec } from '../config/merge.js';
import type { HookReg, Phase, Outcome } from '../request/hooks.js';
import type { RequestRecord } from '../request/record.js';
import type { ConfigIR } from '../config/ir.js';
import type { ErrorLog } from '../logging/error-log.js';

/** A content handler (≈ the `handler` hook keyed by r->handler). DECLINED lets the next try. */
export type Handler = (r: RequestRecord) => Outcome | Promise<Outcome>;

/** What provision() gets: the whole IR and a place to log. */
export interface ProvisionCtx {
  readonly ir: ConfigIR;
  readonly log: ErrorLog;
}

/** Something provision() started that must be undone on reload/stop. */
export interface Disposable {
  /**
   * graceful false (a restart or a hard stop, as httpd killing its children): do not wait
   * for work in progress. Absent or true: let it finish within the module's own timeouts.
   */
  dispose(opts?: { readonly graceful?: boolean }): Promise<void> | void;
}

export interface ModuleDef<S = unknown, D = unknown> {
  /** Short name: 'alias' ⇔ `LoadModule alias_module …` ⇔ `<IfModule mod_alias.c>`. */
  readonly name: string;
  readonly server?: { create(): S; merge: MergeSpec<S> };
  readonly dir?: { create(): D; merge: MergeSpec<D> };
  readonly directives?: (d: DirectiveBuilder<S, D>) => readonly AnyDirective<S, D>[];
  readonly hooks?: { readonly [P in Phase]?: HookReg };
  readonly handlers?: Readonly<Record<string, Handler>>;
  /**
   * A handler for names decided at configuration time (ap_hook_handler that checks
   * r->handler itself, e.g. WSGIHandlerScript names): tried, in module order, when no
   * module registered r.handler's name or that one declined, before the default handler.
   */
  readonly anyHandler?: Handler;
  /**
   * The Satisfy policy in force for the request (httpd's ap_satisfies, an optional
   * function of mod_access_compat): 'any' lets a passed access check stand in for
   * authentication and authorization. The first module that answers decides.
   */
  readonly satisfies?: (r: RequestRecord) => 'all' | 'any' | undefined;
  readonly provision?: (ctx: ProvisionCtx) => Promise<Disposable> | Disposable;
}
