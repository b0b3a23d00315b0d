// httpd: server/config.c (ap_find_command_in_modules, ap_add_module / ap_find_linked_module),
//        modules/core/mod_so.c (LoadModule), server/util_cfgtree: command_rec lookup.
//
// The registry maps directive names (case-insensitively) to the module and spec that own
// them. It is built from the ordered module list (src/modules/index.ts), never from import
// side effects; registering a name twice is an error (STYLE.md do-1).

import type {
  AnyDirective,
  Arity,
  Cmd,
  ContextMask,
  DirectiveBuilder,
  DirectiveSpec,
} from './directive.js';
import type { ModuleDef } from '../modules/module.js';

/** A directive found in the registry, with the module that owns it. */
export interface RegisteredDirective {
  readonly module: ModuleDef;
  readonly spec: AnyDirective<unknown, unknown>;
}

/**
 * Modules compiled into every tswsgi, as Debian's apache2 has them statically
 * (`apache2 -l`: core.c mod_so.c mod_watchdog.c http_core.c mod_log_config.c mod_logio.c
 * mod_version.c mod_unixd.c). They are always "loaded" for `<IfModule>`, and
 * `LoadModule` of one of them fails as httpd's does ("is built-in and can't be loaded").
 */
export const BUILTIN_MODULES: readonly string[] = [
  'core',
  'so',
  'watchdog',
  'http',
  'log_config',
  'logio',
  'version',
  'unixd',
];

/**
 * Modules whose directives tswsgi accepts without a module object of their own (the
 * MPMs: their directives are part of the core table and stored as numbers; socache_shmcb:
 * no directives, only the `shmcb` store SSLSessionCache names, which node's own TLS
 * session cache stands in for).
 */
export const ACCEPTED_MODULES: readonly string[] = [
  'mpm_event',
  'mpm_worker',
  'mpm_prefork',
  'socache_shmcb',
  // mod_macro: <Macro>, Use and UndefMacro act while the files are read (config/tree.ts).
  'macro',
];

/** Source-file names httpd uses for modules that do not follow `mod_<name>.c`. */
const SOURCE_NAMES: Readonly<Record<string, string>> = {
  core: 'core.c',
  http: 'http_core.c',
  mpm_event: 'event.c',
  mpm_worker: 'worker.c',
  mpm_prefork: 'prefork.c',
};

/** `alias` → `alias_module` (the LoadModule / `<IfModule x_module>` identifier). */
export function moduleIdentifier(name: string): string {
  return `${name}_module`;
}

/** `alias` → `mod_alias.c` (the `<IfModule mod_x.c>` source-file form). */
export function moduleSourceName(name: string): string {
  return SOURCE_NAMES[name] ?? `mod_${name}.c`;
}

/**
 * Map a name as written in `<IfModule>` to a short module name, or undefined when it names
 * nothing tswsgi knows. Like httpd (ap_find_linked_module / ap_exists_module), names
 * ending in `.c` are source-file names and others are module identifiers; the bare
 * `mod_x` form matches nothing, exactly as in httpd.
 */
export function resolveModuleName(written: string, known: readonly string[]): string | undefined {
  const w = written.toLowerCase();
  for (const name of known) {
    if (w.endsWith('.c') ? w === moduleSourceName(name) : w === moduleIdentifier(name)) return name;
  }
  return undefined;
}

/** The name → directive table. */
export class Registry {
  /** Name → the directives of that name, in module order (more than one only for modules that share directives, as mod_cgi and mod_cgid). */
  readonly #byName = new Map<string, RegisteredDirective[]>();
  readonly modules: readonly ModuleDef[];

  constructor(modules: readonly ModuleDef[]) {
    this.modules = modules;
    const seenModules = new Set<string>();
    for (const mod of modules) {
      if (seenModules.has(mod.name)) throw new Error(`module ${mod.name} is registered twice`);
      seenModules.add(mod.name);
      const specs = mod.directives?.(directiveBuilder<unknown, unknown>()) ?? [];
      for (const spec of specs) {
        const key = spec.name.toLowerCase();
        const prev = this.#byName.get(key);
        if (prev === undefined) {
          this.#byName.set(key, [{ module: mod, spec }]);
          continue;
        }
        const other = prev[0]?.module;
        if (other?.sharesDirectivesWith !== mod.name || mod.sharesDirectivesWith !== other.name) {
          throw new Error(
            `directive ${spec.name} of module ${mod.name} is already registered by module ${other?.name ?? '?'}`,
          );
        }
        prev.push({ module: mod, spec });
      }
    }
  }

  /**
   * Find a directive by name, case-insensitively: of the modules that declare it, the first
   * one `loaded` has (ap_find_command_in_modules walks the loaded modules), else the first.
   */
  lookup(name: string, loaded?: ReadonlySet<string>): RegisteredDirective | undefined {
    const all = this.#byName.get(name.toLowerCase());
    if (all === undefined) return undefined;
    return (
      (loaded === undefined ? undefined : all.find((d) => loaded.has(d.module.name))) ?? all[0]
    );
  }

  /** Every registered directive, in module order (for docs/directives.md). */
  all(): readonly RegisteredDirective[] {
    return [...this.#byName.values()].flat();
  }

  /** Module names known to this registry plus built-in and accepted ones. */
  knownModuleNames(): string[] {
    return [
      ...new Set([...BUILTIN_MODULES, ...ACCEPTED_MODULES, ...this.modules.map((m) => m.name)]),
    ];
  }
}

function spec<S, D, A extends Arity>(
  name: string,
  args: A,
  where: ContextMask,
  help: string,
  apply: DirectiveSpec<S, D, A>['apply'],
): DirectiveSpec<S, D, A> {
  return { name, args, where, help, apply };
}

/** The typed constructors handed to each module's `directives(d)` function. */
export function directiveBuilder<S, D>(): DirectiveBuilder<S, D> {
  type C = Cmd<S, D>;
  return {
    noArgs: (n, w, h, f: (cmd: C) => void) => spec<S, D, 'noArgs'>(n, 'noArgs', w, h, f),
    flag: (n, w, h, f) => spec<S, D, 'flag'>(n, 'flag', w, h, f),
    take1: (n, w, h, f) => spec<S, D, 'take1'>(n, 'take1', w, h, f),
    take2: (n, w, h, f) => spec<S, D, 'take2'>(n, 'take2', w, h, f),
    take3: (n, w, h, f) => spec<S, D, 'take3'>(n, 'take3', w, h, f),
    take12: (n, w, h, f) => spec<S, D, 'take12'>(n, 'take12', w, h, f),
    take13: (n, w, h, f) => spec<S, D, 'take13'>(n, 'take13', w, h, f),
    take23: (n, w, h, f) => spec<S, D, 'take23'>(n, 'take23', w, h, f),
    take123: (n, w, h, f) => spec<S, D, 'take123'>(n, 'take123', w, h, f),
    iterate: (n, w, h, f) => spec<S, D, 'iterate'>(n, 'iterate', w, h, f),
    iterate2: (n, w, h, f) => spec<S, D, 'iterate2'>(n, 'iterate2', w, h, f),
    takeArgv: (n, w, h, f) => spec<S, D, 'takeArgv'>(n, 'takeArgv', w, h, f),
    raw: (n, w, h, f) => spec<S, D, 'raw'>(n, 'raw', w, h, f),
    section: (n, w, h, f) => spec<S, D, 'section'>(n, 'section', w, h, f),
  };
}
