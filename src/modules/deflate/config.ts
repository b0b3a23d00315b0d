// httpd: modules/filters/mod_deflate.c (deflate_filter_cmds, create_deflate_server_config,
// create_deflate_dirconf, deflate_set_*).
//
// mod_deflate's typed config. httpd gives the module no merge functions, so a virtual host
// or a section that names any of these starts from the defaults, not from the enclosing
// config: every field merges as "the nearer config wins whole" (takeOver).

import {
  Ctx,
  OR_ALL,
  RSRC_CONF,
  type AnyDirective,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';

/** DeflateAlterETag. */
export type EtagOpt = 'AddSuffix' | 'NoChange' | 'Remove';

export interface DeflateServerConf {
  /** DeflateWindowSize 1–15 (zlib windowBits; httpd passes it negated for a raw stream). */
  windowSize: number | undefined;
  memLevel: number | undefined;
  /** 1–9; unset = zlib's Z_DEFAULT_COMPRESSION. */
  compressionLevel: number | undefined;
  bufferSize: number | undefined;
  noteRatio: string | undefined;
  noteInput: string | undefined;
  noteOutput: string | undefined;
  etag: EtagOpt | undefined;
}

export interface DeflateDirConf {
  inflateLimit: number | undefined;
  ratioLimit: number | undefined;
  ratioBurst: number | undefined;
}

/** httpd's defaults (DEFAULT_WINDOWSIZE, DEFAULT_MEMLEVEL, DEFAULT_BUFFERSIZE). */
export const DEFLATE_DEFAULTS = {
  windowSize: 15,
  memLevel: 9,
  bufferSize: 8096,
  etag: 'AddSuffix',
  ratioLimit: 200,
  ratioBurst: 3,
} as const;

/** No merge function in httpd: the nearer config is taken whole. */
const takeOver = <T>(_base: T, over: T): T => over;

const serverMerge: MergeSpec<DeflateServerConf> = {
  windowSize: takeOver,
  memLevel: takeOver,
  compressionLevel: takeOver,
  bufferSize: takeOver,
  noteRatio: takeOver,
  noteInput: takeOver,
  noteOutput: takeOver,
  etag: takeOver,
};
const dirMerge: MergeSpec<DeflateDirConf> = {
  inflateLimit: takeOver,
  ratioLimit: takeOver,
  ratioBurst: takeOver,
};

const createServer = (): DeflateServerConf => ({
  windowSize: undefined,
  memLevel: undefined,
  compressionLevel: undefined,
  bufferSize: undefined,
  noteRatio: undefined,
  noteInput: undefined,
  noteOutput: undefined,
  etag: undefined,
});
const createDir = (): DeflateDirConf => ({
  inflateLimit: undefined,
  ratioLimit: undefined,
  ratioBurst: undefined,
});

/** C's atoi: optional blanks and sign, then digits; anything else reads as 0. */
export function atoi(s: string): number {
  const m = /^[\s]*([+-]?\d+)/.exec(s);
  return m?.[1] === undefined ? 0 : Number.parseInt(m[1], 10);
}

/** mod_deflate's directive table (messages as deflate_set_* return them). */
export function deflateDirectives(
  d: DirectiveBuilder<DeflateServerConf, DeflateDirConf>,
): AnyDirective<DeflateServerConf, DeflateDirConf>[] {
  const range = (
    v: string,
    lo: number,
    hi: number,
    message: string,
    fail: (m: string) => Error,
  ) => {
    const i = atoi(v);
    if (i < lo || i > hi) throw fail(message);
    return i;
  };
  return [
    d.take12(
      'DeflateFilterNote',
      RSRC_CONF,
      'Set a note to report on compression ratio',
      (c, a, b) => {
        if (b === undefined) c.server.noteRatio = a;
        else if (a.toLowerCase() === 'ratio') c.server.noteRatio = b;
        else if (a.toLowerCase() === 'input') c.server.noteInput = b;
        else if (a.toLowerCase() === 'output') c.server.noteOutput = b;
        else throw c.fail(`Unknown note type ${a}`);
      },
    ),
    d.take1('DeflateWindowSize', RSRC_CONF, 'Set the Deflate window size (1-15)', (c, v) => {
      c.server.windowSize = range(v, 1, 15, 'DeflateWindowSize must be between 1 and 15', (m) =>
        c.fail(m),
      );
    }),
    d.take1('DeflateBufferSize', RSRC_CONF, 'Set the Deflate Buffer Size', (c, v) => {
      const n = atoi(v);
      if (n <= 0) throw c.fail('DeflateBufferSize should be positive');
      c.server.bufferSize = n;
    }),
    d.take1('DeflateMemLevel', RSRC_CONF, 'Set the Deflate Memory Level (1-9)', (c, v) => {
      c.server.memLevel = range(v, 1, 9, 'DeflateMemLevel must be between 1 and 9', (m) =>
        c.fail(m),
      );
    }),
    d.take1(
      'DeflateCompressionLevel',
      RSRC_CONF,
      'Set the Deflate Compression Level (1-9)',
      (c, v) => {
        c.server.compressionLevel = range(
          v,
          1,
          9,
          'Compression Level must be between 1 and 9',
          (m) => c.fail(m),
        );
      },
    ),
    d.take1(
      'DeflateInflateLimitRequestBody',
      OR_ALL | RSRC_CONF | Ctx.DIRECTORY,
      'Set a limit on size of inflated input',
      (c, v) => {
        // apr_strtoff: the whole word must be a decimal number, and not negative.
        if (!/^\s*[+-]?\d+$/.test(v)) {
          throw c.fail(
            /^\s*[+-]?\d/.test(v)
              ? 'DeflateInflateLimitRequestBody requires a non-negative integer.'
              : 'DeflateInflateLimitRequestBody is not parsable.',
          );
        }
        const n = Number.parseInt(v, 10);
        if (n < 0) throw c.fail('DeflateInflateLimitRequestBody requires a non-negative integer.');
        c.dir.inflateLimit = n;
      },
    ),
    d.take1(
      'DeflateInflateRatioLimit',
      OR_ALL | RSRC_CONF | Ctx.DIRECTORY,
      'Set the inflate ratio limit above which inflation is aborted (default: 200)',
      (c, v) => {
        const i = atoi(v);
        if (i <= 0) throw c.fail('DeflateInflateRatioLimit must be positive');
        c.dir.ratioLimit = i;
      },
    ),
    d.take1(
      'DeflateInflateRatioBurst',
      OR_ALL | RSRC_CONF | Ctx.DIRECTORY,
      'Set the maximum number of following inflate ratios above limit (default: 3)',
      (c, v) => {
        const i = atoi(v);
        if (i <= 0) throw c.fail('DeflateInflateRatioBurst must be positive');
        c.dir.ratioBurst = i;
      },
    ),
    d.take1(
      'DeflateAlterETag',
      RSRC_CONF,
      "Set how mod_deflate should modify ETAG response headers: 'AddSuffix' (default), 'NoChange' (2.2.x behavior), 'Remove'",
      (c, v) => {
        const word = (['NoChange', 'AddSuffix', 'Remove'] as const).find(
          (w) => w.toLowerCase() === v.toLowerCase(),
        );
        if (word === undefined)
          throw c.fail("DeflateAlterETAG accepts only 'NoChange', 'AddSuffix', and 'Remove'");
        c.server.etag = word;
      },
    ),
  ];
}

/** mod_deflate's config pieces, to spread into its ModuleDef. */
export const deflateConfig = {
  server: { create: createServer, merge: serverMerge },
  dir: { create: createDir, merge: dirMerge },
  directives: deflateDirectives,
} as const;
