// httpd: modules/generators/mod_autoindex.c (autoindex_cmds, add_alt, add_icon, add_desc,
// add_ignore, set_default_order, create_autoindex_config, merge_autoindex_configs).

import { posix } from 'node:path';
import {
  ANY_CONF,
  Ctx,
  OR_ALL,
  RSRC_CONF,
  type AnyDirective,
  type Cmd,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { fnmatchTest, isMatchExp } from './match.js';
import { UNSET_BITS, applyIndexOptions, mergeOptBits } from './options.js';
import type { IndexOptionsState, OptBits, Width } from './options.js';

/** One AddIcon / AddAlt / IndexIgnore entry (httpd's struct item). */
export interface AiItem {
  readonly type: 'path' | 'type' | 'encoding' | 'ignore';
  /** The file pattern, MIME type or encoding it applies to. */
  readonly applyTo: string;
  /** The configuring section's path plus `*`: only files under it match. */
  readonly applyPath: string;
  /** Icon URL or alt text (unused for IndexIgnore). */
  readonly data: string;
}

/** One AddDescription entry (ai_desc_t). */
export interface AiDesc {
  readonly pattern: string;
  readonly description: string;
  readonly fullPath: boolean;
  readonly wildcards: boolean;
}

/** mod_autoindex's per-dir config (autoindex_config_rec). */
export interface AutoindexDirConf {
  defaultIcon: string | undefined;
  styleSheet: string | undefined;
  headInsert: string | undefined;
  header: string | undefined;
  readme: string | undefined;
  bits: OptBits;
  /** 0 = unset. */
  iconWidth: number;
  iconHeight: number;
  nameWidth: Width | undefined;
  descWidth: Width | undefined;
  /** 'N' | 'M' | 'S' | 'D'. */
  defaultKey: string | undefined;
  /** 'A' | 'D'. */
  defaultDirection: string | undefined;
  icons: readonly AiItem[];
  alts: readonly AiItem[];
  descs: readonly AiDesc[];
  /** IndexIgnore list; `reset` is IndexIgnoreReset of this very config (not inherited). */
  ignore: { readonly items: readonly AiItem[]; readonly reset: boolean };
  ctype: string | undefined;
  charset: string | undefined;
  oldDateFormat: boolean | undefined;
}

export const createAutoindexDir = (): AutoindexDirConf => ({
  defaultIcon: undefined,
  styleSheet: undefined,
  headInsert: undefined,
  header: undefined,
  readme: undefined,
  bits: UNSET_BITS,
  iconWidth: 0,
  iconHeight: 0,
  nameWidth: undefined,
  descWidth: undefined,
  defaultKey: undefined,
  defaultDirection: undefined,
  icons: [],
  alts: [],
  descs: [],
  ignore: { items: [], reset: false },
  ctype: undefined,
  charset: undefined,
  oldDateFormat: undefined,
});

/** 0 means unset for the icon sizes (`add->icon_width ? add : base`). */
const nonZero = (base: number, over: number): number => (over !== 0 ? over : base);

/** merge_autoindex_configs, field by field. */
export const autoindexDirMerge: MergeSpec<AutoindexDirConf> = {
  defaultIcon: 'override',
  styleSheet: 'override',
  headInsert: 'override',
  header: 'override',
  readme: 'override',
  bits: mergeOptBits,
  iconWidth: nonZero,
  iconHeight: nonZero,
  nameWidth: 'override',
  descWidth: 'override',
  defaultKey: 'override',
  defaultDirection: 'override',
  // apr_array_append(add, base): the inner section's entries are tried first.
  icons: 'prepend',
  alts: 'prepend',
  descs: 'prepend',
  ignore: (base, over) => ({
    items: over.reset ? over.items : [...over.items, ...base.items],
    reset: false,
  }),
  ctype: 'override',
  charset: 'override',
  oldDateFormat: 'override',
};

/**
 * cmd->path as httpd has it when the directive is read: '' outside sections, a
 * <Directory>'s canonical path with a trailing `/`, an .htaccess file's directory, or any
 * other section's pattern as written.
 */
export function cmdPath(c: Cmd<undefined, AutoindexDirConf>): string {
  const ctx = c.context;
  if (ctx.kind === 'server' || ctx.kind === 'vhost') return '';
  if (ctx.kind === 'htaccess')
    return ctx.directory.endsWith('/') ? ctx.directory : ctx.directory + '/';
  if (ctx.section === 'directory' && ctx.regex !== true) {
    const p = posix.normalize(ctx.pattern);
    return p.endsWith('/') ? p : p + '/';
  }
  return ctx.pattern;
}

/** push_item: the path prefix becomes `path*`; a plain file name `*name`. */
function item(type: AiItem['type'], to: string, path: string, data: string): AiItem {
  return {
    type,
    data,
    applyPath: path + '*',
    applyTo: type === 'path' && !isMatchExp(to) ? '*' + to : to,
  };
}

/** add_alt's / add_icon's rewriting of `to`: **DIRECTORY**, lower-cased encodings. */
function target(type: AiItem['type'], to: string): string {
  if (type === 'path' && to === '**DIRECTORY**') return '^^DIRECTORY^^';
  return type === 'encoding' ? to.toLowerCase() : to;
}

function addAlt(
  c: Cmd<undefined, AutoindexDirConf>,
  type: AiItem['type'],
  alt: string,
  to: string,
): void {
  c.dir.alts = [...c.dir.alts, item(type, target(type, to), cmdPath(c), alt)];
}

/** add_icon: `(ALT,/icon.gif)` also adds the alt text. */
function addIcon(
  c: Cmd<undefined, AutoindexDirConf>,
  type: AiItem['type'],
  icon: string,
  to: string,
): void {
  let url = icon;
  if (icon.startsWith('(')) {
    const cl = icon.indexOf(')');
    if (cl < 0) throw c.fail('missing closing paren');
    const comma = icon.indexOf(',');
    // ap_getword_nc(&iconbak, ','): the alt is a copy of what precedes the first comma (or
    // all of it); the icon is what follows the comma run, cut at the closing paren.
    const alt = (comma < 0 ? icon : icon.slice(0, comma)).slice(1);
    if (comma < 0) url = '';
    else {
      let start = comma;
      while (icon[start] === ',') start++;
      url = cl >= start ? icon.slice(start, cl) : icon.slice(start);
    }
    addAlt(c, type, alt, to);
  }
  c.dir.icons = [...c.dir.icons, item(type, target(type, to), cmdPath(c), url)];
}

/** add_desc: a pattern gets `*` around it (a leading `*` and `/` if it names a path) unless plain text. */
function addDesc(c: Cmd<undefined, AutoindexDirConf>, desc: string, to: string): void {
  const fullPath = to.includes('/');
  const wildcards = fullPath || fnmatchTest(to);
  const pattern = wildcards ? `${fullPath ? '*/' : '*'}${to}*` : to;
  c.dir.descs = [...c.dir.descs, { pattern, description: desc, fullPath, wildcards }];
}

const KEYS: Readonly<Record<string, string>> = {
  name: 'N',
  date: 'M',
  size: 'S',
  description: 'D',
};

/** mod_autoindex's directive table (DIR_CMD_PERMS = OR_INDEXES). */
export function autoindexDirectives(
  d: DirectiveBuilder<undefined, AutoindexDirConf>,
): AnyDirective<undefined, AutoindexDirConf>[] {
  const W = Ctx.OR_INDEXES | RSRC_CONF | Ctx.DIRECTORY;
  const str =
    (key: 'defaultIcon' | 'styleSheet' | 'headInsert' | 'header' | 'readme') =>
    (c: Cmd<undefined, AutoindexDirConf>, v: string): void => {
      c.dir[key] = v;
    };
  const icon =
    (type: AiItem['type']) => (c: Cmd<undefined, AutoindexDirConf>, a: string, to: string) =>
      addIcon(c, type, a, to);
  const alt =
    (type: AiItem['type']) => (c: Cmd<undefined, AutoindexDirConf>, a: string, to: string) =>
      addAlt(c, type, a, to);
  return [
    d.iterate2('AddIcon', W, 'an icon URL followed by one or more filenames', icon('path')),
    d.iterate2('AddIconByType', W, 'an icon URL followed by one or more MIME types', icon('type')),
    d.iterate2(
      'AddIconByEncoding',
      W,
      'an icon URL followed by one or more content encodings',
      icon('encoding'),
    ),
    d.iterate2(
      'AddAlt',
      W,
      'alternate descriptive text followed by one or more filenames',
      alt('path'),
    ),
    d.iterate2(
      'AddAltByType',
      W,
      'alternate descriptive text followed by one or more MIME types',
      alt('type'),
    ),
    d.iterate2(
      'AddAltByEncoding',
      W,
      'alternate descriptive text followed by one or more content encodings',
      alt('encoding'),
    ),
    d.takeArgv('IndexOptions', W, 'one or more index options [+|-][]', (c, words) => {
      const cur: IndexOptionsState = c.dir;
      const next = applyIndexOptions(cur, words);
      if (typeof next === 'string') throw c.fail(next);
      Object.assign(c.dir, next);
    }),
    d.take2(
      'IndexOrderDefault',
      W,
      '{Ascending,Descending} {Name,Size,Description,Date}',
      (c, direction, key) => {
        const dir = direction.toLowerCase();
        if (dir !== 'ascending' && dir !== 'descending')
          throw c.fail("First keyword must be 'Ascending' or 'Descending'");
        c.dir.defaultDirection = dir === 'ascending' ? 'A' : 'D';
        const k = KEYS[key.toLowerCase()];
        if (k === undefined)
          throw c.fail("Second keyword must be 'Name', 'Date', 'Size', or 'Description'");
        c.dir.defaultKey = k;
      },
    ),
    d.iterate('IndexIgnore', W, 'one or more file extensions', (c, ext) => {
      c.dir.ignore = {
        items: [...c.dir.ignore.items, item('ignore', ext, cmdPath(c), '')],
        reset: c.dir.ignore.reset,
      };
    }),
    d.flag('IndexIgnoreReset', W, 'Reset the inherited list of IndexIgnore filenames', (c, on) => {
      c.dir.ignore = { items: c.dir.ignore.items, reset: on };
    }),
    d.iterate2('AddDescription', W, 'Descriptive text followed by one or more filenames', addDesc),
    d.take1('HeaderName', W, 'a filename', str('header')),
    d.take1('ReadmeName', W, 'a filename', str('readme')),
    d.raw(
      'FancyIndexing',
      OR_ALL | ANY_CONF,
      'The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.',
      (c) => {
        // ap_set_deprecated: the help text is the error.
        throw c.fail(
          'The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.',
        );
      },
    ),
    d.take1('DefaultIcon', W, 'an icon URL', str('defaultIcon')),
    d.take1('IndexStyleSheet', W, 'URL to style sheet', str('styleSheet')),
    d.take1('IndexHeadInsert', W, 'String to insert in HTML HEAD section', str('headInsert')),
  ];
}

/** mod_autoindex's config pieces, to spread into its ModuleDef. */
export const autoindexConfig = {
  dir: { create: createAutoindexDir, merge: autoindexDirMerge },
  directives: autoindexDirectives,
} as const;
