// httpd: server/config.c (ap_parse_htaccess: ap_build_config, then ap_walk_config with
//        parms->override, override_opts and override_list from the AllowOverride in force).
//
// One .htaccess file's text → its per-dir config and its <Files> sections. The read is the
// config files' read (tree.ts) in htaccess mode: If* sections are evaluated against what the
// server loaded and defined, `${VAR}` expands from Define and the environment, and the
// read-time directives (Include, Define, LoadModule, …) are "not allowed here". The file
// system side (finding, caching, when to read) is the core module's (core/htaccess.ts).

import type { AccessNonfatal } from './build.js';
import { buildAccessConfig, BUILD_DIRECTIVES } from './build.js';
import type { AccessRules } from './build-cmd.js';
import type { ConfigIR, ModuleSlots, SectionIR } from './ir.js';
import type { Registry } from './registry.js';
import { readConfigText } from './tree.js';

export type { AccessRules } from './build-cmd.js';
export type { AccessNonfatal } from './build.js';

/** One .htaccess file to apply. */
export interface AccessFileInput {
  readonly text: string;
  /** The file's path (error frames, `<Files> was not closed.`). */
  readonly file: string;
  /** The directory holding it, with a trailing slash (cmd->path). */
  readonly directory: string;
  /** The running configuration: server root, loaded modules, Define values. */
  readonly ir: ConfigIR;
  /** Directives of the loaded modules. */
  readonly registry: Registry;
  readonly rules: AccessRules;
  readonly nonfatal: AccessNonfatal;
}

/** Parse and apply an .htaccess file. Throws ConfigError (`detail` is httpd's errmsg). */
export function parseAccessFile(input: AccessFileInput): {
  dir: ModuleSlots;
  nested: SectionIR[];
} {
  const { ir, registry } = input;
  const loaded = new Set(ir.loadedModules ?? ir.modules ?? []);
  const nodes = readConfigText(input.text, input.file, {
    serverRoot: ir.serverRoot,
    defines: new Map(Object.entries(ir.variables ?? {})),
    loaded,
    known: registry.knownModuleNames(),
    loadable: new Set(),
    hasDirective: (name) => {
      const found = registry.lookup(name, loaded);
      return (
        (found !== undefined && loaded.has(found.module.name)) ||
        BUILD_DIRECTIVES.some((d) => d.toLowerCase() === name.toLowerCase())
      );
    },
    env: process.env,
    warnings: [],
    htaccess: {
      nonfatalOverride: input.nonfatal.override,
      warn: (id, message) => input.nonfatal.warn(id, message),
    },
  });
  return buildAccessConfig({
    nodes,
    registry,
    loaded: new Set(ir.modules ?? registry.modules.map((m) => m.name)),
    serverRoot: ir.serverRoot,
    directory: input.directory,
    rules: input.rules,
    nonfatal: input.nonfatal,
  });
}
