// httpd: server/config.c (invoke_cmd: arity checks and their messages, the override check
//        "X not allowed here" / "X not allowed in <Y> context"), server/core.c
//        (ap_check_cmd_context: "cannot occur within <VirtualHost> section").
//
// Applying one directive: context check, argument parsing per Arity, and the Cmd object
// handed to the module's handler.

import { isAbsolute, resolve } from 'node:path';
import {
  Ctx,
  OR_ALL,
  type AnyDirective,
  type Cmd,
  type ConfigContext,
  type ContextMask,
  type DirectiveNode,
} from './directive.js';
import { syntaxError } from './errors.js';
import type { MethodLimit } from './method-limit.js';
import type { ModuleDef } from '../modules/module.js';

/** What the server/vhost levels accept: RSRC_CONF | OR_ALL & ~(OR_AUTHCFG | OR_LIMIT). */
const SERVER_OVERRIDES: ContextMask = Ctx.OR_FILEINFO | Ctx.OR_INDEXES | Ctx.OR_OPTIONS;

/** What an .htaccess file may set (ap_parse_htaccess's parms): AllowOverride in force. */
export interface AccessRules {
  /** The classes allowed, as Ctx.OR_* bits (parms->override). */
  readonly override: ContextMask;
  /** AllowOverrideList: directive names allowed whatever their class, lower-case. */
  readonly list: readonly string[];
  /** The options an `Options` line may set (override_opts). */
  readonly opts: readonly string[];
}

/** Where a directive is being applied. */
export interface Place {
  readonly context: ConfigContext;
  /** The enclosing section's name as written (`Directory`, `VirtualHost`), if any. */
  readonly parent: string | undefined;
  /** Set inside an .htaccess file, sections in it included. */
  readonly access?: AccessRules;
  /** Inside <Limit>/<LimitExcept>: the methods in force (cmd->limited). */
  readonly limited?: MethodLimit;
  /** Inside a module's section directive: what its handler passed down (Cmd.enclosing). */
  readonly enclosing?: unknown;
}

/** Display name for messages: section directives are spelled `<Directory`. */
const gt = (name: string): string => (name.startsWith('<') ? `${name}>` : name);

/** The invoke_cmd override check. Returns an error text or undefined. */
export function contextError(name: string, where: ContextMask, place: Place): string | undefined {
  const kind = place.context.kind;
  let ok: boolean;
  const access = place.access;
  if (access !== undefined)
    ok = (where & access.override) !== 0 || access.list.includes(name.toLowerCase());
  else if (kind === 'section' || kind === 'htaccess') ok = (where & (Ctx.DIRECTORY | OR_ALL)) !== 0;
  else if (kind === 'vhost') {
    ok = (where & (Ctx.VHOST | Ctx.SERVER | SERVER_OVERRIDES)) !== 0;
    // A main-server-only directive (SERVER without VHOST): ap_check_cmd_context(GLOBAL_ONLY).
    if (ok && (where & Ctx.SERVER) !== 0 && (where & (Ctx.VHOST | SERVER_OVERRIDES)) === 0) {
      return `${gt(name)} cannot occur within <VirtualHost> section`;
    }
  } else ok = (where & (Ctx.SERVER | SERVER_OVERRIDES)) !== 0;
  if (ok) return undefined;
  return place.parent === undefined
    ? `${name} not allowed here`
    : `${name} not allowed in <${place.parent}> context`;
}

/** ap_check_cmd_context(cmd, GLOBAL_ONLY). */
export function globalOnlyError(name: string, context: ConfigContext): string | undefined {
  if (context.kind === 'vhost') return `${gt(name)} cannot occur within <VirtualHost> section`;
  if (context.kind !== 'server')
    return `${gt(name)} cannot occur within <Directory/Location/Files> section`;
  return undefined;
}

export interface CmdInput<S, D> {
  readonly node: DirectiveNode;
  readonly place: Place;
  readonly server: S;
  readonly dir: D;
  readonly serverRoot: string;
  readonly warnings: string[];
  /** The loaded modules, whose auth providers the directive may name. */
  readonly mods?: readonly ModuleDef[];
}

/** Build the Cmd for one directive (≈ cmd_parms). */
export function makeCmd<S, D>(name: string, x: CmdInput<S, D>): Cmd<S, D> {
  const at = { file: x.node.file, line: x.node.line };
  return {
    node: x.node,
    context: x.place.context,
    server: x.server,
    dir: x.dir,
    serverRoot: x.serverRoot,
    serverRootRelative: (p) => (isAbsolute(p) ? p : resolve(x.serverRoot, p)),
    fail: (message) => syntaxError(message, at),
    ...(x.place.access === undefined ? {} : { overrideOpts: x.place.access.opts }),
    ...(x.place.limited === undefined ? {} : { limited: x.place.limited }),
    ...(x.place.enclosing === undefined ? {} : { enclosing: x.place.enclosing }),
    warn: (message) => {
      x.warnings.push(`${at.file}:${at.line}: ${message}`);
    },
    oneOf<T extends string>(value: string, choices: readonly T[]): T {
      const found = choices.find((c) => c.toLowerCase() === value.toLowerCase());
      if (found === undefined)
        throw syntaxError(`${name} must be one of: ${choices.join(' | ')}`, at);
      return found;
    },
    requireGlobal() {
      const e = globalOnlyError(name, x.place.context);
      if (e !== undefined) throw syntaxError(e, at);
    },
    authnProvider: (n) => findProvider(x.mods, (m) => m.authnProviders, n),
    authzProvider: (n) => findProvider(x.mods, (m) => m.authzProviders, n),
    outputFilter: (n) => findProvider(x.mods, (m) => m.outputFilters, n.toLowerCase()),
  };
}

/** The first loaded module that registers provider `name` in the group `pick` selects. */
function findProvider<P>(
  mods: readonly ModuleDef[] | undefined,
  pick: (m: ModuleDef) => Readonly<Record<string, P>> | undefined,
  name: string,
): P | undefined {
  for (const m of mods ?? []) {
    const table = pick(m);
    if (table !== undefined && Object.hasOwn(table, name)) return table[name];
  }
  return undefined;
}

/** Parse the node's arguments per the spec's arity and call its handler (invoke_cmd). */
export function invoke<S, D>(spec: AnyDirective<S, D>, cmd: Cmd<S, D>): void {
  const args = cmd.node.args;
  const n = args.length;
  const a0 = args[0] ?? '';
  const a1 = args[1];
  const a2 = args[2];
  const bad = (text: string): Error => cmd.fail(`${spec.name} ${text}`);
  switch (spec.args) {
    case 'noArgs':
      if (n !== 0) throw bad('takes no arguments');
      spec.apply(cmd);
      return;
    case 'flag': {
      // httpd reads only the first word of a FLAG directive.
      const v = a0.toLowerCase();
      if (v !== 'on' && v !== 'off') throw bad('must be On or Off');
      spec.apply(cmd, v === 'on');
      return;
    }
    // An empty word ("") counts as a missing argument, as invoke_cmd's `*w == '\0'` checks.
    case 'take1':
      if (n !== 1 || a0 === '') throw bad(`takes one argument, ${spec.help}`);
      spec.apply(cmd, a0);
      return;
    case 'take2':
      if (n !== 2 || a1 === undefined || a0 === '' || a1 === '')
        throw bad(`takes two arguments, ${spec.help}`);
      spec.apply(cmd, a0, a1);
      return;
    case 'take3':
      if (n !== 3 || a1 === undefined || a2 === undefined || a0 === '' || a1 === '' || a2 === '')
        throw bad(`takes three arguments, ${spec.help}`);
      spec.apply(cmd, a0, a1, a2);
      return;
    case 'take12':
      if (n < 1 || n > 2 || a0 === '') throw bad(`takes 1-2 arguments, ${spec.help}`);
      spec.apply(cmd, a0, a1 === '' ? undefined : a1);
      return;
    case 'take13':
      if ((n !== 1 && n !== 3) || a0 === '')
        throw bad(`takes one or three arguments, ${spec.help}`);
      spec.apply(cmd, a0, a1, a2);
      return;
    case 'take23':
      if (n < 2 || n > 3 || a1 === undefined || a0 === '' || a1 === '')
        throw bad(`takes two or three arguments, ${spec.help}`);
      spec.apply(cmd, a0, a1, a2);
      return;
    case 'take123':
      if (n < 1 || n > 3 || a0 === '') throw bad(`takes one, two or three arguments, ${spec.help}`);
      spec.apply(cmd, a0, a1, a2);
      return;
    case 'iterate':
      if (n < 1 || a0 === '') throw bad(`requires at least one argument, ${spec.help}`);
      // The loop stops at the first empty word.
      for (const a of args) {
        if (a === '') break;
        spec.apply(cmd, a);
      }
      return;
    case 'iterate2':
      if (n < 2 || a0 === '') throw bad(`requires at least two arguments, ${spec.help}`);
      for (const a of args.slice(1)) {
        if (a === '') break;
        spec.apply(cmd, a0, a);
      }
      return;
    case 'takeArgv':
      spec.apply(cmd, args);
      return;
    case 'raw':
      spec.apply(cmd, cmd.node.rawArgs);
      return;
    case 'section':
      // A section spec is applied by build.ts applyModuleSection, with its walk.
      throw cmd.fail(`${spec.name} is a section: write it as <${spec.name}>`);
  }
}
