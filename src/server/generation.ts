// caddy: caddy.go (run / unsyncedDecodeAndRun: provision a whole config, then swap),
// httpd: server/config.c (ap_fixup_virtual_hosts) and each module's post_config.
//
// A Generation is one provisioned ConfigIR: error log opened, hook lists sorted, sections
// compiled, every module's provision() run. Requests hold on to the generation they
// started in; reload builds a new one in full before the old one is disposed. A failed
// provision disposes what it already started (rollback).

import type { ConfigIR, ModuleSlots, ServerIR } from '../config/ir.js';
import type { ErrorLog } from '../logging/error-log.js';
import type { Disposable, Handler, TlsSetup } from '../modules/module.js';
import { FileErrorLog } from '../logging/error-log-file.js';
import { buildHookTable } from '../request/hooks.js';
import type { HookTable } from '../request/hooks.js';
import type { GenerationView } from '../request/record.js';
import type { AnyModule, RequestRuntime } from '../request/runtime.js';
import { compileSections, WalkCache } from '../request/walk.js';
import type { CompiledSections } from '../request/walk.js';
import { coreServer } from '../core/view.js';
import type { ReadTimeouts } from '../request/read-deadline.js';

/** One provisioned configuration. */
export class Generation implements GenerationView, RequestRuntime {
  readonly ir: ConfigIR;
  readonly log: ErrorLog;
  readonly modules: readonly AnyModule[];
  readonly hooks: HookTable;
  readonly handlers: ReadonlyMap<string, Handler>;
  readonly walk: WalkCache;
  readonly runtime: RequestRuntime = this;
  readonly #sections = new Map<ServerIR, CompiledSections>();
  readonly #states = new Map<string, Disposable>();
  readonly #readTimeouts = new Map<ServerIR, ReadTimeouts | undefined>();
  readonly #ownedLog: FileErrorLog | undefined;
  #anyTls: boolean | undefined;

  private constructor(ir: ConfigIR, all: readonly AnyModule[], log: ErrorLog | undefined) {
    this.ir = ir;
    // Only loaded modules take part (LoadModule); an IR without the list loads them all.
    const loaded = ir.modules === undefined ? undefined : new Set(ir.modules);
    const modules = loaded === undefined ? all : all.filter((m) => loaded.has(m.name));
    this.modules = modules;
    if (log === undefined) {
      const core = coreServer(ir.main.server);
      this.#ownedLog = new FileErrorLog(core.errorLog, {
        level: core.logLevel,
        modules: core.moduleLogLevels,
      });
      this.log = this.#ownedLog;
    } else {
      this.#ownedLog = undefined;
      this.log = log;
    }
    this.hooks = buildHookTable(modules);
    const handlers = new Map<string, Handler>();
    for (const m of modules) {
      for (const [name, h] of Object.entries(m.handlers ?? {}))
        if (!handlers.has(name)) handlers.set(name, h);
    }
    this.handlers = handlers;
    this.walk = new WalkCache(modules);
    for (const s of [ir.main, ...ir.vhosts]) this.#sections.set(s, compileSections(s));
  }

  /** Build and provision a generation; on failure, dispose what was started and rethrow. */
  static async provision(
    ir: ConfigIR,
    modules: readonly AnyModule[],
    log?: ErrorLog,
  ): Promise<Generation> {
    const g = new Generation(ir, modules, log);
    try {
      for (const m of g.modules) {
        if (m.provision === undefined) continue;
        g.#states.set(m.name, await m.provision({ ir, log: g.log }));
      }
    } catch (err) {
      await g.dispose();
      throw err;
    }
    return g;
  }

  sections(server: ServerIR): CompiledSections {
    let cs = this.#sections.get(server);
    if (cs === undefined) {
      cs = compileSections(server);
      this.#sections.set(server, cs);
    }
    return cs;
  }

  dirDefaults(server: ServerIR): ModuleSlots {
    return server.dirDefaults;
  }

  /** The read deadlines for `server` (ModuleDef.readTimeouts), computed once per server. */
  readTimeouts(server: ServerIR): ReadTimeouts | undefined {
    if (this.#readTimeouts.has(server)) return this.#readTimeouts.get(server);
    let rt: ReadTimeouts | undefined;
    for (const m of this.modules) {
      rt = m.readTimeouts?.(server);
      if (rt !== undefined) break;
    }
    this.#readTimeouts.set(server, rt);
    return rt;
  }

  /** Whether any server of this configuration speaks TLS (so plain listeners skip the lookup). */
  anyTls(): boolean {
    this.#anyTls ??= [this.ir.main, ...this.ir.vhosts].some((s) => this.tls(s) !== undefined);
    return this.#anyTls;
  }

  /** The TLS setup of `server` (ModuleDef.tls), undefined for plain HTTP. */
  tls(server: ServerIR): TlsSetup | undefined {
    for (const m of this.modules) {
      if (m.tls === undefined) continue;
      const t = m.tls(server, this.#states.get(m.name));
      if (t !== undefined) return t;
    }
    return undefined;
  }

  moduleState(name: string): unknown {
    return this.#states.get(name);
  }

  /** Undo provision (reverse order), then close the error log if this generation opened it. */
  async dispose(opts?: { readonly graceful?: boolean }): Promise<void> {
    const states = [...this.#states.values()].reverse();
    this.#states.clear();
    for (const s of states) await s.dispose(opts);
    await this.#ownedLog?.close();
  }
}
