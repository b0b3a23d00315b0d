// httpd: modules/http/mod_mime.c (mime_cmds, add_extension_info, remove_extension_info,
//        create/merge_mime_dir_configs).
//
// mod_mime's typed config: per-extension attributes, with Remove* recorded as null so the
// removal survives merging over an outer config (as mod_mime's remove lists do).

import {
  Ctx,
  RSRC_CONF,
  type AnyDirective,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';

/** The attributes one extension can carry; null = removed here (Remove*). */
export interface MimeExtInfo {
  readonly type?: string | null;
  readonly handler?: string | null;
  readonly charset?: string | null;
  readonly encoding?: string | null;
  readonly language?: string | null;
  readonly inputFilters?: string | null;
  readonly outputFilters?: string | null;
}
type Attr = keyof MimeExtInfo;

export interface MimeServerConf {
  /** TypesConfig file (default: conf/mime.types relative to ServerRoot, resolved at provision). */
  typesConfig: string | undefined;
}

export interface MimeDirConf {
  /** Lower-case extension without the leading dot → attributes. */
  ext: Readonly<Record<string, MimeExtInfo>>;
  defaultLanguage: string | undefined;
  useMimePathInfo: boolean | undefined;
  multiviewsMatch: readonly string[] | undefined;
}

/** Attribute-wise overlay (mod_mime merges each extension's fields). */
function mergeExt(
  base: Readonly<Record<string, MimeExtInfo>>,
  over: Readonly<Record<string, MimeExtInfo>>,
): Record<string, MimeExtInfo> {
  const out: Record<string, MimeExtInfo> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = { ...base[k], ...v };
  return out;
}

export const mimeServerMerge: MergeSpec<MimeServerConf> = { typesConfig: 'override' };
export const mimeDirMerge: MergeSpec<MimeDirConf> = {
  ext: mergeExt,
  defaultLanguage: 'override',
  useMimePathInfo: 'override',
  multiviewsMatch: 'override',
};

export const createMimeServer = (): MimeServerConf => ({ typesConfig: undefined });
export const createMimeDir = (): MimeDirConf => ({
  ext: {},
  defaultLanguage: undefined,
  useMimePathInfo: undefined,
  multiviewsMatch: undefined,
});

const normExt = (e: string): string => (e.startsWith('.') ? e.slice(1) : e).toLowerCase();

function setAttr(conf: MimeDirConf, ext: string, attr: Attr, value: string | null): void {
  const k = normExt(ext);
  conf.ext = { ...conf.ext, [k]: { ...conf.ext[k], [attr]: value } };
}

/** mod_mime's directive table. */
export function mimeDirectives(
  d: DirectiveBuilder<MimeServerConf, MimeDirConf>,
): AnyDirective<MimeServerConf, MimeDirConf>[] {
  const W = Ctx.OR_FILEINFO | RSRC_CONF | Ctx.DIRECTORY;
  const add = (name: string, attr: Attr, help: string) =>
    d.iterate2(name, W, help, (c, value, ext) => {
      // Deliberately refused (not a silent no-op): tswsgi has no input filter chain.
      if (attr === 'inputFilters')
        throw c.fail(
          'AddInputFilter: input filters (e.g. the DEFLATE input filter of mod_deflate) are not supported by tswsgi',
        );
      setAttr(c.dir, ext, attr, value.toLowerCase());
    });
  const remove = (name: string, attr: Attr) =>
    d.iterate(name, W, 'one or more file extensions', (c, ext) => {
      setAttr(c.dir, ext, attr, null);
    });
  return [
    add(
      'AddCharset',
      'charset',
      'a charset (e.g., iso-2022-jp), followed by one or more file extensions',
    ),
    add(
      'AddEncoding',
      'encoding',
      'an encoding (e.g., gzip), followed by one or more file extensions',
    ),
    add('AddHandler', 'handler', 'a handler name followed by one or more file extensions'),
    add(
      'AddInputFilter',
      'inputFilters',
      'input filter name (or ; delimited names) followed by one or more file extensions',
    ),
    add(
      'AddLanguage',
      'language',
      'a language (e.g., fr), followed by one or more file extensions',
    ),
    add(
      'AddOutputFilter',
      'outputFilters',
      'output filter name (or ; delimited names) followed by one or more file extensions',
    ),
    add('AddType', 'type', 'a mime type followed by one or more file extensions'),
    remove('RemoveCharset', 'charset'),
    remove('RemoveEncoding', 'encoding'),
    remove('RemoveHandler', 'handler'),
    remove('RemoveInputFilter', 'inputFilters'),
    remove('RemoveLanguage', 'language'),
    remove('RemoveOutputFilter', 'outputFilters'),
    remove('RemoveType', 'type'),
    d.take1(
      'DefaultLanguage',
      W,
      'language to use for documents with no other language file extension',
      (c, v) => {
        c.dir.defaultLanguage = v;
      },
    ),
    d.flag(
      'ModMimeUsePathInfo',
      Ctx.DIRECTORY,
      "Set to 'yes' to allow mod_mime to use path info for type checking",
      (c, on) => {
        c.dir.useMimePathInfo = on;
      },
    ),
    d.iterate(
      'MultiviewsMatch',
      W,
      'NegotiatedOnly (default), Handlers and/or Filters, or Any',
      (c, v) => {
        // ap_check_cmd_context(NOT_IN_LOCATION)
        if (c.context.kind === 'section' && c.context.section.startsWith('location'))
          throw c.fail(
            `MultiviewsMatch cannot occur within <${c.context.section === 'location' ? 'Location' : 'LocationMatch'}> section`,
          );
        const word = (['Any', 'NegotiatedOnly', 'Filters', 'Handlers'] as const).find(
          (w) => w.toLowerCase() === v.toLowerCase(),
        );
        if (word === undefined) throw c.fail(`Unrecognized option '${v}'`);
        const cur = c.dir.multiviewsMatch ?? [];
        const clash = (others: readonly string[]): boolean => cur.some((w) => others.includes(w));
        if (word === 'Any' && clash(['NegotiatedOnly', 'Filters', 'Handlers']))
          throw c.fail('Any is incompatible with NegotiatedOnly, Filters and Handlers');
        if (word === 'NegotiatedOnly' && clash(['Any', 'Filters', 'Handlers']))
          throw c.fail('NegotiatedOnly is incompatible with Any, Filters and Handlers');
        if ((word === 'Filters' || word === 'Handlers') && clash(['Any', 'NegotiatedOnly']))
          throw c.fail(`${word} is incompatible with Any and NegotiatedOnly`);
        c.dir.multiviewsMatch = [...cur, word];
      },
    ),
    d.take1('TypesConfig', RSRC_CONF, 'the MIME types config file', (c, v) => {
      c.server.typesConfig = c.serverRootRelative(v);
    }),
  ];
}

/** mod_mime's config pieces, to spread into its ModuleDef. */
export const mimeConfig = {
  server: { create: createMimeServer, merge: mimeServerMerge },
  dir: { create: createMimeDir, merge: mimeDirMerge },
  directives: mimeDirectives,
} as const;
