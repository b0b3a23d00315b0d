// httpd: modules/mappers/mod_rewrite.c (rewrite_server_conf / rewrite_perdir_conf,
// config_server_create/merge, config_perdir_create/merge, rewritecond_entry,
// rewriterule_entry, rewritemap_entry).
//
// Each config lives in one slot field (`c`) with its own merge function: mod_rewrite's
// merges decide how the rule lists combine from the merged options (Inherit, InheritBefore,
// InheritDown…), which a per-field MergeSpec cannot express.

import type { Expr } from '../../expr/ast.js';
import type { MergeSpec } from '../../config/merge.js';
import type { Template } from './template.js';
import { OPT } from './flags.js';
import type { RuleFlags } from './flags.js';

/** CONDPAT_*: how a RewriteCond compares its expanded input. */
export type CondType =
  | 'regex'
  | 'fileExists'
  | 'fileSize'
  | 'fileLink'
  | 'fileDir'
  | 'fileXbit'
  | 'luUrl'
  | 'luFile'
  | 'strLt'
  | 'strLe'
  | 'strEq'
  | 'strGt'
  | 'strGe'
  | 'intLt'
  | 'intLe'
  | 'intEq'
  | 'intGt'
  | 'intGe'
  /** `RewriteCond expr "…"`: an ap_expr condition. */
  | 'expr';

export interface CondEntry {
  readonly input: Template;
  /** The input as written (for the trace log). */
  readonly inputText: string;
  /** The pattern as written, `!` included (for the trace log). */
  readonly patternText: string;
  /** The operand after `!` and the operator (regex source, string, number, or unused). */
  readonly operand: string;
  readonly ptype: CondType;
  readonly flags: number;
  /** ptype 'expr': the parsed condition. */
  readonly expr?: Expr;
}

export interface RuleEntry extends Omit<RuleFlags, 'flags'> {
  /** The pattern without a leading `!`. */
  readonly pattern: string;
  readonly output: Template;
  /** The substitution as written (after a trailing `?` is dropped). */
  readonly outputText: string;
  readonly flags: number;
  readonly conds: readonly CondEntry[];
}

export type MapEntry =
  | { readonly type: 'txt' | 'rnd'; readonly file: string }
  | { readonly type: 'int'; readonly func: 'toupper' | 'tolower' | 'escape' | 'unescape' };

/** rewrite_server_conf. */
export interface RewriteServer {
  readonly state: boolean;
  readonly stateSet: boolean;
  readonly options: number;
  readonly optionsSet: boolean;
  readonly maps: Readonly<Record<string, MapEntry>>;
  /** RewriteConds waiting for the next RewriteRule of this server. */
  readonly pendingConds: readonly CondEntry[];
  readonly rules: readonly RuleEntry[];
}

/** rewrite_perdir_conf. */
export interface RewriteDir {
  /**
   * Some rewrite directive was applied to this config. httpd creates a module's per-dir
   * config only when one of its directives appears in the section, and a section without
   * one leaves the outer config as it is (ap_merge_per_dir_configs keeps base).
   */
  readonly set: boolean;
  readonly state: boolean;
  readonly stateSet: boolean;
  readonly options: number;
  readonly optionsSet: boolean;
  readonly baseUrl: string | undefined;
  readonly baseUrlSet: boolean;
  /** The section's path with a trailing `/`; undefined outside sections (server defaults). */
  readonly directory: string | undefined;
  readonly pendingConds: readonly CondEntry[];
  readonly rules: readonly RuleEntry[];
}

/** The module's slots: one field each, merged by the functions below. */
export interface RewriteServerConf {
  c: RewriteServer;
}
export interface RewriteDirConf {
  c: RewriteDir;
}

export const createRewriteServer = (): RewriteServerConf => ({
  c: {
    state: false,
    stateSet: false,
    options: 0,
    optionsSet: false,
    maps: {},
    pendingConds: [],
    rules: [],
  },
});

export const createRewriteDir = (): RewriteDirConf => ({
  c: {
    set: false,
    state: false,
    stateSet: false,
    options: 0,
    optionsSet: false,
    baseUrl: undefined,
    baseUrlSet: false,
    directory: undefined,
    pendingConds: [],
    rules: [],
  },
});

/** Which way the lists combine (the Inherit family of RewriteOptions). */
function inheritMode(merged: number, base: number): 'after' | 'before' | 'none' {
  if (
    (merged & OPT.INHERIT) !== 0 ||
    ((base & OPT.INHERIT_DOWN) !== 0 && (merged & OPT.IGNORE_INHERIT) === 0)
  )
    return 'after';
  if (
    (merged & OPT.INHERIT_BEFORE) !== 0 ||
    ((base & OPT.INHERIT_DOWN_BEFORE) !== 0 && (merged & OPT.IGNORE_INHERIT) === 0)
  )
    return 'before';
  return 'none';
}

function combine<T>(
  mode: 'after' | 'before' | 'none',
  base: readonly T[],
  over: readonly T[],
): readonly T[] {
  if (mode === 'after') return [...over, ...base];
  if (mode === 'before') return [...base, ...over];
  return over;
}

/** config_server_merge (main server → virtual host). */
export function mergeServer(base: RewriteServer, over: RewriteServer): RewriteServer {
  const options = over.optionsSet ? over.options : base.options;
  const mode = inheritMode(options, base.options);
  return {
    state: over.stateSet ? over.state : base.state,
    stateSet: over.stateSet || base.stateSet,
    options,
    optionsSet: over.optionsSet || base.optionsSet,
    // apr_hash_overlay(over, base): the first argument's entries win.
    maps:
      mode === 'after'
        ? { ...base.maps, ...over.maps }
        : mode === 'before'
          ? { ...over.maps, ...base.maps }
          : over.maps,
    pendingConds: [],
    rules: combine(mode, base.rules, over.rules),
  };
}

/** config_perdir_merge (outer section → inner section / .htaccess). */
export function mergeDir(base: RewriteDir, over: RewriteDir): RewriteDir {
  if (!over.set) return base;
  const options = over.optionsSet ? over.options : base.options;
  const mode = inheritMode(options, base.options);
  const mergeBase = (options & OPT.MERGEBASE) !== 0;
  return {
    set: true,
    state: over.stateSet ? over.state : base.state,
    stateSet: over.stateSet || base.stateSet,
    options,
    optionsSet: over.optionsSet || base.optionsSet,
    baseUrl: mergeBase ? (over.baseUrlSet ? over.baseUrl : base.baseUrl) : over.baseUrl,
    baseUrlSet: mergeBase ? over.baseUrlSet || base.baseUrlSet : over.baseUrlSet,
    directory: over.directory,
    pendingConds: [],
    rules: combine(mode, base.rules, over.rules),
  };
}

export const rewriteServerMerge: MergeSpec<RewriteServerConf> = { c: mergeServer };
export const rewriteDirMerge: MergeSpec<RewriteDirConf> = { c: mergeDir };
