// The typed configuration ("Caddy JSON" of tswsgi, STYLE.md §2.1). JSON-serialisable:
// `tswsgi --dump-config` prints it. Everything after build.ts reads this and nothing else.

import type { SectionKind } from './directive.js';
import type { Expr } from '../expr/ast.js';

/** Where a setting came from, for -S and error messages. */
export interface Origin {
  readonly file: string;
  readonly line: number;
}

/** Per-module config slots, keyed by module name. Reach them through the module object. */
export type ModuleSlots = Record<string, unknown>;

/** A `<Directory>`/`<Location>`/`<Files>` section (or Match form) with its per-dir config. */
export interface SectionIR {
  readonly kind: SectionKind;
  /** The pattern as written (path, wildcard or regex source). */
  readonly pattern: string;
  /** True for the Match forms and for `~` patterns. */
  readonly regex: boolean;
  readonly dir: ModuleSlots;
  readonly origin: Origin;
  /** `<Files>`/`<FilesMatch>` written inside this section (httpd keeps them in its sec_file). */
  readonly nested?: readonly SectionIR[];
}

/**
 * An `<If>`, `<ElseIf>` or `<Else>` section (core.c ifsection): kept, in config order, in
 * the core per-dir config of the scope it was written in (sec_if), so it merges with it.
 */
export interface IfSectionIR {
  readonly ifelse: 'if' | 'elseif' | 'else';
  /** The condition (absent for `<Else>`). */
  readonly expr?: Expr;
  /** Per-dir config of the section body (its own nested `<If>`s in its core slot). */
  readonly dir: ModuleSlots;
  readonly origin: Origin;
}

export interface ListenIR {
  /** Address to bind, '' = all interfaces. */
  readonly host: string;
  readonly port: number;
  readonly origin: Origin;
}

/** The main server or one `<VirtualHost>`. */
export interface ServerIR {
  /** `<VirtualHost addr:port …>` addresses; empty for the main server. */
  readonly addresses: readonly { host: string; port: number | '*' }[];
  readonly origin: Origin;
  /** Per-module server config (merged over the main server for vhosts). */
  readonly server: ModuleSlots;
  /** Per-module default per-dir config (lookup_defaults). */
  readonly dirDefaults: ModuleSlots;
  /** Sections in config order. */
  readonly sections: readonly SectionIR[];
}

export interface ConfigIR {
  readonly serverRoot: string;
  /** Names from -D and Define, for -S/-t -D DUMP_RUN_CFG. */
  readonly defines: readonly string[];
  readonly listen: readonly ListenIR[];
  readonly main: ServerIR;
  readonly vhosts: readonly ServerIR[];
  /**
   * Short names of the loaded modules that have a ModuleDef (core, log_config and those
   * named by LoadModule), in module-list order. Hooks of other modules must not run.
   */
  readonly modules?: readonly string[];
  /**
   * Every module name loaded while reading (built-ins, LoadModule, accepted modules), for
   * `<IfModule>` in .htaccess files.
   */
  readonly loadedModules?: readonly string[];
  /** `Define` names with their values at the end of the read, for `${VAR}` in .htaccess. */
  readonly variables?: Readonly<Record<string, string>>;
  /** Non-fatal warnings with file:line, printed at startup and by -t. */
  readonly warnings: readonly string[];
}
