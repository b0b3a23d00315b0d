// The one cast that lets modules with different config types share a list (the same
// erasure src/modules/index.ts anyModule does, without importing the full module list).

import type { ModuleDef } from '../../src/modules/module.js';

/** Erase a module's config types. */
export function anyModuleDef(mod: unknown): ModuleDef {
  return mod as ModuleDef;
}
