// httpd: server/config.c (ap_process_config_tree, ap_walk_config, ap_fixup_virtual_hosts),
//        server/core.c (dirsection, urlsection, filesection, virtualhost_section),
//        server/vhost.c.
//
// Turns the directive tree into the typed ConfigIR. Every module gets fresh server and
// per-dir configs for the main server, each <VirtualHost>, and each directory-type
// section; directives write into them through their handlers. At the end every vhost is
// merged over the main server once, as ap_fixup_virtual_hosts does at startup.

import {
  Ctx,
  OR_ALL,
  RSRC_CONF,
  type Cmd,
  type ConfigContext,
  type DirectiveNode,
  type SectionKind,
} from './directive.js';
import { syntaxError } from './errors.js';
import type {
  ConfigIR,
  IfSectionIR,
  ListenIR,
  ModuleSlots,
  Origin,
  SectionIR,
  ServerIR,
} from './ir.js';
import type { Expr } from '../expr/ast.js';
import { tryParseExpr } from '../expr/parse.js';
import { mergeBySpec, type MergeSpec } from './merge.js';
import type { RegisteredDirective, Registry } from './registry.js';
import {
  contextError,
  globalOnlyError,
  invoke,
  makeCmd,
  type AccessRules,
  type Place,
} from './build-cmd.js';
import { parseListen, parseVhostAddresses } from './build-listen.js';
import { ALL_METHODS, intersect, KNOWN_METHODS, methodName, sameMethods } from './method-limit.js';
import type { ModuleDef } from '../modules/module.js';

/** Inputs to the build step (results of tree.ts plus the registry). */
export interface BuildInput {
  readonly nodes: readonly DirectiveNode[];
  readonly registry: Registry;
  readonly loaded: ReadonlySet<string>;
  readonly serverRoot: string;
  /** The main configuration file (origin of the main server). */
  readonly mainFile: string;
  readonly defines: readonly string[];
  /** Warnings so far (from reading); build appends to it. */
  readonly warnings: string[];
}

/** The directory-type sections, by lower-case name (canonical spelling, kind, regex). */
const SECTIONS: Readonly<Record<string, { name: string; kind: SectionKind; match: boolean }>> = {
  directory: { name: 'Directory', kind: 'directory', match: false },
  directorymatch: { name: 'DirectoryMatch', kind: 'directoryMatch', match: true },
  files: { name: 'Files', kind: 'files', match: false },
  filesmatch: { name: 'FilesMatch', kind: 'filesMatch', match: true },
  location: { name: 'Location', kind: 'location', match: false },
  locationmatch: { name: 'LocationMatch', kind: 'locationMatch', match: true },
};

/** Directives build.ts handles itself (reported by <IfDirective>). */
export const BUILD_DIRECTIVES: readonly string[] = [
  'Listen',
  '<VirtualHost',
  '<Limit',
  '<LimitExcept',
  '<If',
  '<ElseIf',
  '<Else',
  ...Object.values(SECTIONS).map((s) => `<${s.name}`),
];

interface ServerBuild {
  readonly addresses: { host: string; port: number | '*' }[];
  readonly origin: Origin;
  readonly server: ModuleSlots;
  readonly dirDefaults: ModuleSlots;
  readonly sections: SectionIR[];
}

interface Scope {
  readonly place: Place;
  readonly srv: ServerBuild;
  readonly dir: ModuleSlots;
  /** Where nested sections go (the server's list, or the parent section's nested list). */
  readonly sections: SectionIR[];
  /** The enclosing section's kind, if inside one. */
  readonly sectionKind: SectionKind | undefined;
}

/** Merge one module slot by its spec. The slots are `unknown` by design (ModuleSlots). */
function mergeSlot(spec: MergeSpec<object>, base: unknown, over: unknown): unknown {
  // The one place slots are treated as objects: the module's own spec produced both.
  return mergeBySpec(
    spec as MergeSpec<Record<string, unknown>>,
    base as Record<string, unknown>,
    over as Record<string, unknown>,
  );
}

/** Fresh per-module configs of one kind (create_server_config / create_dir_config). */
function newSlots(mods: readonly ModuleDef[], which: 'server' | 'dir'): ModuleSlots {
  const slots: ModuleSlots = {};
  for (const m of mods) {
    const part = m[which];
    if (part !== undefined) slots[m.name] = part.create();
  }
  return slots;
}

function newServer(
  mods: readonly ModuleDef[],
  origin: Origin,
  addresses: ServerBuild['addresses'],
): ServerBuild {
  return {
    addresses,
    origin,
    server: newSlots(mods, 'server'),
    dirDefaults: newSlots(mods, 'dir'),
    sections: [],
  };
}

/** What a walk over directive nodes writes to besides the scope's configs. */
interface WalkEnv {
  readonly registry: Registry;
  readonly loaded: ReadonlySet<string>;
  readonly serverRoot: string;
  readonly warnings: string[];
  readonly mods: readonly ModuleDef[];
  readonly listen: ListenIR[];
  readonly vhosts: ServerBuild[];
  /** .htaccess with AllowOverride Nonfatal=…: what is logged and skipped instead of failing. */
  readonly nonfatal?: AccessNonfatal;
}

/** AllowOverride Nonfatal=… for one .htaccess read. */
export interface AccessNonfatal {
  /** Nonfatal=Override: a directive the AllowOverride classes forbid. */
  readonly override: boolean;
  /** Nonfatal=Unknown: a directive no loaded module defines. */
  readonly unknown: boolean;
  /** Log a warning (message id, text). */
  warn(id: string, message: string): void;
}

function walkNodes(env: WalkEnv, nodes: readonly DirectiveNode[], scope: Scope): void {
  for (const node of nodes) {
    if (node.children !== undefined) applySection(env, node, node.children, scope);
    else applyDirective(env, node, scope);
  }
}

function applyDirective(env: WalkEnv, node: DirectiveNode, scope: Scope): void {
  const at = { file: node.file, line: node.line };
  if (node.name.toLowerCase() === 'listen') {
    const e =
      contextError('Listen', RSRC_CONF, scope.place) ??
      globalOnlyError('Listen', scope.place.context);
    if (e !== undefined) throw syntaxError(e, at);
    const r = parseListen(node.args);
    if ('error' in r)
      throw syntaxError(
        r.error,
        at,
        r.log === undefined ? [] : [`${at.file}:${at.line}: ${r.log}`],
      );
    if (env.listen.some((l) => l.host === r.host && l.port === r.port)) {
      throw syntaxError('Cannot define multiple Listeners on the same IP:port', at);
    }
    env.listen.push({ ...r, origin: at });
    return;
  }
  const found = env.registry.lookup(node.name, env.loaded);
  if (found === undefined || !env.loaded.has(found.module.name)) {
    if (env.nonfatal?.unknown === true) {
      // ap_walk_config_sub names the directive lower-cased here.
      env.nonfatal.warn(
        'AH02296',
        `Unknown directive ${node.name.toLowerCase()} perhaps misspelled or defined by a module not included in the server configuration`,
      );
      return;
    }
    throw syntaxError(
      `Invalid command '${node.name}', perhaps misspelled or defined by a module not included in the server configuration`,
      at,
    );
  }
  const cmd = checkedCmd(env, node, scope, found, found.spec.name);
  if (cmd !== undefined) invoke(found.spec, cmd);
}

/**
 * invoke_cmd's override check for a module's directive (or section, `shown` as `<Name`),
 * then its Cmd; undefined when .htaccess Nonfatal=Override skipped it (AH02295).
 */
function checkedCmd(
  env: WalkEnv,
  node: DirectiveNode,
  scope: Scope,
  found: RegisteredDirective,
  shown: string,
): Cmd<unknown, unknown> | undefined {
  const { spec, module } = found;
  const e = contextError(shown, spec.where, scope.place);
  if (e !== undefined) {
    if (env.nonfatal?.override === true && scope.place.access !== undefined) {
      env.nonfatal.warn('AH02295', `${shown} in .htaccess forbidden by AllowOverride`);
      return undefined;
    }
    throw syntaxError(e, { file: node.file, line: node.line });
  }
  return makeCmd(spec.name, {
    node,
    place: scope.place,
    server: scope.srv.server[module.name],
    dir: scope.dir[module.name],
    serverRoot: env.serverRoot,
    warnings: env.warnings,
    mods: env.mods,
  });
}

function applySection(
  env: WalkEnv,
  node: DirectiveNode,
  children: readonly DirectiveNode[],
  scope: Scope,
): void {
  const at = { file: node.file, line: node.line };
  const lname = node.name.toLowerCase();
  if (lname === 'limit' || lname === 'limitexcept') {
    applyLimit(env, node, children, scope);
    return;
  }
  const own = env.registry.lookup(node.name, env.loaded);
  if (own !== undefined && own.spec.args === 'section' && env.loaded.has(own.module.name)) {
    applyModuleSection(env, node, children, scope, own);
    return;
  }
  const ifKind = IF_SECTIONS[lname];
  if (ifKind !== undefined) {
    applyIfSection(env, node, children, scope, ifKind);
    return;
  }
  const def = SECTIONS[lname];
  if (lname !== 'virtualhost' && def === undefined) {
    throw syntaxError(
      `Invalid command '<${node.name}', perhaps misspelled or defined by a module not included in the server configuration`,
      at,
    );
  }
  const canonical = def?.name ?? 'VirtualHost';
  // <Files> is OR_ALL in httpd: allowed in .htaccess whatever the AllowOverride classes.
  const where =
    def?.kind === 'files' || def?.kind === 'filesMatch'
      ? Ctx.SERVER | Ctx.VHOST | Ctx.DIRECTORY | OR_ALL
      : RSRC_CONF;
  const ce = contextError(`<${canonical}`, where, scope.place);
  if (ce !== undefined) throw syntaxError(ce, at);
  if (lname === 'virtualhost' && scope.place.context.kind === 'vhost') {
    throw syntaxError('<VirtualHost> cannot occur within <VirtualHost> section', at);
  }
  if (def !== undefined && scope.sectionKind !== undefined && def.kind.startsWith('files')) {
    if (scope.sectionKind.startsWith('location')) {
      throw syntaxError(`<${canonical}> cannot occur within <Location> section`, at);
    }
  }
  if (!node.rawArgs.trimEnd().endsWith('>'))
    throw syntaxError(`<${canonical}> directive missing closing '>'`, at);
  if (node.args.length === 0)
    throw syntaxError(`<${canonical}> directive requires additional arguments`, at);

  if (def === undefined) {
    const parsed = parseVhostAddresses(node.args);
    if (typeof parsed === 'string') throw syntaxError(parsed, at);
    for (const w of parsed.warnings) env.warnings.push(`${at.file}:${at.line}: ${w}`);
    const vh = newServer(env.mods, at, parsed.addrs);
    env.vhosts.push(vh);
    walkNodes(env, children, {
      place: { context: { kind: 'vhost' }, parent: node.name },
      srv: vh,
      dir: vh.dirDefaults,
      sections: vh.sections,
      sectionKind: undefined,
    });
    return;
  }
  const tilde = node.args[0] === '~';
  const words = tilde ? node.args.slice(1) : node.args;
  if (words.length !== 1)
    throw syntaxError(`Multiple <${canonical}> arguments not (yet) supported.`, at);
  const pattern = words[0] ?? '';
  const regex = def.match || tilde;
  if (regex) {
    try {
      new RegExp(pattern);
    } catch {
      throw syntaxError('Regex could not be compiled', at);
    }
  }
  const dir = newSlots(env.mods, 'dir');
  const nested: SectionIR[] = [];
  const context: ConfigContext = { kind: 'section', section: def.kind, pattern, regex };
  const access = scope.place.access;
  walkNodes(env, children, {
    place: { context, parent: node.name, ...(access === undefined ? {} : { access }) },
    srv: scope.srv,
    dir,
    sections: nested,
    sectionKind: def.kind,
  });
  const ir: SectionIR = {
    kind: def.kind,
    pattern,
    regex,
    dir,
    origin: at,
    ...(nested.length > 0 ? { nested } : {}),
  };
  scope.sections.push(ir);
}

/** `<If>`, `<ElseIf>`, `<Else>` by lower-case name. */
const IF_SECTIONS: Readonly<Record<string, { name: string; ifelse: IfSectionIR['ifelse'] }>> = {
  if: { name: 'If', ifelse: 'if' },
  elseif: { name: 'ElseIf', ifelse: 'elseif' },
  else: { name: 'Else', ifelse: 'else' },
};

/**
 * core.c ifsection + ap_add_if_conf: parse the condition (ap_expr), apply the body to a new
 * per-dir config (cmd->path "*If"), and append the section to the scope's core sec_if. An
 * `<ElseIf>`/`<Else>` must follow an `<If>`/`<ElseIf>` of the same scope.
 */
function applyIfSection(
  env: WalkEnv,
  node: DirectiveNode,
  children: readonly DirectiveNode[],
  scope: Scope,
  kind: { name: string; ifelse: IfSectionIR['ifelse'] },
): void {
  const at = { file: node.file, line: node.line };
  const ce = contextError(
    `<${kind.name}`,
    Ctx.SERVER | Ctx.VHOST | Ctx.DIRECTORY | OR_ALL,
    scope.place,
  );
  if (ce !== undefined) throw syntaxError(ce, at);
  if (scope.place.limited !== undefined)
    throw syntaxError(`<${kind.name}> cannot occur within <Limit> or <LimitExcept> section`, at);
  if (!node.rawArgs.includes('>'))
    throw syntaxError(`<${kind.name}> directive missing closing '>'`, at);
  let expr: Expr | undefined;
  if (kind.ifelse === 'else') {
    if (node.args.length > 0) throw syntaxError('<Else> does not take an argument', at);
  } else {
    const text = node.args[0];
    if (text === undefined)
      throw syntaxError(`<${kind.name}> directive requires additional arguments`, at);
    const parsed = tryParseExpr(text);
    if ('error' in parsed) throw syntaxError(`Cannot parse condition clause: ${parsed.error}`, at);
    expr = parsed.expr;
  }
  const dir = newSlots(env.mods, 'dir');
  const context: ConfigContext = { kind: 'section', section: 'if', pattern: '*If', regex: false };
  const access = scope.place.access;
  walkNodes(env, children, {
    place: { context, parent: kind.name, ...(access === undefined ? {} : { access }) },
    srv: scope.srv,
    dir,
    sections: [],
    sectionKind: 'if',
  });
  // The scope's core per-dir config holds sec_if (core/config.ts CoreDirConf.ifSections).
  const core = scope.dir['core'] as { ifSections: readonly IfSectionIR[] } | undefined;
  if (core === undefined) throw syntaxError(`<${kind.name}> needs the core module`, at);
  if (kind.ifelse !== 'if') {
    const last = core.ifSections[core.ifSections.length - 1];
    if (last === undefined || last.ifelse === 'else')
      throw syntaxError(
        '<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope',
        at,
      );
  }
  const ir: IfSectionIR = { ifelse: kind.ifelse, ...(expr ? { expr } : {}), dir, origin: at };
  core.ifSections = [...core.ifSections, ir];
  if (node.args.length > 1)
    throw syntaxError(`Multiple <${kind.name}> arguments not supported.`, at);
}

/**
 * ap_limit_section: `<Limit m…>` / `<LimitExcept m…>` apply their directives to the same
 * per-dir config, with cmd->limited narrowed to those methods (or all but those).
 */
function applyLimit(
  env: WalkEnv,
  node: DirectiveNode,
  children: readonly DirectiveNode[],
  scope: Scope,
): void {
  const at = { file: node.file, line: node.line };
  const except = node.name.toLowerCase() === 'limitexcept';
  const name = except ? 'LimitExcept' : 'Limit';
  const ce = contextError(`<${name}`, Ctx.OR_LIMIT | Ctx.OR_AUTHCFG, scope.place);
  if (ce !== undefined) throw syntaxError(ce, at);
  if (!node.rawArgs.trimEnd().endsWith('>'))
    throw syntaxError(`<${name}> directive missing closing '>'`, at);
  if (node.args.length === 0)
    throw syntaxError(`<${name}> directive requires additional arguments`, at);
  for (const m of node.args) {
    if (m === 'TRACE' && !except)
      throw syntaxError('TRACE cannot be controlled by <Limit>, see TraceEnable', at);
    // The config files register an unknown method; an .htaccess file may not.
    if (scope.place.access !== undefined && !KNOWN_METHODS.has(m))
      throw syntaxError(
        `Could not register method '${m}' for <${name} from .htaccess configuration`,
        at,
      );
  }
  const old = scope.place.limited ?? ALL_METHODS;
  const limited = intersect(old, { methods: [...new Set(node.args.map(methodName))], except });
  if (!limited.except && limited.methods.length === 0)
    throw syntaxError(`<${name}> directive excludes all methods`, at);
  if (sameMethods(limited, old))
    throw syntaxError(`<${name}> directive specifies methods already excluded`, at);
  walkNodes(env, children, { ...scope, place: { ...scope.place, parent: node.name, limited } });
}

/**
 * A section a module defines (`<RequireAll>`): the override check as for any directive of
 * the module, then its handler, whose walk applies the contents with `enclosing` set.
 */
function applyModuleSection(
  env: WalkEnv,
  node: DirectiveNode,
  children: readonly DirectiveNode[],
  scope: Scope,
  found: RegisteredDirective,
): void {
  const { spec } = found;
  const cmd = checkedCmd(env, node, scope, found, `<${spec.name}`);
  if (cmd === undefined || spec.args !== 'section') return;
  spec.apply(cmd, (enclosing) => {
    walkNodes(env, children, {
      ...scope,
      place: { ...scope.place, parent: node.name, enclosing },
    });
  });
}

/** Build the IR. Throws ConfigError. */
export function buildConfig(input: BuildInput): ConfigIR {
  const mods = input.registry.modules.filter((m) => input.loaded.has(m.name));
  const env: WalkEnv = {
    registry: input.registry,
    loaded: input.loaded,
    serverRoot: input.serverRoot,
    warnings: input.warnings,
    mods,
    listen: [],
    vhosts: [],
  };
  const main = newServer(mods, { file: input.mainFile, line: 0 }, []);
  walkNodes(env, input.nodes, {
    place: { context: { kind: 'server' }, parent: undefined },
    srv: main,
    dir: main.dirDefaults,
    sections: main.sections,
    sectionKind: undefined,
  });

  return {
    serverRoot: input.serverRoot,
    defines: input.defines,
    listen: env.listen,
    main: freeze(main),
    vhosts: env.vhosts.map((v) => mergeVhost(mods, main, v)),
    modules: mods.map((m) => m.name),
    warnings: input.warnings,
  };
}

/** Inputs to building one .htaccess file (ap_parse_htaccess). */
export interface AccessBuildInput {
  /** The file's directives, as read with ReadState.htaccess set. */
  readonly nodes: readonly DirectiveNode[];
  readonly registry: Registry;
  /** Short names of the loaded modules (ConfigIR.modules). */
  readonly loaded: ReadonlySet<string>;
  readonly serverRoot: string;
  /** The directory holding the file, with its trailing slash (cmd->path). */
  readonly directory: string;
  readonly rules: AccessRules;
  readonly nonfatal: AccessNonfatal;
}

/**
 * Apply an .htaccess file's directives to a fresh per-dir config, under the AllowOverride
 * in force (invoke_cmd's override check). Returns the config and the `<Files>` sections
 * written in the file. Throws ConfigError; its `detail` is what httpd logs after the name.
 */
export function buildAccessConfig(input: AccessBuildInput): {
  dir: ModuleSlots;
  nested: SectionIR[];
} {
  const mods = input.registry.modules.filter((m) => input.loaded.has(m.name));
  const env: WalkEnv = {
    registry: input.registry,
    loaded: input.loaded,
    serverRoot: input.serverRoot,
    warnings: [],
    mods,
    listen: [],
    vhosts: [],
    nonfatal: input.nonfatal,
  };
  // Directives allowed in .htaccess are per-dir ones; a scratch server config takes any
  // server-level write so that a request can never change the running server's config.
  const scratch = newServer(mods, { file: input.directory, line: 0 }, []);
  const dir = newSlots(mods, 'dir');
  const nested: SectionIR[] = [];
  walkNodes(env, input.nodes, {
    place: {
      context: { kind: 'htaccess', directory: input.directory },
      parent: undefined,
      access: input.rules,
    },
    srv: scratch,
    dir,
    sections: nested,
    sectionKind: undefined,
  });
  return { dir, nested };
}

function freeze(s: ServerBuild): ServerIR {
  return {
    addresses: s.addresses,
    origin: s.origin,
    server: s.server,
    dirDefaults: s.dirDefaults,
    sections: s.sections,
  };
}

/** ap_fixup_virtual_hosts: merge a vhost's configs over the main server's. */
function mergeVhost(mods: readonly ModuleDef[], main: ServerBuild, vh: ServerBuild): ServerIR {
  const server: ModuleSlots = {};
  const dirDefaults: ModuleSlots = {};
  for (const m of mods) {
    if (m.server !== undefined)
      server[m.name] = mergeSlot(m.server.merge, main.server[m.name], vh.server[m.name]);
    if (m.dir !== undefined)
      dirDefaults[m.name] = mergeSlot(
        m.dir.merge,
        main.dirDefaults[m.name],
        vh.dirDefaults[m.name],
      );
  }
  // core's merge_core_server_configs appends: the main server's sections, then the vhost's.
  return {
    addresses: vh.addresses,
    origin: vh.origin,
    server,
    dirDefaults,
    sections: [...main.sections, ...vh.sections],
  };
}
