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
import {
  isIdentityEncoding,
  levelCmp,
  setAcceptQuality,
  setCharsetQuality,
  setDefaultLangQuality,
  setEncodingQuality,
  setLanguageQuality,
} from './quality.js';

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
