// httpd: modules/mappers/mod_negotiation.c (negotiation_cmds, create/merge_neg_dir_configs,
// set_language_priority, set_force_priority, cache_negotiated_docs).

import {
  Ctx,
  RSRC_CONF,
  type AnyDirective,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';

/** ForceLanguagePriority bits (FLP_*); unset = FLP_UNDEF, which acts as Prefer. */
export const FLP = { none: 1, prefer: 2, fallback: 4 } as const;

export interface NegDirConf {
  /** LanguagePriority, in order (lower-case is not applied: httpd compares case-blind). */
  languagePriority: readonly string[] | undefined;
  /** ForceLanguagePriority as FLP bits; undefined = FLP_UNDEF (default Prefer). */
  forceLanguagePriority: number | undefined;
}

export interface NegServerConf {
  /** CacheNegotiatedDocs On. */
  cacheNegotiatedDocs: boolean | undefined;
}

export const negDirMerge: MergeSpec<NegDirConf> = {
  languagePriority: 'override',
  forceLanguagePriority: 'override',
};
export const negServerMerge: MergeSpec<NegServerConf> = { cacheNegotiatedDocs: 'override' };

export const createNegDir = (): NegDirConf => ({
  languagePriority: undefined,
  forceLanguagePriority: undefined,
});
export const createNegServer = (): NegServerConf => ({ cacheNegotiatedDocs: undefined });

/** mod_negotiation's directive table. */
export function negotiationDirectives(
  d: DirectiveBuilder<NegServerConf, NegDirConf>,
): AnyDirective<NegServerConf, NegDirConf>[] {
  const W = Ctx.OR_FILEINFO | RSRC_CONF | Ctx.DIRECTORY;
  return [
    d.flag('CacheNegotiatedDocs', RSRC_CONF, "Either 'on' or 'off' (default)", (c, on) => {
      c.server.cacheNegotiatedDocs = on;
    }),
    // Repeated lines in one context add to the list (apr_array_push on the same config).
    d.iterate(
      'LanguagePriority',
      W,
      'space-delimited list of MIME language abbreviations',
      (c, lang) => {
        c.dir.languagePriority = [...(c.dir.languagePriority ?? []), lang];
      },
    ),
    d.iterate(
      'ForceLanguagePriority',
      W,
      'Force LanguagePriority elections, either None, or Fallback and/or Prefer',
      (c, w) => {
        const cur = c.dir.forceLanguagePriority ?? 0;
        const word = w.toLowerCase();
        if (word === 'none') {
          if ((cur & ~FLP.none) !== 0)
            throw c.fail('Cannot combine ForceLanguagePriority options with None');
          c.dir.forceLanguagePriority = FLP.none;
        } else if (word === 'prefer' || word === 'fallback') {
          if ((cur & FLP.none) !== 0)
            throw c.fail(
              `Cannot combine ForceLanguagePriority options None and ${word === 'prefer' ? 'Prefer' : 'Fallback'}`,
            );
          c.dir.forceLanguagePriority = cur | (word === 'prefer' ? FLP.prefer : FLP.fallback);
        } else {
          throw c.fail(`Invalid ForceLanguagePriority option ${w}`);
        }
      },
    ),
  ];
}

/** mod_negotiation's config pieces, to spread into its ModuleDef. */
export const negotiationConfig = {
  server: { create: createNegServer, merge: negServerMerge },
  dir: { create: createNegDir, merge: negDirMerge },
  directives: negotiationDirectives,
} as const;
