// httpd: server/core.c (set_options, merge_core_dir_configs' Options rule, set_override,
//        set_override_list), include/http_core.h (OPT_* bits).
//
// Options with +/- and AllowOverride parsing, kept apart from the directive table.

/** Option bits as names (httpd's OPT_*). `IncludesExec` is OPT_INC_WITH_EXEC. */
export const OPTION_NAMES = [
  'Indexes',
  'Includes',
  'IncludesExec',
  'FollowSymLinks',
  'SymLinksIfOwnerMatch',
  'ExecCGI',
  'MultiViews',
] as const;
export type OptionName = (typeof OPTION_NAMES)[number];

/**
 * Options of one config (httpd's opts / opts_add / opts_remove). `unset` is httpd's
 * OPT_UNSET: no absolute `Options` line here, so merging applies only add/remove.
 */
export interface OptionsConf {
  readonly unset: boolean;
  readonly opts: readonly OptionName[];
  readonly add: readonly OptionName[];
  readonly remove: readonly OptionName[];
}

/** OPT_ALL (All does not include MultiViews or SymLinksIfOwnerMatch). */
const ALL: readonly OptionName[] = [
  'Indexes',
  'Includes',
  'IncludesExec',
  'FollowSymLinks',
  'ExecCGI',
];

const WORDS: Readonly<Record<string, readonly OptionName[]>> = {
  indexes: ['Indexes'],
  includes: ['Includes', 'IncludesExec'],
  includesnoexec: ['Includes'],
  followsymlinks: ['FollowSymLinks'],
  symlinksifownermatch: ['SymLinksIfOwnerMatch'],
  execcgi: ['ExecCGI'],
  multiviews: ['MultiViews'],
  all: ALL,
  none: [],
};

const sortOpts = (s: ReadonlySet<OptionName>): OptionName[] => OPTION_NAMES.filter((o) => s.has(o));
const minus = (a: readonly OptionName[], b: readonly OptionName[]): OptionName[] =>
  a.filter((x) => !b.includes(x));
const union = (a: readonly OptionName[], b: readonly OptionName[]): OptionName[] =>
  sortOpts(new Set([...a, ...b]));

/** The per-dir default (httpd: OPT_UNSET, nothing set). */
export const OPTIONS_UNSET: OptionsConf = { unset: true, opts: [], add: [], remove: [] };
/** The server default (httpd 2.4: OPT_UNSET | OPT_SYM_LINKS). */
export const OPTIONS_SERVER_DEFAULT: OptionsConf = {
  unset: true,
  opts: ['FollowSymLinks'],
  add: [],
  remove: [],
};

/**
 * Apply one `Options` line to `cur` (set_options). Returns the new value or an error text.
 */
export function applyOptions(cur: OptionsConf, words: readonly string[]): OptionsConf | string {
  let { unset, opts, add, remove } = cur;
  let first = true;
  let merge = false;
  let allNone = false;
  for (const raw of words) {
    let w = raw;
    let action = '';
    if (w.startsWith('+') || w.startsWith('-')) {
      action = w[0] ?? '';
      w = w.slice(1);
      if (!merge && !first && !allNone)
        return 'Either all Options must start with + or -, or no Option may.';
      merge = true;
    } else if (first) {
      unset = false;
      opts = [];
    } else if (merge) {
      return 'Either all Options must start with + or -, or no Option may.';
    }
    const lw = w.toLowerCase();
    const opt = WORDS[lw];
    if (opt === undefined) return `Illegal option ${w}`;
    if ((lw === 'all' || lw === 'none') && action !== '') {
      const word = lw === 'all' ? 'All' : 'None';
      return `You may not use 'Options +${word}' or 'Options -${word}'.`;
    }
    if (lw === 'all' || lw === 'none') allNone = true;
    if (action === '-') {
      remove = union(remove, opt);
      add = minus(add, opt);
      opts = minus(opts, opt);
    } else if (action === '+') {
      add = union(add, opt);
      remove = minus(remove, opt);
      opts = union(opts, opt);
    } else {
      opts = union(opts, opt);
    }
    first = false;
  }
  return { unset, opts, add, remove };
}

/** merge_core_dir_configs' Options rule. */
export function mergeOptions(base: OptionsConf, over: OptionsConf): OptionsConf {
  if (!over.unset) return over;
  const add = union(minus(base.add, over.remove), over.add);
  const remove = union(minus(base.remove, over.add), over.remove);
  return { unset: base.unset, opts: union(minus(base.opts, remove), add), add, remove };
}

/** AllowOverride classes. */
export const OVERRIDE_CLASSES = ['AuthConfig', 'FileInfo', 'Indexes', 'Limit', 'Options'] as const;
export type OverrideClass = (typeof OVERRIDE_CLASSES)[number];

/** Parse `AllowOverride` words (set_override); `Options=a,b` keeps only the class. */
export function parseAllowOverride(words: readonly string[]): OverrideClass[] | string {
  const out = new Set<OverrideClass>();
  for (const w of words) {
    const [k = ''] = w.split('=');
    const lk = k.toLowerCase();
    if (lk === 'all') OVERRIDE_CLASSES.forEach((c) => out.add(c));
    else if (lk === 'none') out.clear();
    else if (lk === 'nonfatal') continue;
    else {
      const c = OVERRIDE_CLASSES.find((x) => x.toLowerCase() === lk);
      if (c === undefined) return `Illegal override option ${w}`;
      out.add(c);
    }
  }
  return OVERRIDE_CLASSES.filter((c) => out.has(c));
}
