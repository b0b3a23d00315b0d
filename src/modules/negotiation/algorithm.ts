// httpd: modules/mappers/mod_negotiation.c (var_rec, negotiation_state, mime_match,
// level_cmp, find_lang_index, set_default_lang_quality, set_language_quality,
// set_accept_quality, set_charset_quality, set_encoding_quality, is_variant_better(_rvsa),
// best_match, parse_negotiate_header, maybe_add_default_accepts).
//
// The variant selection itself, free of I/O: Apache's server-driven algorithm with its
// "fiddles" for browsers that send `*/*` without q-values or over-specific languages, and
// RFC 2296's RVSA/1.0 for clients that ask for it with `Negotiate: 1.0`. Floats are single
// precision (Math.fround), as in httpd, so ties break the same way.

import {
  CGI_MAGIC_TYPE,
  INCLUDES_MAGIC_TYPE,
  INCLUDES_MAGIC_TYPE3,
  type AcceptRec,
} from './accept.js';
import { FLP } from './config.js';

const f = Math.fround;

/** One variant (var_rec): its fixed description, then what negotiation computes. */
export interface Variant {
  readonly fileName: string;
  readonly mimeType: string;
  readonly sourceQuality: number;
  readonly level: number;
  /** '' if none. */
  readonly charset: string;
  readonly encoding: string | undefined;
  readonly languages: readonly string[] | undefined;
  readonly description: string;
  /** Content length if known; -1 = stat the file when needed. */
  bytes: number;
  readonly isPseudoHtml: boolean;
  /** Offset of a type map's embedded body (0 = none). */
  readonly body: number;
  /** The variant's sub-request found a handler (no {length} in Alternates). */
  readonly hasHandler: boolean;
  langQuality: number;
  encodingQuality: number;
  charsetQuality: number;
  mimeTypeQuality: number;
  levelMatched: number;
  mimeStars: number;
  definite: boolean;
  langIndex: number;
}

/** What set_mime_fields and clean_var_rec start a variant with. */
export function newVariant(init: {
  fileName: string;
  type: AcceptRec | undefined;
  encoding?: string | undefined;
  languages?: readonly string[] | undefined;
  description?: string;
  bytes?: number;
  body?: number;
  hasHandler?: boolean;
}): Variant {
  const mimeType = init.type?.name ?? '';
  return {
    fileName: init.fileName,
    mimeType,
    sourceQuality: init.type?.quality ?? 0,
    level: init.type?.level ?? 0,
    charset: init.type?.charset ?? '',
    encoding: init.encoding,
    languages: init.languages,
    description: init.description ?? '',
    bytes: init.bytes ?? -1,
    isPseudoHtml:
      mimeType === 'text/html' ||
      mimeType === INCLUDES_MAGIC_TYPE ||
      mimeType === INCLUDES_MAGIC_TYPE3,
    body: init.body ?? 0,
    hasHandler: init.hasHandler ?? false,
    langQuality: 1,
    encodingQuality: 1,
    charsetQuality: 1,
    mimeTypeQuality: 1,
    levelMatched: 0,
    mimeStars: 0,
    definite: true,
    langIndex: -1,
  };
}

/** negotiation_state: the request's Accept headers and the decisions about them. */
export interface NegState {
  accepts: AcceptRec[] | undefined;
  readonly acceptEncodings: readonly AcceptRec[] | undefined;
  readonly acceptCharsets: readonly AcceptRec[] | undefined;
  readonly acceptLangs: readonly AcceptRec[] | undefined;
  /** An Accept item has q < 1. */
  readonly acceptQ: boolean;
  defaultLangQuality: number;
  isTransparent: boolean;
  dontFiddleHeaders: boolean;
  uaSupportsTrans: boolean;
  sendAlternates: boolean;
  mayChoose: boolean;
  useRvsa: boolean;
  /** LanguagePriority and ForceLanguagePriority in force. */
  readonly languagePriority: readonly string[] | undefined;
  readonly forceLanguagePriority: number;
}

/** parse_accept_headers (the Accept part). */
export function newNegState(
  h: {
    accept: AcceptRec[] | undefined;
    encodings: readonly AcceptRec[] | undefined;
    charsets: readonly AcceptRec[] | undefined;
    langs: readonly AcceptRec[] | undefined;
  },
  languagePriority: readonly string[] | undefined,
  forceLanguagePriority: number | undefined,
): NegState {
  return {
    accepts: h.accept,
    acceptEncodings: h.encodings,
    acceptCharsets: h.charsets,
    acceptLangs: h.langs,
    acceptQ: h.accept?.some((a) => a.quality < 1) ?? false,
    defaultLangQuality: 1,
    isTransparent: false,
    dontFiddleHeaders: false,
    uaSupportsTrans: false,
    sendAlternates: false,
    mayChoose: true,
    useRvsa: false,
    languagePriority,
    // FLP_UNDEF acts as FLP_DEFAULT (Prefer).
    forceLanguagePriority:
      forceLanguagePriority === undefined || forceLanguagePriority === 0
        ? FLP.prefer
        : forceLanguagePriority,
  };
}

/**
 * parse_negotiate_header: `Negotiate` asks for transparent negotiation (RFC 2295). Lynx's
 * bare `trans` is ignored (it sends it without supporting TCN).
 */
export function parseNegotiate(
  neg: NegState,
  negotiate: string | undefined,
  userAgent: string | undefined,
): void {
  neg.uaSupportsTrans = false;
  neg.sendAlternates = false;
  neg.mayChoose = true;
  neg.useRvsa = false;
  neg.dontFiddleHeaders = false;
  if (negotiate === undefined) return;
  if (negotiate === 'trans' && userAgent?.startsWith('Lynx') === true) return;
  neg.mayChoose = false; // an empty Negotiate would require a 300
  for (const raw of negotiate.split(',')) {
    const tok = raw.trim().toLowerCase();
    if (tok === '') continue;
    const c = tok.charCodeAt(0);
    if (
      tok === 'trans' ||
      tok === 'vlist' ||
      tok === 'guess-small' ||
      (c >= 0x30 && c <= 0x39) ||
      tok === '*'
    ) {
      neg.uaSupportsTrans = true;
      neg.sendAlternates = true;
      if (tok === '1.0') {
        neg.mayChoose = true;
        neg.useRvsa = true;
        neg.dontFiddleHeaders = true;
      } else if (tok.startsWith('*')) {
        neg.mayChoose = true;
        neg.dontFiddleHeaders = true;
      }
    }
  }
}

/**
 * maybe_add_default_accepts: no Accept means `*\/*`; and a handler's variant (CGI_MAGIC_TYPE)
 * is strongly preferred for POST, a query or path info, else nearly last.
 */
export function addDefaultAccepts(neg: NegState, preferScripts: boolean): void {
  const list = neg.accepts ?? [{ name: '*/*', quality: 1, level: 0, charset: '' }];
  list.push({
    name: CGI_MAGIC_TYPE,
    quality: neg.useRvsa ? 0 : preferScripts ? 2 : f(0.001),
    level: 0,
    charset: '',
  });
  neg.accepts = list;
}

/** mime_match: does this range cover the variant's type (updating stars and level)? */
function mimeMatch(a: AcceptRec, v: Variant): boolean {
  const t = a.name;
  const len = t.length;
  if (t === '*' || t === '*/*') {
    if (v.mimeStars < 1) v.mimeStars = 1;
    return true;
  }
  if (
    len > 2 &&
    t.endsWith('/*') &&
    v.mimeType.startsWith(t.slice(0, len - 2)) &&
    v.mimeType[len - 2] === '/'
  ) {
    if (v.mimeStars < 2) v.mimeStars = 2;
    return true;
  }
  if (
    t === v.mimeType ||
    (t === 'text/html' &&
      (v.mimeType === INCLUDES_MAGIC_TYPE || v.mimeType === INCLUDES_MAGIC_TYPE3))
  ) {
    if (a.level >= v.level) {
      v.levelMatched = v.level;
      v.mimeStars = 3;
      return true;
    }
  }
  return false;
}

/** level_cmp: among one media type, the highest level the client named, else the lowest. */
function levelCmp(a: Variant, b: Variant): number {
  if (a.isPseudoHtml && !b.isPseudoHtml) return 0;
  if (!a.isPseudoHtml && a.mimeType !== b.mimeType) return 0;
  if (a.levelMatched > b.levelMatched) return 1;
  if (a.levelMatched < b.levelMatched) return -1;
  if (a.level < b.level) return 1;
  if (a.level > b.level) return -1;
  return 0;
}

/** find_lang_index: the first list entry that is a (case-blind) prefix of `lang`. */
function findLangIndex(list: readonly string[] | undefined, lang: string): number {
  if (list === undefined) return -1;
  const l = lang.toLowerCase();
  return list.findIndex((x) => l.startsWith(x.toLowerCase()));
}

/** set_default_lang_quality: variants without a language only win if nothing else can. */
function setDefaultLangQuality(neg: NegState, vars: readonly Variant[]): void {
  neg.defaultLangQuality =
    !neg.dontFiddleHeaders && vars.some((v) => (v.languages?.length ?? 0) > 0) ? f(0.0001) : 1;
}

/** set_language_quality: the best Accept-Language match of the variant's languages. */
function setLanguageQuality(neg: NegState, v: Variant): void {
  const force = neg.forceLanguagePriority;
  const langs = v.languages;
  if (langs === undefined || langs.length === 0) {
    if (!neg.dontFiddleHeaders) v.langQuality = neg.defaultLangQuality;
    return;
  }
  if (neg.acceptLangs === undefined) {
    v.definite = false; // no Accept-Language makes the variant indefinite
  } else {
    const accs = neg.acceptLangs;
    let best: AcceptRec | undefined;
    let star: AcceptRec | undefined;
    let fiddleQ = 0;
    let anyMatchOnStar = false;
    for (const lang of langs) {
      let bestThisTag: AcceptRec | undefined;
      let longest = 0;
      for (const a of accs) {
        if (a.name === '*') {
          star ??= a;
          continue;
        }
        // The variant's tag equals the range, or starts with it up to a '-'.
        const alen = a.name.length;
        if (
          lang.length >= alen &&
          lang.startsWith(a.name) &&
          (lang.length === alen || lang[alen] === '-') &&
          alen > longest
        ) {
          longest = alen;
          bestThisTag = a;
        }
        // The fiddle: en-US in the header matches en and en-GB variants at 0.001.
        if (bestThisTag === undefined && !neg.dontFiddleHeaders) {
          const dash = a.name.indexOf('-');
          if (dash >= 0 && lang.slice(0, dash) === a.name.slice(0, dash) && lang.length >= dash)
            fiddleQ = f(0.001);
        }
      }
      if (best === undefined || (bestThisTag !== undefined && bestThisTag.quality > best.quality))
        best = bestThisTag;
      if (bestThisTag === undefined && star !== undefined) anyMatchOnStar = true;
    }
    if (
      anyMatchOnStar &&
      star !== undefined &&
      (best === undefined || star.quality > best.quality)
    ) {
      best = star;
      v.definite = false;
    }
    v.langQuality = best !== undefined ? best.quality : fiddleQ;
  }
  // ForceLanguagePriority: Prefer orders equal qualities by LanguagePriority; Fallback makes
  // an unacceptable variant acceptable at 0.0001 when it is listed there.
  if (
    ((force & FLP.prefer) !== 0 && v.langIndex < 0) ||
    ((force & FLP.fallback) !== 0 && v.langQuality === 0)
  ) {
    let bestIdx = -1;
    for (const lang of langs) {
      const idx = findLangIndex(neg.languagePriority, lang);
      if (idx >= 0 && (bestIdx === -1 || idx < bestIdx)) bestIdx = idx;
    }
    if (bestIdx >= 0) {
      if (v.langQuality !== 0) {
        if ((force & FLP.prefer) !== 0) v.langIndex = bestIdx;
      } else if ((force & FLP.fallback) !== 0) {
        v.langIndex = bestIdx;
        v.langQuality = f(0.0001);
        v.definite = false;
      }
    }
  }
}

/** set_accept_quality: the q of the most specific matching media range. */
function setAcceptQuality(neg: NegState, v: Variant): void {
  if (neg.accepts === undefined) {
    if (v.mimeType !== '') v.definite = false;
    return;
  }
  let q = 0;
  let qDefinite = true;
  for (const a of neg.accepts) {
    const prev = v.mimeStars;
    if (!mimeMatch(a, v) || prev === v.mimeStars) continue;
    // No q anywhere in Accept: wildcards count for very little (the `*\/*` fiddle).
    if (!neg.dontFiddleHeaders && !neg.acceptQ && v.mimeStars === 1) q = f(0.01);
    else if (!neg.dontFiddleHeaders && !neg.acceptQ && v.mimeStars === 2) q = f(0.02);
    else q = a.quality;
    qDefinite = v.mimeStars === 3;
  }
  v.mimeTypeQuality = q;
  v.definite = v.definite && qDefinite;
}

/** set_charset_quality: untyped text counts as ISO-8859-1, which is acceptable by default. */
function setCharsetQuality(neg: NegState, v: Variant): void {
  let charset = v.charset;
  if (neg.acceptCharsets === undefined) {
    if (charset !== '') v.definite = false;
    return;
  }
  if (charset === '') {
    if (!(
      v.mimeType.startsWith('text/') ||
      v.mimeType === INCLUDES_MAGIC_TYPE ||
      v.mimeType === INCLUDES_MAGIC_TYPE3
    ))
      return;
    if (neg.dontFiddleHeaders) return;
    charset = 'iso-8859-1';
  }
  let star: AcceptRec | undefined;
  for (const a of neg.acceptCharsets) {
    if (a.name === charset) {
      v.charsetQuality = a.quality;
      return;
    }
    if (a.name === '*') star = a;
  }
  if (star !== undefined) {
    v.charsetQuality = star.quality;
    v.definite = false;
    return;
  }
  v.charsetQuality = charset === 'iso-8859-1' ? 1 : 0;
}

/** is_identity_encoding (7bit, 8bit and binary are identities too). */
export const isIdentityEncoding = (enc: string | undefined): boolean =>
  enc === undefined || enc === '' || enc === '7bit' || enc === '8bit' || enc === 'binary';

/** set_encoding_quality: no header → all codings at 0.5, identity preferred. */
function setEncodingQuality(neg: NegState, v: Variant): void {
  let enc = v.encoding;
  if (neg.acceptEncodings === undefined) {
    v.encodingQuality = isIdentityEncoding(enc) ? 1 : f(0.5);
    return;
  }
  let ifNotFound = 0;
  if (enc === undefined || isIdentityEncoding(enc)) {
    enc = 'identity';
    ifNotFound = f(0.0001);
  }
  if (enc.startsWith('x-')) enc = enc.slice(2);
  let star: AcceptRec | undefined;
  for (const a of neg.acceptEncodings) {
    const name = a.name.startsWith('x-') ? a.name.slice(2) : a.name;
    if (name === enc) {
      v.encodingQuality = a.quality;
      return;
    }
    if (name === '*') star = a;
  }
  v.encodingQuality = star !== undefined ? star.quality : ifNotFound;
}

/** find_content_length through the caller (a stat for a multiviews file). */
export type LengthOf = (v: Variant) => number;

/** is_variant_better_rvsa (RFC 2296). */
function betterRvsa(v: Variant, best: Variant | undefined, bestq: number): number | undefined {
  if (v.encodingQuality === 0) return undefined;
  const q = f(f(f(v.mimeTypeQuality * v.sourceQuality) * v.charsetQuality) * v.langQuality);
  if (q <= 0) return undefined;
  if (q > bestq) return q;
  if (q === bestq && best !== undefined && v.encodingQuality > best.encodingQuality) return q;
  return undefined;
}

/**
 * is_variant_better: type, then language (and LanguagePriority), level, charset (a named
 * non-Latin-1 charset beats Latin-1), encoding, and finally the smaller file. Returns the
 * new best q, or undefined if `v` is not better.
 */
function better(
  v: Variant,
  best: Variant | undefined,
  bestq: number,
  lengthOf: LengthOf,
): number | undefined {
  if (
    v.encodingQuality === 0 ||
    v.langQuality === 0 ||
    v.sourceQuality === 0 ||
    v.charsetQuality === 0 ||
    v.mimeTypeQuality === 0
  )
    return undefined;
  const q = f(v.mimeTypeQuality * v.sourceQuality);
  if (q === 0 || q < bestq) return undefined;
  if (q > bestq || best === undefined) return q;
  if (v.langQuality < best.langQuality) return undefined;
  if (v.langQuality > best.langQuality) return q;
  if (best.langIndex !== -1 && (v.langIndex === -1 || v.langIndex > best.langIndex))
    return undefined;
  if (v.langIndex !== -1 && (best.langIndex === -1 || v.langIndex < best.langIndex)) return q;
  const lev = levelCmp(v, best);
  if (lev === -1) return undefined;
  if (lev === 1) return q;
  if (v.charsetQuality < best.charsetQuality) return undefined;
  if (
    v.charsetQuality > best.charsetQuality ||
    (v.charset !== '' &&
      v.charset !== 'iso-8859-1' &&
      (best.charset === '' || best.charset === 'iso-8859-1'))
  )
    return q;
  if (v.encodingQuality < best.encodingQuality) return undefined;
  if (v.encodingQuality > best.encodingQuality) return q;
  if (lengthOf(v) >= lengthOf(best)) return undefined;
  return q;
}

/** discard_variant_by_env: no-gzip / gzip-only-text/html drop encoded variants. */
function discardByEnv(v: Variant, discard: 'all' | 'allButHtml'): boolean {
  if (isIdentityEncoding(v.encoding) || v.encoding === 'identity') return false;
  return discard === 'all' || !v.mimeType.startsWith('text/html');
}

/** The request environment best_match reads. */
export interface NegEnv {
  readonly preferLanguage: string | undefined;
  readonly noGzip: boolean;
  readonly gzipOnlyTextHtml: boolean;
}

/**
 * best_match: qualities for every variant (for Vary, Alternates and the list page too),
 * and the winner. `choice` = a best variant was found; `list` = none (300 or 406).
 */
export function bestMatch(
  neg: NegState,
  vars: readonly Variant[],
  env: NegEnv,
  lengthOf: LengthOf,
): { result: 'choice' | 'list'; best: Variant | undefined } {
  const discard = env.noGzip ? 'all' : env.gzipOnlyTextHtml ? 'allButHtml' : undefined;
  let preferred = env.preferLanguage;
  setDefaultLangQuality(neg, vars);
  for (;;) {
    let best: Variant | undefined;
    let bestq = 0;
    for (const v of vars) {
      if (discard !== undefined && discardByEnv(v, discard)) continue;
      if (preferred !== undefined && !(v.languages ?? []).includes(preferred)) continue;
      setAcceptQuality(neg, v);
      if (preferred !== undefined) {
        v.langQuality = 1;
        v.definite = true;
      } else setLanguageQuality(neg, v);
      setEncodingQuality(neg, v);
      setCharsetQuality(neg, v);
      if (!neg.mayChoose) continue;
      const q = neg.useRvsa ? betterRvsa(v, best, bestq) : better(v, best, bestq, lengthOf);
      if (q !== undefined) {
        bestq = q;
        best = v;
      }
    }
    const result = neg.useRvsa
      ? best?.definite === true && bestq > 0
        ? 'choice'
        : 'list'
      : bestq > 0
        ? 'choice'
        : 'list';
    // prefer-language found nothing clear: negotiate again over every variant.
    if (preferred !== undefined && (best === undefined || result !== 'choice')) {
      preferred = undefined;
      continue;
    }
    return { result, best };
  }
}
