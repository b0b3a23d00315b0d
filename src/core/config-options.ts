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
  runscripts: ['ExecCGI', 'MultiViews'],
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
 * Apply one `Options` line to `cur` (set_options). `allowed` is the override_opts in force:
 * in .htaccess, what AllowOverride Options=… permits. Returns the new value or an error text.
 */
export function applyOptions(
  cur: OptionsConf,
  words: readonly string[],
  allowed: readonly OptionName[] = OPTION_NAMES,
): OptionsConf | string {
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
    if (lw === 'all' || lw === 'none') {
      const word = lw === 'all' ? 'All' : 'None';
      if (!first)
        return lw === 'all'
          ? "'Options All' must be the first option given."
          : "'Options None' must be the first Option given.";
      if (merge) return `You may not use 'Options +${word}' or 'Options -${word}'.`;
      allNone = true;
    }
    if (!opt.every((o) => allowed.includes(o))) return `Option ${w} not allowed here`;
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

/** What one `AllowOverride` line sets (set_override). */
export interface AllowOverrideConf {
  readonly classes: readonly OverrideClass[];
  /**
   * The options an .htaccess `Options` line may name (override_opts): set by `Options=a,b`,
   * and to All's by a bare `Options`; undefined where the line leaves them inherited.
   */
  readonly opts: readonly OptionName[] | undefined;
  /** `Nonfatal=Override|Unknown|All`: such .htaccess errors are logged and skipped. */
  readonly nonfatal: readonly ('Override' | 'Unknown')[];
}

/** The options .htaccess may set where no AllowOverride Options=… says (create_core_dir_config). */
export const OVERRIDE_OPTS_DEFAULT: readonly OptionName[] = OPTION_NAMES;

/** set_allow_opts: the comma list after `Options=`. */
function parseAllowOpts(list: string): OptionName[] | string {
  const out = new Set<OptionName>();
  for (const w of list.split(',').filter((x) => x !== '')) {
    const lw = w.toLowerCase();
    const opt = lw === 'runscripts' ? (['MultiViews', 'ExecCGI'] as const) : WORDS[lw];
    if (opt === undefined) return `Illegal option ${w}`;
    opt.forEach((o) => out.add(o));
  }
  return sortOpts(out);
}

/** Parse `AllowOverride` words (set_override). Returns the setting or an error text. */
export function parseAllowOverride(words: readonly string[]): AllowOverrideConf | string {
  const classes = new Set<OverrideClass>();
  const nonfatal = new Set<'Override' | 'Unknown'>();
  let opts: readonly OptionName[] | undefined;
  for (const w of words) {
    const eq = w.indexOf('=');
    const k = eq < 0 ? w : w.slice(0, eq);
    const v = eq < 0 ? undefined : w.slice(eq + 1);
    const lk = k.toLowerCase();
    if (lk === 'options') {
      classes.add('Options');
      if (v === undefined) opts = ALL;
      else {
        const r = parseAllowOpts(v);
        if (typeof r === 'string') return r;
        opts = r;
      }
    } else if (lk === 'nonfatal') {
      if (v === undefined) return `=Override, =Unknown or =All expected after ${w}`;
      const lv = v.toLowerCase();
      if (lv === 'override' || lv === 'all') nonfatal.add('Override');
      if (lv === 'unknown' || lv === 'all') nonfatal.add('Unknown');
    } else if (lk === 'none' || lk === 'all') {
      // httpd assigns the whole override word here: the Nonfatal bits go too.
      classes.clear();
      nonfatal.clear();
      if (lk === 'all') OVERRIDE_CLASSES.forEach((c) => classes.add(c));
    } else {
      // httpd compares the word with its `=…` cut off for these (`Limit=x` is Limit).
      const c = OVERRIDE_CLASSES.find((x) => x.toLowerCase() === lk);
      if (c === undefined) return `Illegal override option ${k}`;
      classes.add(c);
    }
  }
  return {
    classes: OVERRIDE_CLASSES.filter((c) => classes.has(c)),
    opts,
    nonfatal: (['Override', 'Unknown'] as const).filter((n) => nonfatal.has(n)),
  };
}
