// httpd: the per-generation request machinery (sorted hook arrays, handler table,
// walk caches) that request.c reaches through globals; here it is owned by a Generation.

import type { ConfigIR, ServerIR, ModuleSlots } from '../config/ir.js';
import type { Handler, ModuleDef } from '../modules/module.js';
import type { HookTable } from './hooks.js';
import type { CompiledSections, WalkCache } from './walk.js';

/** A module of any config types, as kept in a list. */
// The list is heterogeneous; each module only ever sees its own S/D through its own def.
export type AnyModule = ModuleDef;

/** What the pipeline needs from the generation serving a request. */
export interface RequestRuntime {
  /** The configuration this generation was built from (.htaccess reads need its variables). */
  readonly ir: ConfigIR;
  readonly modules: readonly AnyModule[];
  readonly hooks: HookTable;
  /** Handler name → handler, from every module's `handlers` (first registration wins). */
  readonly handlers: ReadonlyMap<string, Handler>;
  readonly walk: WalkCache;
  /** Compiled sections of a server (main or vhost). */
  sections(server: ServerIR): CompiledSections;
  /** The server's default per-dir config (lookup_defaults), merged over main for vhosts. */
  dirDefaults(server: ServerIR): ModuleSlots;
}
