// httpd: modules/mappers/mod_rewrite.c (command_table, cmd_rewriteengine,
// cmd_rewriteoptions, cmd_rewritemap, cmd_rewritebase, cmd_rewritecond, cmd_rewriterule).
//
// Messages are httpd's, word for word. What tswsgi does not have is refused here, at
// configuration time, with file and line: the [P] flag (no mod_proxy), `RewriteCond expr`
// (no ap_expr), and the prg:, dbm:, dbd:/fastdbd: map types.

import { tryParseExpr } from '../../expr/parse.js';
import { statSync } from 'node:fs';
import { Ctx, RSRC_CONF, ANY_CONF } from '../../config/directive.js';
import type { AnyDirective, Cmd, DirectiveBuilder } from '../../config/directive.js';
import { parseArgLine, parseFlagField } from './argline.js';
import { CF, MAX_ROUNDS, OPT, RF, setCondFlag, setRuleFlag } from './flags.js';
import type { RuleFlags } from './flags.js';
import { compilePattern, pcreOnlySyntax } from '../../util/pcre.js';
import { parseTemplate } from './template.js';
import { rememberRegex } from './compiled.js';
import type {
  CondEntry,
  CondType,
  MapEntry,
  RewriteDirConf,
  RewriteServerConf,
  RuleEntry,
} from './config.js';

type C = Cmd<RewriteServerConf, RewriteDirConf>;

/** OR_FILEINFO: anywhere in the config files, and .htaccess under AllowOverride FileInfo. */
const FILEINFO = ANY_CONF | Ctx.OR_FILEINFO;

/** cmd->path: the section's path or the .htaccess directory; undefined at server level. */
function pathOf(c: C): string | undefined {
  if (c.context.kind === 'section') return c.context.pattern;
  if (c.context.kind === 'htaccess') return c.context.directory;
  return undefined;
}

/** The per-dir config gets its directory (config_perdir_create), with a trailing slash. */
function touchDir(c: C): void {
  if (!c.dir.c.set) c.dir.c = { ...c.dir.c, set: true };
  const p = pathOf(c);
  if (p === undefined || c.dir.c.directory !== undefined) return;
  c.dir.c = { ...c.dir.c, directory: p.endsWith('/') ? p : `${p}/` };
}

function engine(c: C, on: boolean): void {
  touchDir(c);
  if (pathOf(c) === undefined) c.server.c = { ...c.server.c, state: on, stateSet: true };
  c.dir.c = { ...c.dir.c, state: on, stateSet: true };
}

const OPTION_NAMES: Readonly<Record<string, number>> = {
  inherit: OPT.INHERIT,
  inheritbefore: OPT.INHERIT_BEFORE,
  inheritdown: OPT.INHERIT_DOWN,
  inheritdownbefore: OPT.INHERIT_DOWN_BEFORE,
  ignoreinherit: OPT.IGNORE_INHERIT,
  allownoslash: OPT.NOSLASH,
  allowanyuri: OPT.ANYURI,
  mergebase: OPT.MERGEBASE,
  ignorecontextinfo: OPT.IGNORE_CONTEXT_INFO,
  legacyprefixdocroot: OPT.LEGACY_PREFIX_DOCROOT,
  unsafeprefixstat: OPT.UNSAFE_PREFIX_STAT,
};

function options(c: C, w: string): void {
  touchDir(c);
  let bits = 0;
  const known = OPTION_NAMES[w.toLowerCase()];
  if (known !== undefined) bits = known;
  else if (/^MaxRedirects=/i.test(w))
    c.warn(
      'AH00664: RewriteOptions: MaxRedirects option has been removed in favor of the global LimitInternalRecursion directive and will be ignored.',
    );
  else throw c.fail(`RewriteOptions: unknown option '${w}'`);
  if (pathOf(c) === undefined)
    c.server.c = { ...c.server.c, options: c.server.c.options | bits, optionsSet: true };
  c.dir.c = { ...c.dir.c, options: c.dir.c.options | bits, optionsSet: true };
}

const INT_MAPS = ['toupper', 'tolower', 'escape', 'unescape'] as const;

function map(c: C, name: string, spec: string, _a3: string | undefined): void {
  const lower = spec.toLowerCase();
  let entry: MapEntry;
  let check: string | undefined;
  if (lower.startsWith('txt:') || lower.startsWith('rnd:')) {
    const file = c.serverRootRelative(spec.slice(4));
    entry = { type: lower.startsWith('txt:') ? 'txt' : 'rnd', file };
    check = file;
  } else if (lower.startsWith('dbm')) {
    throw c.fail(`RewriteMap: map type dbm is not supported by tswsgi: ${spec}`);
  } else if (lower.startsWith('dbd:') || lower.startsWith('fastdbd:')) {
    throw c.fail('RewriteMap types dbd and fastdbd require mod_dbd!');
  } else if (lower.startsWith('prg:')) {
    throw c.fail(`RewriteMap: map type prg is not supported by tswsgi: ${spec}`);
  } else if (lower.startsWith('int:')) {
    const fn = INT_MAPS.find((f) => f === spec.slice(4));
    if (fn === undefined) throw c.fail(`RewriteMap: internal map not found:${spec.slice(4)}`);
    entry = { type: 'int', func: fn };
  } else {
    const file = c.serverRootRelative(spec);
    entry = { type: 'txt', file };
    check = file;
  }
  if (check !== undefined && statSync(check, { throwIfNoEntry: false }) === undefined)
    throw c.fail(`RewriteMap: file for map ${name} not found:${check}`);
  c.server.c = { ...c.server.c, maps: { ...c.server.c.maps, [name]: entry } };
}

function base(c: C, a1: string): void {
  // httpd's TAKE1 refuses an empty word before the handler runs (invoke_cmd), so
  // cmd_rewritebase's own "empty URL not allowed" is never reached from a config file.
  if (a1 === '')
    throw c.fail('RewriteBase takes one argument, the base URL of the per-directory context');
  if (pathOf(c) === undefined)
    throw c.fail('RewriteBase: only valid in per-directory config files');
  if (!a1.startsWith('/')) throw c.fail('RewriteBase: argument is not a valid URL');
  touchDir(c);
  c.dir.c = { ...c.dir.c, baseUrl: a1, baseUrlSet: true };
}

/** cmd_rewritecond's pattern-type decision: [type, how many characters of operator]. */
function condType(a2: string): [CondType, number] {
  if (a2.length < 2) return ['regex', 0];
  if (a2[0] === '-') {
    if (a2.length === 2) {
      const t: Readonly<Record<string, CondType>> = {
        f: 'fileExists',
        s: 'fileSize',
        d: 'fileDir',
        x: 'fileXbit',
        h: 'fileLink',
        L: 'fileLink',
        l: 'fileLink',
        U: 'luUrl',
        F: 'luFile',
      };
      return [t[a2[1] ?? ''] ?? 'regex', 0];
    }
    if (a2.length > 3) {
      const op = a2.slice(1, 3);
      const t: Readonly<Record<string, CondType>> = {
        lt: 'intLt',
        le: 'intLe',
        gt: 'intGt',
        ge: 'intGe',
        eq: 'intEq',
        ne: 'intEq',
      };
      const x = t[op];
      if (x !== undefined) return [x, 3];
    }
    return ['regex', 0];
  }
  if (a2[0] === '>') return a2[1] === '=' ? ['strGe', 2] : ['strGt', 1];
  if (a2[0] === '<') return a2[1] === '=' ? ['strLe', 2] : ['strLt', 1];
  if (a2[0] === '=') return ['strEq', a2 === '=""' ? 3 : 1];
  return ['regex', 0];
}

/** A pattern PCRE reads but JavaScript would read otherwise: refused, naming the syntax. */
function unsupportedRegex(c: C, name: string, src: string): void {
  const what = pcreOnlySyntax(src);
  if (what !== undefined)
    throw c.fail(
      `${name}: regular expression '${src}' uses PCRE syntax tswsgi does not support: ${what}`,
    );
}

function cond(c: C, raw: string): void {
  const args = parseArgLine(raw);
  if (args === undefined) throw c.fail(`RewriteCond: bad argument line '${raw}'`);
  touchDir(c);
  const fl = { v: 0 };
  if (args.a3 !== undefined) {
    const err = parseFlagField(args.a3, (k, v) => setCondFlag(fl, k, v));
    if (err !== undefined) throw c.fail(`RewriteCond: ${err}`);
  }
  let a2 = args.a2;
  if (a2.startsWith('!')) {
    fl.v |= CF.NOTMATCH;
    a2 = a2.slice(1);
  }
  if (args.a1.toLowerCase() === 'expr') {
    const parsed = tryParseExpr(a2);
    if ('error' in parsed)
      // No colon before the error: 2.4.71 words it so (checked with apache2 -t).
      throw c.fail(`RewriteCond: cannot compile expression "${a2}" ${parsed.error}`);
    const entry: CondEntry = {
      input: parseTemplate(''),
      inputText: args.a1,
      patternText: args.a2,
      operand: a2,
      ptype: 'expr',
      flags: fl.v,
      expr: parsed.expr,
    };
    if (pathOf(c) === undefined)
      c.server.c = { ...c.server.c, pendingConds: [...c.server.c.pendingConds, entry] };
    else c.dir.c = { ...c.dir.c, pendingConds: [...c.dir.c.pendingConds, entry] };
    return;
  }
  const [ptype, skip] = condType(a2);
  if (ptype === 'intEq' && a2.slice(1, 3) === 'ne') fl.v ^= CF.NOTMATCH;
  const operand = a2.slice(skip);
  if (ptype !== 'regex' && !ptype.startsWith('str') && (fl.v & CF.NOCASE) !== 0) {
    c.warn(
      `AH00665: RewriteCond: NoCase option for non-regex pattern '${operand}' is not supported and will be ignored. (${c.node.file}:${String(c.node.line)})`,
    );
    fl.v &= ~CF.NOCASE;
  }
  const entry: CondEntry = {
    input: parseTemplate(args.a1),
    inputText: args.a1,
    patternText: args.a2,
    operand,
    ptype,
    flags: fl.v,
  };
  if (ptype === 'regex') {
    unsupportedRegex(c, 'RewriteCond', operand);
    const re = compilePattern(operand, (fl.v & CF.NOCASE) !== 0);
    if (re === undefined)
      throw c.fail(`RewriteCond: cannot compile regular expression '${operand}'`);
    rememberRegex(entry, re);
  }
  if (pathOf(c) === undefined)
    c.server.c = { ...c.server.c, pendingConds: [...c.server.c.pendingConds, entry] };
  else c.dir.c = { ...c.dir.c, pendingConds: [...c.dir.c.pendingConds, entry] };
}

function rule(c: C, raw: string): void {
  const args = parseArgLine(raw);
  if (args === undefined) throw c.fail(`RewriteRule: bad argument line '${raw}'`);
  touchDir(c);
  const f: RuleFlags = {
    flags: 0,
    forcedMimetype: undefined,
    forcedHandler: undefined,
    status: 302,
    env: [],
    cookies: [],
    skip: 0,
    maxRounds: MAX_ROUNDS,
    escapes: undefined,
    noescapes: undefined,
  };
  if (args.a3 !== undefined) {
    const err = parseFlagField(args.a3, (k, v) => setRuleFlag(f, k, v));
    if (err !== undefined) throw c.fail(`RewriteRule: ${err}`);
  }
  // [P] in server context hands the URL to mod_proxy (hook_uri2file). Per-directory [P]
  // (hook_fixup) is not implemented: refused here rather than served differently.
  if ((f.flags & RF.PROXY) !== 0 && (c.context.kind === 'section' || c.context.kind === 'htaccess'))
    throw c.fail(
      "RewriteRule: flag 'P' in a per-directory context (<Directory>, <Location>, .htaccess) is not supported by tswsgi; use it in server or <VirtualHost> context",
    );
  let a1 = args.a1;
  if (a1.startsWith('!')) {
    f.flags |= RF.NOTMATCH;
    a1 = a1.slice(1);
  }
  unsupportedRegex(c, 'RewriteRule', a1);
  const re = compilePattern(a1, (f.flags & RF.NOCASE) !== 0);
  if (re === undefined) throw c.fail(`RewriteRule: cannot compile regular expression '${a1}'`);
  let output = args.a2;
  if (output === '-') f.flags |= RF.NOSUB;
  if (output.endsWith('?')) {
    // A literal `?` ends the substitution: with QSA it is handled as [QSL]; without, it
    // means "no query string" and is dropped here.
    if ((f.flags & RF.QSAPPEND) !== 0) f.flags |= RF.QSLAST;
    else {
      f.flags |= RF.QSNONE;
      output = output.slice(0, -1);
    }
  } else if ((f.flags & RF.QSDISCARD) !== 0 && !output.includes('?')) f.flags |= RF.QSNONE;
  const inDir = pathOf(c) !== undefined;
  const conds = inDir ? c.dir.c.pendingConds : c.server.c.pendingConds;
  const entry: RuleEntry = {
    ...f,
    pattern: a1,
    output: parseTemplate(output),
    outputText: output,
    conds,
  };
  rememberRegex(entry, re);
  if (inDir) c.dir.c = { ...c.dir.c, pendingConds: [], rules: [...c.dir.c.rules, entry] };
  else c.server.c = { ...c.server.c, pendingConds: [], rules: [...c.server.c.rules, entry] };
}

/** mod_rewrite's directive table. */
export function rewriteDirectives(
  d: DirectiveBuilder<RewriteServerConf, RewriteDirConf>,
): AnyDirective<RewriteServerConf, RewriteDirConf>[] {
  return [
    d.flag(
      'RewriteEngine',
      FILEINFO,
      'On or Off to enable or disable (default) the whole rewriting engine',
      engine,
    ),
    d.iterate('RewriteOptions', FILEINFO, 'List of option strings to set', options),
    d.take1('RewriteBase', FILEINFO, 'the base URL of the per-directory context', base),
    d.raw('RewriteCond', FILEINFO, 'an input string and a to be applied regexp-pattern', cond),
    d.raw('RewriteRule', FILEINFO, 'an URL-applied regexp-pattern and a substitution URL', rule),
    d.take23('RewriteMap', RSRC_CONF, 'a mapname and a filename and options', map),
  ];
}
