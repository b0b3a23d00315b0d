// httpd: include/http_config.h (ap_get_module_config / ap_set_module_config).
//
// Typed access to one module's slot in ModuleSlots, by the module object (never by a string
// key at the call site). Kept apart from load.ts so modules can import it without an
// import cycle (load.ts imports the module list).

import type { ModuleDef } from '../modules/module.js';
import type { ModuleSlots, ServerIR } from './ir.js';

/**
 * A module's server config of one server (≈ ap_get_module_config(s->module_config, &m)).
 * A module that is not loaded reads as its freshly created defaults.
 */
export function serverConfOf<S, D>(mod: ModuleDef<S, D>, server: ServerIR): S {
  if (mod.server === undefined) throw new Error(`module ${mod.name} has no server config`);
  const server0 = mod.server;
  return slotOf(server.server, mod.name, () => server0.create());
}

/** A module's per-dir config out of merged slots (≈ ap_get_module_config(r->per_dir_config, &m)). */
export function dirConfOf<S, D>(mod: ModuleDef<S, D>, slots: ModuleSlots): D {
  if (mod.dir === undefined) throw new Error(`module ${mod.name} has no per-dir config`);
  const dir = mod.dir;
  return slotOf(slots, mod.name, () => dir.create());
}

/** Both accessors for one module, bound (`const alias = moduleSlot(aliasModule)`). */
export function moduleSlot<S, D>(
  mod: ModuleDef<S, D>,
): {
  server(server: ServerIR): S;
  dir(slots: ModuleSlots): D;
} {
  return { server: (s) => serverConfOf(mod, s), dir: (slots) => dirConfOf(mod, slots) };
}

function slotOf<T>(slots: ModuleSlots, name: string, create: () => T): T {
  if (!(name in slots)) return create();
  // The unavoidable cast: ModuleSlots is keyed by module name, and build.ts stores under
  // `mod.name` exactly the value `mod.server/dir.create()` returned (then merged by the
  // module's own MergeSpec), so the slot has the module's type.
  return slots[name] as T;
}
