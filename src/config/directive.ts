// httpd: include/http_config.h (command_rec, cmd_parms, RSRC_CONF/ACCESS_CONF/OR_*),
//        include/util_cfgtree.h (ap_directive_t)
//
// The typed "command_rec": every directive is declared as data next to the module that
// owns it (STYLE.md do-1). The registry (registry.ts) is built from the module list in
// src/modules/index.ts; build.ts walks the directive tree and calls `apply`.

import type { AuthnProvider, AuthzProvider, OutputFilterDef } from '../modules/module.js';
import type { MethodLimit } from './method-limit.js';

/** One node of the directive tree (≈ ap_directive_t). Sections have `children`. */
export interface DirectiveNode {
  /** Name as written, without `<`/`>` for sections, e.g. `VirtualHost`, `WSGIScriptAlias`. */
  readonly name: string;
  /** Arguments after quote removal and `${VAR}` expansion. */
  readonly args: readonly string[];
  /** The argument text as written (after `${VAR}` expansion), for `raw` directives. */
  readonly rawArgs: string;
  /** Present for sections (`<Directory …>`), absent for plain directives. */
  readonly children?: readonly DirectiveNode[];
  readonly file: string;
  readonly line: number;
}

/**
 * Where a directive may appear (httpd's `req_override` bits). Server = main server config,
 * VirtualHost = inside `<VirtualHost>`, Directory = inside `<Directory>`/`<Location>`/
 * `<Files>` (and their Match forms), plus the `.htaccess` override classes.
 */
export const Ctx = {
  /** Main server config (outside any section). */
  SERVER: 1 << 0,
  /** Inside `<VirtualHost>`. */
  VHOST: 1 << 1,
  /** Inside `<Directory>`, `<DirectoryMatch>`, `<Location>`, `<LocationMatch>`, `<Files>`, `<FilesMatch>`. */
  DIRECTORY: 1 << 2,
  /** `.htaccess` with AllowOverride AuthConfig / FileInfo / Indexes / Limit / Options. */
  OR_AUTHCFG: 1 << 3,
  OR_FILEINFO: 1 << 4,
  OR_INDEXES: 1 << 5,
  OR_LIMIT: 1 << 6,
  OR_OPTIONS: 1 << 7,
} as const;
export type ContextMask = number;

/** httpd's RSRC_CONF: server config and virtual host. */
export const RSRC_CONF: ContextMask = Ctx.SERVER | Ctx.VHOST;
/** httpd's ACCESS_CONF: directory-type sections only. */
export const ACCESS_CONF: ContextMask = Ctx.DIRECTORY;
/** httpd's OR_ALL. */
export const OR_ALL: ContextMask =
  Ctx.OR_AUTHCFG | Ctx.OR_FILEINFO | Ctx.OR_INDEXES | Ctx.OR_LIMIT | Ctx.OR_OPTIONS;
/** Anywhere in the server config files: server, vhost, directory sections. */
export const ANY_CONF: ContextMask = Ctx.SERVER | Ctx.VHOST | Ctx.DIRECTORY;

/** The argument shapes httpd knows (AP_INIT_*). */
export type Arity =
  | 'noArgs'
  | 'flag'
  | 'take1'
  | 'take2'
  | 'take3'
  | 'take12'
  | 'take13'
  | 'take23'
  | 'take123'
  | 'iterate'
  | 'iterate2'
  | 'takeArgv'
  | 'raw'
  | 'section';

/** The handler's argument tuple for each arity. */
export type ArgsOf<A extends Arity> = A extends 'noArgs'
  ? []
  : A extends 'flag'
    ? [boolean]
    : A extends 'take1'
      ? [string]
      : A extends 'take2'
        ? [string, string]
        : A extends 'take3'
          ? [string, string, string]
          : A extends 'take12'
            ? [string, string | undefined]
            : A extends 'take13'
              ? [string, string | undefined, string | undefined]
              : A extends 'take23'
                ? [string, string, string | undefined]
                : A extends 'take123'
                  ? [string, string | undefined, string | undefined]
                  : A extends 'iterate'
                    ? [string]
                    : A extends 'iterate2'
                      ? [string, string]
                      : A extends 'takeArgv'
                        ? [readonly string[]]
                        : A extends 'raw'
                          ? [string]
                          : A extends 'section'
                            ? [SectionWalk]
                            : never;

/**
 * A module's own section (`<RequireAll>`): apply the section's directives, each of whose
 * Cmd carries `enclosing` (the module's data for the innermost such section).
 */
export type SectionWalk = (enclosing: unknown) => void;

/** Which kind of place the directive is being applied in. */
export type ConfigContext =
  | { readonly kind: 'server' }
  | { readonly kind: 'vhost' }
  | {
      readonly kind: 'section';
      readonly section: SectionKind;
      readonly pattern: string;
      /** `<Directory ~ re>` and the *Match forms: the pattern is a regex (cmd->path too). */
      readonly regex?: boolean;
    }
  | { readonly kind: 'htaccess'; readonly directory: string };

export type SectionKind =
  | 'directory'
  | 'directoryMatch'
  | 'files'
  | 'filesMatch'
  | 'location'
  | 'locationMatch'
  /** `<If>`/`<ElseIf>`/`<Else>` bodies (cmd->path "*If"). */
  | 'if';

/**
 * What a directive handler gets (≈ cmd_parms + the module's config slots).
 * `server` is the module's server config of the server being built (main or vhost);
 * `dir` is the module's per-dir config of the current section (outside sections: the
 * server's default per-dir config, as httpd's `lookup_defaults`).
 */
export interface Cmd<S, D> {
  readonly node: DirectiveNode;
  readonly context: ConfigContext;
  readonly server: S;
  readonly dir: D;
  /** ServerRoot, for resolving relative paths (ap_server_root_relative). */
  readonly serverRoot: string;
  /** Resolve a path relative to ServerRoot. */
  serverRootRelative(p: string): string;
  /** An error carrying this directive's file and line; `throw cmd.fail('…')`. */
  fail(message: string): Error;
  /** A non-fatal warning, reported with file:line at startup (and by `-t`). */
  warn(message: string): void;
  /**
   * Match `value` case-insensitively against `choices`; return the canonical spelling or
   * throw "<Name> must be one of: A | B" (mod_wsgi's wording).
   */
  oneOf<T extends string>(value: string, choices: readonly T[]): T;
  /** Throw "<Name> cannot occur within <VirtualHost> section" etc. unless in the main server. */
  requireGlobal(): void;
  /**
   * Config-wide scratch state of this build, shared by every directive of every server
   * (≈ a module's static config-time variables in httpd, e.g. mod_wsgi's wsgi_daemon_list
   * used for "Name duplicates previous WSGI daemon definition."). Created by `init` on first
   * use of `key`, discarded after the build. Optional: a Cmd without it limits such checks
   * to the current server.
   */
  buildState?<T>(key: string, init: () => T): T;
  /**
   * In an .htaccess file: the option names an `Options` line may set there (httpd's
   * cmd->override_opts, from AllowOverride Options=…). Undefined in the config files,
   * where every option may be set.
   */
  readonly overrideOpts?: readonly string[];
  /**
   * Inside <Limit>/<LimitExcept>: the methods the directive applies to (cmd->limited).
   * Undefined elsewhere (every method). Only directives that keep it (Require, Order,
   * Allow, Deny, Satisfy) are limited; the others apply to every method, as in httpd.
   */
  readonly limited?: MethodLimit;
  /**
   * Inside a module's own section (a `section` directive such as `<RequireAll>`): what
   * that section's handler passed to its walk. Undefined elsewhere.
   */
  readonly enclosing?: unknown;
  /**
   * ap_lookup_provider(AUTHN_PROVIDER_GROUP, name): the authentication provider a loaded
   * module registers under `name` (case-sensitive, as httpd's provider hash). Optional: a
   * Cmd without it knows no providers.
   */
  authnProvider?(name: string): AuthnProvider | undefined;
  /** The same for AUTHZ_PROVIDER_GROUP (the names `Require` takes). */
  authzProvider?(name: string): AuthzProvider | undefined;
  /**
   * ap_get_output_filter_handle(name): the output filter a loaded module registers under
   * `name` (case-insensitive). Optional: a Cmd without it knows no filters.
   */
  outputFilter?(name: string): OutputFilterDef | undefined;
}

/** A declared directive (≈ command_rec), typed by its arity. */
export interface DirectiveSpec<S, D, A extends Arity = Arity> {
  /** Canonical spelling; matched case-insensitively. */
  readonly name: string;
  readonly args: A;
  readonly where: ContextMask;
  /** Apache's help text; used in "<Name> takes one argument, <help>". */
  readonly help: string;
  apply(cmd: Cmd<S, D>, ...args: ArgsOf<A>): void;
}

/** Any directive of a module, whatever its arity (for lists). */
export type AnyDirective<S, D> = {
  [A in Arity]: DirectiveSpec<S, D, A>;
}[Arity];

/**
 * Typed constructors for directive specs, so the handler's parameters follow the arity:
 * `d.take1('DocumentRoot', RSRC_CONF, 'Root directory of the document tree', (cmd, v) => …)`.
 */
export interface DirectiveBuilder<S, D> {
  noArgs(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>) => void,
  ): AnyDirective<S, D>;
  flag(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, on: boolean) => void,
  ): AnyDirective<S, D>;
  take1(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, a: string) => void,
  ): AnyDirective<S, D>;
  take2(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, a: string, b: string) => void,
  ): AnyDirective<S, D>;
  take3(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, a: string, b: string, c: string) => void,
  ): AnyDirective<S, D>;
  take12(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, a: string, b: string | undefined) => void,
  ): AnyDirective<S, D>;
  take13(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, a: string, b: string | undefined, c: string | undefined) => void,
  ): AnyDirective<S, D>;
  take23(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, a: string, b: string, c: string | undefined) => void,
  ): AnyDirective<S, D>;
  take123(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, a: string, b: string | undefined, c: string | undefined) => void,
  ): AnyDirective<S, D>;
  iterate(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, a: string) => void,
  ): AnyDirective<S, D>;
  iterate2(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, first: string, each: string) => void,
  ): AnyDirective<S, D>;
  takeArgv(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, args: readonly string[]) => void,
  ): AnyDirective<S, D>;
  raw(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, raw: string) => void,
  ): AnyDirective<S, D>;
  /**
   * A section a module defines (`<RequireAll>…</RequireAll>`), registered without its `<`.
   * `apply` decides when, and with what `enclosing` data, the contents are applied.
   */
  section(
    name: string,
    where: ContextMask,
    help: string,
    apply: (cmd: Cmd<S, D>, walk: SectionWalk) => void,
  ): AnyDirective<S, D>;
}
