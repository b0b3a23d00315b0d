// httpd: server/main.c (ap_read_config: -d ServerRoot, -f file, -C/-c, -D), server/config.c
//        (ap_read_config, ap_process_config_tree), include/http_config.h
//        (ap_get_module_config).
//
// The adapter's front door: httpd.conf → ConfigIR (STYLE.md §2.1). The typed accessors that
// read one module's slot out of the IR live in slots.ts and are re-exported here.

import { isAbsolute, join, resolve } from 'node:path';
import type { ModuleDef } from '../modules/module.js';
// Layering exception (STYLE.md §2.2 says config/ imports only util/): the default module
// list. Modules must import the slot accessors from ./slots.js, never from this file, so
// that this import cannot form a cycle.
import { MODULES } from '../modules/index.js';
import { buildConfig, BUILD_DIRECTIVES } from './build.js';
import type { DirectiveNode } from './directive.js';
import { CMDLINE_FILE } from './errors.js';
import type { ConfigIR } from './ir.js';
import { ACCEPTED_MODULES, BUILTIN_MODULES, Registry } from './registry.js';
import { readConfigFile, readConfigText, type ReadState } from './tree.js';

/** ServerRoot when neither -d nor ServerRoot says otherwise (Debian's layout). */
export const DEFAULT_SERVER_ROOT = '/etc/apache2';

export interface LoadOptions {
  /** The main configuration file (-f); relative paths are relative to ServerRoot. */
  readonly file: string;
  /** -d: initial ServerRoot. */
  readonly serverRoot?: string;
  /** -D names (`NAME` or `NAME=value`). */
  readonly defines?: readonly string[];
  /** -C: directives processed before the main file. */
  readonly before?: readonly string[];
  /** -c: directives processed after the main file. */
  readonly after?: readonly string[];
  /** The module list; default src/modules/index.ts MODULES. */
  readonly modules?: readonly ModuleDef[];
  /** Environment for `${VAR}` (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Read, expand and build a configuration. Throws ConfigError (see errors.ts). */
export function loadConfig(opts: LoadOptions): ConfigIR {
  const registry = new Registry(opts.modules ?? MODULES);
  const known = registry.knownModuleNames();
  const loaded = new Set<string>(BUILTIN_MODULES);
  const defines = new Map<string, string>();
  // httpd: -D defines a name only, taken literally (`-D A=b` defines "A=b", which
  // <IfDefine A=b> tests); it never gives ${A} a value.
  for (const d of opts.defines ?? []) defines.set(d, '');
  const extra = new Set([...BUILD_DIRECTIVES.map((d) => d.toLowerCase())]);
  const st: ReadState = {
    serverRoot: resolve(opts.serverRoot ?? DEFAULT_SERVER_ROOT),
    defines,
    loaded,
    known,
    loadable: new Set(known.filter((n) => !BUILTIN_MODULES.includes(n)).concat(ACCEPTED_MODULES)),
    hasDirective: (name) => {
      const found = registry.lookup(name, loaded);
      return (
        (found !== undefined && loaded.has(found.module.name)) || extra.has(name.toLowerCase())
      );
    },
    env: opts.env ?? process.env,
    warnings: [],
  };
  const nodes: DirectiveNode[] = [];
  // httpd reads each -C/-c directive on its own, as line 1 of "-c/-C directives".
  for (const d of opts.before ?? []) nodes.push(...readConfigText(d, CMDLINE_FILE, st));
  const file = isAbsolute(opts.file) ? opts.file : join(st.serverRoot, opts.file);
  nodes.push(...readConfigFile(file, st));
  for (const d of opts.after ?? []) nodes.push(...readConfigText(d, CMDLINE_FILE, st));
  const ir = buildConfig({
    nodes,
    registry,
    loaded,
    serverRoot: st.serverRoot,
    mainFile: file,
    // As `apache2 -S` prints them: NAME, or NAME=value.
    defines: [...defines].map(([k, v]) => (v === '' ? k : `${k}=${v}`)),
    warnings: st.warnings,
  });
  return { ...ir, loadedModules: [...loaded], variables: Object.fromEntries(defines) };
}

export { dirConfOf, moduleSlot, serverConfOf } from './slots.js';
