// httpd: modules/mappers/mod_rewrite.c (RULEFLAG_*, CONDFLAG_*, OPTION_*,
// cmd_rewriterule_setflag, cmd_rewritecond_setflag).

import { parseTemplate } from './template.js';
import type { Template } from './template.js';

/** RewriteRule flags (RULEFLAG_*), a bit set. */
export const RF = {
  FORCEREDIRECT: 1 << 0,
  LASTRULE: 1 << 1,
  NEWROUND: 1 << 2,
  CHAIN: 1 << 3,
  IGNOREONSUBREQ: 1 << 4,
  NOTMATCH: 1 << 5,
  PROXY: 1 << 6,
  PASSTHROUGH: 1 << 7,
  QSAPPEND: 1 << 8,
  NOCASE: 1 << 9,
  NOESCAPE: 1 << 10,
  NOSUB: 1 << 11,
  STATUS: 1 << 12,
  ESCAPEBACKREF: 1 << 13,
  DISCARDPATHINFO: 1 << 14,
  QSDISCARD: 1 << 15,
  END: 1 << 16,
  ESCAPENOPLUS: 1 << 17,
  QSLAST: 1 << 18,
  QSNONE: 1 << 19,
  ESCAPECTLS: 1 << 20,
  UNSAFE_PREFIX_STAT: 1 << 21,
  UNSAFE_ALLOW3F: 1 << 22,
  UNC: 1 << 23,
} as const;

/** RewriteCond flags (CONDFLAG_*). */
export const CF = {
  NOCASE: 1 << 0,
  NOTMATCH: 1 << 1,
  ORNEXT: 1 << 2,
  NOVARY: 1 << 3,
} as const;

/** RewriteOptions (OPTION_*). */
export const OPT = {
  INHERIT: 1 << 1,
  INHERIT_BEFORE: 1 << 2,
  NOSLASH: 1 << 3,
  ANYURI: 1 << 4,
  MERGEBASE: 1 << 5,
  INHERIT_DOWN: 1 << 6,
  INHERIT_DOWN_BEFORE: 1 << 7,
  IGNORE_INHERIT: 1 << 8,
  IGNORE_CONTEXT_INFO: 1 << 9,
  LEGACY_PREFIX_DOCROOT: 1 << 10,
  UNSAFE_PREFIX_STAT: 1 << 11,
} as const;

/** What a RewriteRule's flag field sets (the rest of rewriterule_entry). */
export interface RuleFlags {
  flags: number;
  forcedMimetype: Template | undefined;
  forcedHandler: Template | undefined;
  status: number;
  env: Template[];
  cookies: Template[];
  skip: number;
  maxRounds: number;
  escapes: string | undefined;
  noescapes: string | undefined;
}

/** REWRITE_MAX_ROUNDS: the [N] loop limit unless [N=n] names another. */
export const MAX_ROUNDS = 10000;

/** Statuses in httpd's status_lines (http_protocol.c): ap_index_of_response knows them. */
const KNOWN_STATUS = new Set([
  100, 101, 102, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305,
  307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416,
  417, 421, 422, 423, 424, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508,
  510, 511,
]);

const atoi = (s: string): number => {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number.parseInt(m[1] ?? '0', 10);
};

const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * cmd_rewriterule_setflag: apply one `key[=val]`; an error text, or undefined. The first
 * letter picks the family, the rest must be one of its spellings (case-blind).
 */
export function setRuleFlag(cfg: RuleFlags, key0: string, val: string): string | undefined {
  const first = key0.charAt(0).toLowerCase();
  const key = key0.slice(1);
  let error = false;
  switch (first) {
    case 'b':
      if (key === '' || eq(key, 'ackrefescaping')) {
        cfg.flags |= RF.ESCAPEBACKREF;
        if (val !== '') cfg.escapes = val;
      } else if (eq(key, 'NE')) {
        if (val === '') return "flag 'BNE' wants a list of characters (i.e. [BNE=...])";
        cfg.noescapes = val;
      } else if (eq(key, 'NP') || eq(key, 'ackrefernoplus')) cfg.flags |= RF.ESCAPENOPLUS;
      else if (eq(key, 'CTLS')) cfg.flags |= RF.ESCAPECTLS | RF.ESCAPEBACKREF;
      else error = true;
      break;
    case 'c':
      if (key === '' || eq(key, 'hain')) cfg.flags |= RF.CHAIN;
      else if (eq(key, 'O') || eq(key, 'ookie')) cfg.cookies.push(parseTemplate(val));
      else error = true;
      break;
    case 'd':
      // httpd accepts any D… spelling here (no error branch).
      if (key === '' || eq(key, 'PI') || eq(key, 'iscardpath')) cfg.flags |= RF.DISCARDPATHINFO;
      break;
    case 'e':
      if (key === '' || eq(key, 'nv')) cfg.env.push(parseTemplate(val));
      else if (eq(key, 'nd')) cfg.flags |= RF.END;
      else error = true;
      break;
    case 'f':
      if (key === '' || eq(key, 'orbidden')) {
        cfg.flags |= RF.STATUS | RF.NOSUB;
        cfg.status = 403;
      } else error = true;
      break;
    case 'g':
      if (key === '' || eq(key, 'one')) {
        cfg.flags |= RF.STATUS | RF.NOSUB;
        cfg.status = 410;
      } else error = true;
      break;
    case 'h':
      if (key === '' || eq(key, 'andler')) cfg.forcedHandler = parseTemplate(val);
      else error = true;
      break;
    case 'l':
      if (key === '' || eq(key, 'ast')) cfg.flags |= RF.LASTRULE;
      else error = true;
      break;
    case 'n':
      if (eq(key, 'E') || eq(key, 'oescape')) cfg.flags |= RF.NOESCAPE;
      else if (key === '' || eq(key, 'ext')) {
        cfg.flags |= RF.NEWROUND;
        if (val !== '') cfg.maxRounds = atoi(val);
      } else if (eq(key, 'S') || eq(key, 'osubreq')) cfg.flags |= RF.IGNOREONSUBREQ;
      else if (eq(key, 'C') || eq(key, 'ocase')) cfg.flags |= RF.NOCASE;
      else error = true;
      break;
    case 'p':
      if (key === '' || eq(key, 'roxy')) cfg.flags |= RF.PROXY;
      else if (eq(key, 'T') || eq(key, 'assthrough')) cfg.flags |= RF.PASSTHROUGH;
      else error = true;
      break;
    case 'q':
      if (eq(key, 'SA') || eq(key, 'sappend')) cfg.flags |= RF.QSAPPEND;
      else if (eq(key, 'SD') || eq(key, 'sdiscard')) cfg.flags |= RF.QSDISCARD;
      else if (eq(key, 'SL') || eq(key, 'slast')) cfg.flags |= RF.QSLAST;
      else error = true;
      break;
    case 'r':
      if (key === '' || eq(key, 'edirect')) {
        cfg.flags |= RF.FORCEREDIRECT;
        if (val !== '') {
          let status = 0;
          if (eq(val, 'permanent')) status = 301;
          else if (eq(val, 'temp')) status = 302;
          else if (eq(val, 'seeother')) status = 303;
          else if (/^[0-9]/.test(val)) {
            status = atoi(val);
            if (status !== 500 && !KNOWN_STATUS.has(status))
              return `invalid HTTP response code '${val}' for flag 'R'`;
            if (status < 300 || status > 399) cfg.flags |= RF.STATUS | RF.NOSUB;
          }
          cfg.status = status;
        }
      } else error = true;
      break;
    case 's':
      if (key === '' || eq(key, 'kip')) cfg.skip = atoi(val);
      else error = true;
      break;
    case 't':
      if (key === '' || eq(key, 'ype')) cfg.forcedMimetype = parseTemplate(val);
      else error = true;
      break;
    case 'u':
      if (eq(key, 'nsafePrefixStat')) cfg.flags |= RF.UNSAFE_PREFIX_STAT;
      else if (eq(key, 'nsafeAllow3F')) cfg.flags |= RF.UNSAFE_ALLOW3F;
      else if (eq(key, 'NC')) cfg.flags |= RF.UNC;
      else error = true;
      break;
    default:
      error = true;
  }
  return error ? `unknown flag '${key0}'` : undefined;
}

/** cmd_rewritecond_setflag. */
export function setCondFlag(flags: { v: number }, key: string, _val: string): string | undefined {
  if (eq(key, 'nocase') || eq(key, 'NC')) flags.v |= CF.NOCASE;
  else if (eq(key, 'ornext') || eq(key, 'OR')) flags.v |= CF.ORNEXT;
  else if (eq(key, 'novary') || eq(key, 'NV')) flags.v |= CF.NOVARY;
  else return `unknown flag '${key}'`;
  return undefined;
}
