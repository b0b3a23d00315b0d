// httpd: modules/generators/mod_autoindex.c (the option bits, add_opts, the opts part of
// merge_autoindex_configs).
//
// IndexOptions words as bits, exactly httpd's values, so the +/- bookkeeping and its merge
// quirks carry over unchanged.

/** httpd's IndexOptions bits. */
export const Opt = {
  NO_OPTIONS: 1 << 0,
  ICONS_ARE_LINKS: 1 << 1,
  SCAN_HTML_TITLES: 1 << 2,
  SUPPRESS_ICON: 1 << 3,
  SUPPRESS_LAST_MOD: 1 << 4,
  SUPPRESS_SIZE: 1 << 5,
  SUPPRESS_DESC: 1 << 6,
  SUPPRESS_PREAMBLE: 1 << 7,
  SUPPRESS_COLSORT: 1 << 8,
  SUPPRESS_RULES: 1 << 9,
  FOLDERS_FIRST: 1 << 10,
  VERSION_SORT: 1 << 11,
  TRACK_MODIFIED: 1 << 12,
  FANCY_INDEXING: 1 << 13,
  TABLE_INDEXING: 1 << 14,
  IGNORE_CLIENT: 1 << 15,
  IGNORE_CASE: 1 << 16,
  EMIT_XHTML: 1 << 17,
  SHOW_FORBIDDEN: 1 << 18,
  ADDALTCLASS: 1 << 19,
  OPTION_UNSET: 1 << 20,
} as const;

/** Option keywords that are plain bits (matched case-insensitively). */
const BIT_WORDS: Readonly<Record<string, number>> = {
  fancyindexing: Opt.FANCY_INDEXING,
  foldersfirst: Opt.FOLDERS_FIRST,
  htmltable: Opt.TABLE_INDEXING,
  iconsarelinks: Opt.ICONS_ARE_LINKS,
  ignorecase: Opt.IGNORE_CASE,
  ignoreclient: Opt.IGNORE_CLIENT,
  scanhtmltitles: Opt.SCAN_HTML_TITLES,
  suppresscolumnsorting: Opt.SUPPRESS_COLSORT,
  suppressdescription: Opt.SUPPRESS_DESC,
  suppresshtmlpreamble: Opt.SUPPRESS_PREAMBLE,
  suppressicon: Opt.SUPPRESS_ICON,
  suppresslastmodified: Opt.SUPPRESS_LAST_MOD,
  suppresssize: Opt.SUPPRESS_SIZE,
  suppressrules: Opt.SUPPRESS_RULES,
  trackmodified: Opt.TRACK_MODIFIED,
  versionsort: Opt.VERSION_SORT,
  xhtml: Opt.EMIT_XHTML,
  showforbidden: Opt.SHOW_FORBIDDEN,
  addaltclass: Opt.ADDALTCLASS,
};

/** The default icon size (the icons Apache ships) and column widths. */
export const DEFAULT_ICON_WIDTH = 20;
export const DEFAULT_ICON_HEIGHT = 22;
export const DEFAULT_NAME_WIDTH = 23;
export const DEFAULT_DESC_WIDTH = 23;

/** A NameWidth / DescriptionWidth setting: `adjust` is `=*` (as wide as the widest). */
export interface Width {
  readonly width: number;
  readonly adjust: boolean;
}

/** The IndexOptions-controlled part of a per-dir config (autoindex_config_rec's fields). */
export interface IndexOptionsState {
  /** opts / incremented_opts / decremented_opts. */
  readonly bits: OptBits;
  /** 0 = unset (httpd's merge treats 0 as "inherit"). */
  readonly iconWidth: number;
  readonly iconHeight: number;
  /** undefined = K_UNSET. */
  readonly nameWidth: Width | undefined;
  readonly descWidth: Width | undefined;
  readonly ctype: string | undefined;
  readonly charset: string | undefined;
  /** UseOldDateFormat. */
  readonly oldDateFormat: boolean | undefined;
}

export interface OptBits {
  readonly opts: number;
  readonly add: number;
  readonly remove: number;
}

export const UNSET_BITS: OptBits = { opts: Opt.OPTION_UNSET, add: 0, remove: 0 };

/** C's atoi: leading blanks, a sign, digits; anything else ends it (0 if none). */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m?.[1] === undefined ? 0 : Number.parseInt(m[1], 10) | 0;
}

/**
 * add_opts: apply one IndexOptions line to `cur`. Returns the new state or Apache's error
 * text (the whole line is refused then, as httpd leaves the config half-applied only on a
 * fatal error anyway).
 */
export function applyIndexOptions(
  cur: IndexOptionsState,
  words: readonly string[],
): IndexOptionsState | string {
  let { opts, add, remove } = cur.bits;
  let { iconWidth, iconHeight, nameWidth, descWidth, ctype, charset, oldDateFormat } = cur;
  for (const word of words) {
    let w = word;
    let action = '';
    if (w.startsWith('+') || w.startsWith('-')) {
      action = w[0] ?? '';
      w = w.slice(1);
    }
    const lw = w.toLowerCase();
    let option = 0;
    const bit = BIT_WORDS[lw];
    if (bit !== undefined) option = bit;
    else if (lw === 'none') {
      if (action !== '') return "Cannot combine '+' or '-' with 'None' keyword";
      opts = Opt.NO_OPTIONS;
      add = 0;
      remove = 0;
    } else if (lw === 'iconwidth') iconWidth = action !== '-' ? DEFAULT_ICON_WIDTH : 0;
    else if (lw.startsWith('iconwidth=')) {
      if (action === '-') return "Cannot combine '-' with IconWidth=n";
      iconWidth = atoi(w.slice(10));
    } else if (lw === 'iconheight') iconHeight = action !== '-' ? DEFAULT_ICON_HEIGHT : 0;
    else if (lw.startsWith('iconheight=')) {
      if (action === '-') return "Cannot combine '-' with IconHeight=n";
      iconHeight = atoi(w.slice(11));
    } else if (lw === 'namewidth') {
      if (action !== '-') return "NameWidth with no value may only appear as '-NameWidth'";
      nameWidth = { width: DEFAULT_NAME_WIDTH, adjust: false };
    } else if (lw.startsWith('namewidth=')) {
      if (action === '-') return "Cannot combine '-' with NameWidth=n";
      if (w[10] === '*')
        nameWidth = { width: nameWidth?.width ?? DEFAULT_NAME_WIDTH, adjust: true };
      else {
        const width = atoi(w.slice(10));
        if (width !== 0 && width < 5) return 'NameWidth value must be greater than 5';
        nameWidth = { width, adjust: false };
      }
    } else if (lw === 'descriptionwidth') {
      if (action !== '-')
        return "DescriptionWidth with no value may only appear as '-DescriptionWidth'";
      descWidth = { width: DEFAULT_DESC_WIDTH, adjust: false };
    } else if (lw.startsWith('descriptionwidth=')) {
      if (action === '-') return "Cannot combine '-' with DescriptionWidth=n";
      if (w[17] === '*')
        descWidth = { width: descWidth?.width ?? DEFAULT_DESC_WIDTH, adjust: true };
      else {
        const width = atoi(w.slice(17));
        if (width !== 0 && width < 12) return 'DescriptionWidth value must be greater than 12';
        descWidth = { width, adjust: false };
      }
    } else if (lw.startsWith('type=')) ctype = w.slice(5);
    else if (lw.startsWith('charset=')) charset = w.slice(8);
    else if (lw === 'useolddateformat') oldDateFormat = true;
    else return 'Invalid directory indexing option';
    // httpd applies the action to `option` even for the valued keywords (option is 0 then),
    // which resets the pending +/- lists on any plain keyword.
    if (action === '') {
      opts |= option;
      add = 0;
      remove = 0;
    } else if (action === '+') {
      add |= option;
      remove &= ~option;
    } else {
      remove |= option;
      add &= ~option;
    }
  }
  if ((opts & Opt.NO_OPTIONS) !== 0 && (opts & ~Opt.NO_OPTIONS) !== 0)
    return "Cannot combine other IndexOptions keywords with 'None'";
  return {
    bits: { opts, add, remove },
    iconWidth,
    iconHeight,
    nameWidth,
    descWidth,
    ctype,
    charset,
    oldDateFormat,
  };
}

/** The opts/incremented/decremented part of merge_autoindex_configs. */
export function mergeOptBits(base: OptBits, over: OptBits): OptBits {
  if (over.opts === Opt.NO_OPTIONS) return { opts: Opt.NO_OPTIONS, add: 0, remove: 0 };
  let opts: number;
  let add = 0;
  let remove = 0;
  if (over.opts === Opt.OPTION_UNSET) {
    // Only incremental settings here: inherit, but never an `IndexOptions None` from above.
    add = (base.add | over.add) & ~over.remove;
    remove = base.remove | over.remove;
    opts = base.opts & ~Opt.NO_OPTIONS;
  } else {
    // Local absolute settings clear all inheritance (and, as in httpd, this section's own
    // +/- words, which are not carried into the merged config).
    opts = over.opts;
  }
  opts |= add;
  opts &= ~remove;
  return { opts, add, remove };
}
