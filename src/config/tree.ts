// httpd: server/config.c (ap_build_config, ap_build_config_sub, ap_process_resource_config,
//        ap_process_fnmatch_configs), server/core.c (start_ifmod, start_ifdefine,
//        start_ifdirective, start_iffile, include_config, set_define, unset_define,
//        set_server_root), modules/core/mod_version.c, modules/core/mod_so.c (load_module).
//
// Reads configuration files into the directive tree. Directives httpd runs while reading
// (EXEC_ON_READ) are executed here, in file order: Include/IncludeOptional, Define/UnDefine,
// ServerRoot, LoadModule and the conditional sections <IfModule>, <IfDefine>, <IfVersion>,
// <IfFile>, <IfDirective>. None of them appears in the resulting tree; conditional sections
// are replaced by their children when the condition holds. What an Include names (files,
// directories, wildcards) is resolved by tree-include.ts.

import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DirectiveNode } from './directive.js';
import { ConfigError, ConfigErrorCode, readError, type ErrorFrame } from './errors.js';
import { expandVars, readLines, splitCommand, splitWords, type Line } from './lexer.js';
import { BUILTIN_MODULES, resolveModuleName } from './registry.js';
import { readVersionCondition } from './tree-if.js';
import { errnoText, exists, isDir, matchIncludes } from './tree-include.js';
import { ARG_PREFIX, checkParams, substitute, type MacroDef } from './tree-macro.js';

export { globToRegExp } from './tree-include.js';

/** httpd's AP_MAX_INCLUDE_DEPTH. */
export const MAX_INCLUDE_DEPTH = 128;

/** Mutable state shared by the whole read (httpd keeps these in globals). */
export interface ReadState {
  /** ServerRoot; `ServerRoot` lines change it while reading. */
  serverRoot: string;
  /** Defined names → values ('' when defined without value: not a ${} variable); -D and Define. */
  readonly defines: Map<string, string>;
  /** Short names of loaded modules (built-ins + LoadModule). */
  readonly loaded: Set<string>;
  /** Every module name tswsgi knows (built-in, accepted, in the module list). */
  readonly known: readonly string[];
  /** Modules `LoadModule` may load (known minus built-ins). */
  readonly loadable: ReadonlySet<string>;
  /** True if `name` is a directive of a loaded module (for <IfDirective>). */
  hasDirective(name: string): boolean;
  /** Process environment for `${VAR}` after Defines. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly warnings: string[];
  /** mod_macro's definitions by lower-cased name; undefined until the first <Macro>. */
  macros?: Map<string, MacroDef>;
  /**
   * Set when reading an .htaccess file (ap_parse_htaccess): the read-time directives that
   * change the server (Include, Define, LoadModule, …) are "not allowed here", and
   * warnings go to the error log as they happen instead of onto `warnings`.
   */
  readonly htaccess?: AccessRead;
}

/** How an .htaccess read reports what it does not apply. */
export interface AccessRead {
  /** AllowOverride Nonfatal=Override: a forbidden directive is logged and skipped. */
  readonly nonfatalOverride: boolean;
  /** Log a warning (httpd's ap_log_perror at warn): message id and text. */
  warn(id: string, message: string): void;
}

/** The read-time directives' names as httpd spells them (cmd->name in messages). */
const READ_TIME_NAMES: Readonly<Record<string, string>> = {
  include: 'Include',
  includeoptional: 'IncludeOptional',
  define: 'Define',
  undefine: 'UnDefine',
  serverroot: 'ServerRoot',
  loadmodule: 'LoadModule',
};

/** Directives this file executes itself (reported as existing by <IfDirective>). */
export const READ_TIME_DIRECTIVES: readonly string[] = [
  'Include',
  'IncludeOptional',
  'Define',
  'UnDefine',
  'ServerRoot',
  'LoadModule',
  '<IfModule',
  '<IfDefine',
  '<IfVersion',
  '<IfFile',
  '<IfDirective',
];

/** One line with its (still unexpanded) nested lines, before EXEC_ON_READ processing. */
interface RawNode {
  readonly line: Line;
  /** Section name as written, without `<` (present for sections). */
  readonly section?: string;
  readonly children?: RawNode[];
}

/** Read a configuration file (the main one, or -f). */
export function readConfigFile(path: string, st: ReadState): DirectiveNode[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(
      ConfigErrorCode.OPEN,
      `Could not open configuration file ${path}: ${errnoText(e)}`,
      [],
    );
  }
  return evalNodes(structure(readLines(text, path)), st, 0);
}

/**
 * Read configuration text not from a file: -C / -c directives (file `-C`), or an
 * .htaccess file's text (with st.htaccess set).
 */
export function readConfigText(text: string, file: string, st: ReadState): DirectiveNode[] {
  return evalNodes(structure(readLines(text, file)), st, 0);
}

/** Section name from an opening line: `<Directory /x>` → `Directory`. */
function sectionName(text: string): string {
  const first = splitCommand(text).name.slice(1);
  return first.endsWith('>') ? first.slice(0, -1) : first;
}

/** Pair opening and closing section lines (ap_build_config_sub's nesting). */
function structure(lines: readonly Line[]): RawNode[] {
  const root: RawNode[] = [];
  const stack: { node: RawNode; kids: RawNode[] }[] = [];
  for (const line of lines) {
    const target = stack[stack.length - 1]?.kids ?? root;
    if (line.text.startsWith('</')) {
      const closing = splitCommand(line.text).name.slice(2).replace(/>$/, '');
      const open = stack.pop();
      if (open === undefined) {
        throw readError(`</${closing}> without matching <${closing}> section`, line);
      }
      const opened = open.node.section ?? '';
      if (opened.toLowerCase() !== closing.toLowerCase()) {
        throw readError(`Expected </${opened}> but saw </${closing}>`, line);
      }
    } else if (line.text.startsWith('<')) {
      const kids: RawNode[] = [];
      const node: RawNode = { line, section: sectionName(line.text), children: kids };
      target.push(node);
      stack.push({ node, kids });
    } else {
      target.push({ line });
    }
  }
  const open = stack[0];
  if (open !== undefined) {
    const { file, line } = open.node.line;
    throw readError(
      `${file}:${line}: <${open.node.section ?? ''}> was not closed.`,
      open.node.line,
    );
  }
  return root;
}

interface Expanded {
  readonly name: string;
  readonly args: string[];
  readonly rawArgs: string;
}

/** `${VAR}` expansion and word splitting of one line, at the moment it is read. */
function expandLine(node: RawNode, st: ReadState): Expanded {
  const text = expandVars(
    node.line.text,
    // Only a Define with a non-empty value is a variable (httpd's server_config_defined_vars);
    // `-D X`, `Define X` and `Define X ""` define the name alone.
    (name) => st.defines.get(name) || st.env[name],
    (name) => {
      if (st.htaccess !== undefined) {
        st.htaccess.warn('AH00111', `Config variable \${${name}} is not defined`);
        return;
      }
      st.warnings.push(
        `${node.line.file}:${node.line.line}: AH00111: Config variable \${${name}} is not defined`,
      );
    },
  );
  const { name, rest } = splitCommand(text);
  if (node.section === undefined) return { name, args: splitWords(rest), rawArgs: rest };
  // Sections: httpd cuts the argument text at the last '>' (strrchr). rawArgs keeps the
  // text as written, '>' included, so build.ts can report a missing '>'.
  if (name.endsWith('>')) return { name: name.slice(1, -1), args: [], rawArgs: '>' };
  const gt = rest.lastIndexOf('>');
  return {
    name: name.slice(1),
    args: splitWords(gt < 0 ? rest : rest.slice(0, gt)),
    rawArgs: rest,
  };
}

function evalNodes(raw: readonly RawNode[], st: ReadState, depth: number): DirectiveNode[] {
  const out: DirectiveNode[] = [];
  for (const node of raw) {
    const at: ErrorFrame = node.line;
    const x = expandLine(node, st);
    const lname = x.name.toLowerCase();
    if (node.section !== undefined && lname === 'macro' && st.loaded.has('macro')) {
      defineMacro(node, x, at, st);
      continue;
    }
    if (node.section !== undefined) {
      const kids = node.children ?? [];
      const cond = conditional(lname, x, at, st);
      if (cond === true) out.push(...evalNodes(kids, st, depth));
      else if (cond === undefined) {
        out.push({
          name: x.name,
          args: x.args,
          rawArgs: x.rawArgs,
          children: evalNodes(kids, st, depth),
          file: at.file,
          line: at.line,
        });
      }
      continue;
    }
    const readTime = READ_TIME_NAMES[lname];
    if (readTime !== undefined && st.htaccess !== undefined) {
      // invoke_cmd's override check: none of these has an OR_* bit.
      if (!st.htaccess.nonfatalOverride) throw readError(`${readTime} not allowed here`, at);
      st.htaccess.warn('AH02295', `${readTime} in .htaccess forbidden by AllowOverride`);
      continue;
    }
    switch (lname) {
      case 'include':
      case 'includeoptional':
        out.push(...include(x, lname === 'includeoptional', at, st, depth));
        break;
      case 'define':
        if (x.args.length < 1 || x.args.length > 2) {
          throw readError(
            'Define takes 1-2 arguments, Define a variable, optionally to a value.  Same as passing -D to the command line.',
            at,
          );
        }
        if ((x.args[0] ?? '').includes(':'))
          throw readError("Variable name must not contain ':'", at);
        st.defines.set(x.args[0] ?? '', x.args[1] ?? '');
        break;
      case 'undefine':
        if (x.args.length !== 1) {
          throw readError(
            'UnDefine takes one argument, Undefine the existence of a variable. Undo a Define.',
            at,
          );
        }
        st.defines.delete(x.args[0] ?? '');
        break;
      case 'serverroot':
        setServerRoot(x, at, st);
        break;
      case 'use':
      case 'undefmacro':
        if (!st.loaded.has('macro')) {
          out.push({
            name: x.name,
            args: x.args,
            rawArgs: x.rawArgs,
            file: at.file,
            line: at.line,
          });
          break;
        }
        if (lname === 'use') out.push(...useMacro(x, at, st, depth));
        else undefMacro(x, at, st);
        break;
      case 'loadmodule':
        loadModule(x, at, st);
        break;
      default:
        out.push({ name: x.name, args: x.args, rawArgs: x.rawArgs, file: at.file, line: at.line });
    }
  }
  return out;
}

/** A warning at read time, with the file and line of the directive (as httpd logs them). */
function readWarning(st: ReadState, at: ErrorFrame, id: string, text: string): void {
  if (st.htaccess !== undefined) st.htaccess.warn(id, text);
  else st.warnings.push(`${at.file}:${at.line}: ${id}: ${text}`);
}

/** The lines of a section's body as written (closing lines put back), for mod_macro. */
function bodyLines(nodes: readonly RawNode[], out: Line[]): Line[] {
  for (const n of nodes) {
    out.push(n.line);
    if (n.section !== undefined) {
      bodyLines(n.children ?? [], out);
      out.push({ file: n.line.file, line: n.line.line, text: `</${n.section}>` });
    }
  }
  return out;
}

/** macro_section: `<Macro name args…>`. */
function defineMacro(node: RawNode, x: Expanded, at: ErrorFrame, st: ReadState): void {
  // The section's argument text as written, cut at its last '>'.
  const raw = x.rawArgs;
  const gt = raw.lastIndexOf('>');
  if (gt < 0) throw readError("<Macro> directive missing closing '>'", at);
  const words = splitWords(raw.slice(0, gt));
  if (raw.slice(0, gt).trim() === '') throw readError('<Macro macro definition: empty name', at);
  const name = (words[0] ?? '').toLowerCase();
  if (name === '') throw readError('<Macro macro definition: name not found', at);
  if (raw.slice(gt + 1).trim() !== '')
    readWarning(st, at, 'AH02801', "non blank chars found after <Macro closing '>'");
  st.macros ??= new Map();
  const old = st.macros.get(name);
  if (old !== undefined)
    readWarning(
      st,
      at,
      'AH02802',
      `macro '${name}' multiply defined: ${old.location}, redefined on line ${at.line} of "${at.file}"`,
    );
  const location = `defined on line ${at.line} of "${at.file}"`;
  const where = `macro '${name}' (${location})`;
  if (ARG_PREFIX.includes(name[0] ?? ''))
    readWarning(
      st,
      at,
      'AH02803',
      `${where} better prefix a macro name with any of '${ARG_PREFIX}'`,
    );
  const params = words.slice(1);
  const bad = checkParams(name, location, params, (id, text) => readWarning(st, at, id, text));
  if (bad !== undefined) throw readError(bad, at);
  const lines = bodyLines(node.children ?? [], []).map((l) => ({
    text: l.text,
    offset: l.line - at.line,
  }));
  if (lines.length === 0) readWarning(st, at, 'AH02799', `${where}: empty contents!`);
  else {
    const used = params.map(() => false);
    for (const l of lines) substitute(l.text, params, params, used);
    used.forEach((u, i) => {
      if (!u)
        readWarning(
          st,
          at,
          'AH02800',
          `${where}: argument '${params[i] ?? ''}' (#${i + 1}) never used`,
        );
    });
  }
  st.macros.set(name, { name, params, lines, location });
}

/** use_macro: `Use name values…` — the body, substituted, read in place. */
function useMacro(x: Expanded, at: ErrorFrame, st: ReadState, depth: number): DirectiveNode[] {
  if (st.macros === undefined) throw readError('no macro defined before Use', at);
  const words = splitWords(x.rawArgs);
  const name = (words[0] ?? '').toLowerCase();
  if (name === '') throw readError('no macro name specified with Use', at);
  const macro = st.macros.get(name);
  if (macro === undefined) throw readError(`macro '${name}' undefined`, at);
  if (at.file.includes(`macro '${macro.name}'`))
    throw readError(`recursive use of macro '${macro.name}' is invalid`, at);
  const values = words.slice(1);
  if (values.length !== macro.params.length)
    throw readError(
      `macro '${macro.name}' (${macro.location}) used with ${values.length} arguments instead of ${macro.params.length}`,
      at,
    );
  const where = `macro '${macro.name}' (${macro.location}) used on line ${at.line} of "${at.file}"`;
  values.forEach((v, i) => {
    if (v === '') readWarning(st, at, 'AH02798', `${where}: empty argument #${i + 1}`);
  });
  if (depth >= MAX_INCLUDE_DEPTH)
    throw readError(
      `Exceeded the maximum include directory nesting level of ${MAX_INCLUDE_DEPTH}. You have probably a recursion somewhere.`,
      at,
    );
  const lines: Line[] = macro.lines.map((l) => ({
    file: where,
    line: l.offset,
    text: substitute(l.text, macro.params, values),
  }));
  return evalNodes(structure(lines), st, depth + 1);
}

/** undef_macro: `UndefMacro name`. */
function undefMacro(x: Expanded, at: ErrorFrame, st: ReadState): void {
  if (x.args.length !== 1)
    throw readError('UndefMacro takes one argument, Remove a macro definition.', at);
  if (st.macros === undefined) throw readError('no macro defined before UndefMacro', at);
  const name = (x.args[0] ?? '').toLowerCase();
  if (name === '') throw readError('no macro name specified with UndefMacro', at);
  if (!st.macros.delete(name)) throw readError(`cannot remove undefined macro '${name}'`, at);
}

function setServerRoot(x: Expanded, at: ErrorFrame, st: ReadState): void {
  if (x.args.length !== 1) {
    throw readError(
      'ServerRoot takes one argument, Common directory of server-related files (logs, confs, etc.)',
      at,
    );
  }
  const dir = resolve(x.args[0] ?? '');
  if (!isDir(dir)) throw readError('ServerRoot must be a valid directory', at);
  st.serverRoot = dir;
}

function loadModule(x: Expanded, at: ErrorFrame, st: ReadState): void {
  const [id, file] = x.args;
  if (id === undefined || file === undefined || x.args.length !== 2) {
    throw readError(
      'LoadModule takes two arguments, a module name and the name of a shared object file to load it from',
      at,
    );
  }
  const path = isAbsolute(file) ? file : join(st.serverRoot, file);
  const name = id.endsWith('_module') ? id.slice(0, -'_module'.length) : undefined;
  if (name !== undefined && BUILTIN_MODULES.includes(name)) {
    throw readError(`module ${id} is built-in and can't be loaded`, at);
  }
  if (name === undefined || !st.loadable.has(name)) {
    throw readError(`Cannot load ${path} into server: tswsgi does not implement module ${id}`, at);
  }
  if (st.loaded.has(name)) {
    st.warnings.push(`${at.file}:${at.line}: AH01574: module ${id} is already loaded, skipping`);
    return;
  }
  st.loaded.add(name);
}

/**
 * Evaluate a conditional section: true/false for If* sections, undefined for any other
 * section (kept in the tree).
 */
function conditional(
  lname: string,
  x: Expanded,
  at: ErrorFrame,
  st: ReadState,
): boolean | undefined {
  if (!['ifmodule', 'ifdefine', 'ifversion', 'iffile', 'ifdirective'].includes(lname))
    return undefined;
  const first = x.args[0];
  if (first === undefined || first === '' || first === '!') {
    if (lname !== 'ifversion')
      throw readError(`<${x.name}> directive requires additional arguments`, at);
  }
  if (lname === 'ifversion') return readVersionCondition(splitWords(x.rawArgs), at);
  const negate = (first ?? '').startsWith('!');
  const arg = negate ? (first ?? '').slice(1) : (first ?? '');
  let holds: boolean;
  switch (lname) {
    case 'ifmodule': {
      const mod = resolveModuleName(arg, st.known);
      holds = mod !== undefined && st.loaded.has(mod);
      break;
    }
    case 'ifdefine':
      holds = st.defines.has(arg);
      break;
    case 'iffile':
      holds = exists(isAbsolute(arg) ? arg : join(st.serverRoot, arg));
      break;
    default:
      holds =
        st.hasDirective(arg) ||
        READ_TIME_DIRECTIVES.some((d) => d.toLowerCase() === arg.toLowerCase());
  }
  return negate ? !holds : holds;
}

const INCLUDE_HELP = {
  include:
    'Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file',
  includeoptional:
    'Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files',
} as const;

function include(
  x: Expanded,
  optional: boolean,
  at: ErrorFrame,
  st: ReadState,
  depth: number,
): DirectiveNode[] {
  if (x.args.length !== 1) {
    throw readError(
      `${x.name} takes one argument, ${optional ? INCLUDE_HELP.includeoptional : INCLUDE_HELP.include}`,
      at,
    );
  }
  if (depth >= MAX_INCLUDE_DEPTH) {
    throw readError(
      `Exceeded maximum include depth of ${MAX_INCLUDE_DEPTH}, There appears to be a recursion.`,
      at,
    );
  }
  const arg = x.args[0] ?? '';
  const path = isAbsolute(arg) ? arg : join(st.serverRoot, arg);
  const files = matchIncludes(path, optional, at);
  const out: DirectiveNode[] = [];
  for (const f of files) {
    try {
      const text = readFileSync(f, 'utf8');
      out.push(...evalNodes(structure(readLines(text, f)), st, depth + 1));
    } catch (e) {
      if (e instanceof ConfigError && e.code !== ConfigErrorCode.SYNTAX) {
        throw e.code === ConfigErrorCode.OPEN ? readError(e.detail, at) : e.wrappedBy(at);
      }
      if (e instanceof ConfigError) throw e;
      throw readError(`Could not open configuration file ${f}: ${errnoText(e)}`, at);
    }
  }
  return out;
}
