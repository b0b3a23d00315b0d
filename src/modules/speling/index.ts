// httpd: modules/mappers/mod_speling.c (speling_cmds, spdist, check_speling: fixups LAST).
//
// CheckSpelling On: a GET for a file that does not exist looks at the names in its
// directory: one that differs only in case, by one transposition, one missing, extra or
// mistyped character (not with CheckCaseOnly), or, with CheckBasenameMatch, by what follows
// the first dot. The best single candidate is a 301 to it; several equally good ones (or
// basename matches only) are a 300 page listing them.

import { opendirSync } from 'node:fs';
import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { constructUrl } from '../../request/server-name.js';
import { headerIn } from '../../request/tables.js';
import { escapeHtml } from '../../http/die.js';
import { osEscapePath } from '../../util/escape-path.js';
import type { ModuleDef } from '../module.js';

interface Speling {
  readonly enabled: boolean;
  readonly caseOnly: boolean;
  readonly basename: boolean;
}

export interface SpelingDirConf {
  /**
   * The section's settings; undefined where no mod_speling directive was written. httpd
   * registers no merge function: a section that sets one of them replaces all three (the
   * others at their defaults).
   */
  conf: Speling | undefined;
}

const DEFAULTS: Speling = { enabled: false, caseOnly: false, basename: true };
const create = (): SpelingDirConf => ({ conf: undefined });
const merge: MergeSpec<SpelingDirConf> = { conf: 'override' };

function directives(
  d: DirectiveBuilder<undefined, SpelingDirConf>,
): AnyDirective<undefined, SpelingDirConf>[] {
  const flag = (name: string, field: keyof Speling, help: string) =>
    d.flag(name, Ctx.OR_OPTIONS, help, (c, on) => {
      c.dir.conf = { ...(c.dir.conf ?? DEFAULTS), [field]: on };
    });
  return [
    flag('CheckSpelling', 'enabled', 'whether or not to fix miscapitalized/misspelled requests'),
    flag('CheckCaseOnly', 'caseOnly', 'whether or not to fix only miscapitalized requests'),
    flag('CheckBasenameMatch', 'basename', 'whether or not to fix files with the same base name'),
  ];
}

/** sp_reason, best first, and the words the 300 page gives each. */
const Q = {
  MISCAPITALIZED: 1,
  TRANSPOSITION: 2,
  MISSINGCHAR: 3,
  EXTRACHAR: 4,
  SIMPLETYPO: 5,
  VERYDIFFERENT: 6,
} as const;
const REASON = [
  'identical',
  'miscapitalized',
  'transposed characters',
  'character missing',
  'extra character',
  'mistyped character',
  'common basename',
];

const eqi = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** spdist: how `s` (the request) differs from `t` (a name), ignoring case. */
export function spdist(s: string, t: string): number {
  // The common prefix, case-blind; both ending together is an exact match (sans case).
  let i = 0;
  for (;;) {
    const cs = i < s.length ? (s[i] ?? '').toLowerCase() : '';
    const ct = i < t.length ? (t[i] ?? '').toLowerCase() : '';
    if (cs !== ct) break;
    if (ct === '') return Q.MISCAPITALIZED;
    i++;
  }
  const a = s.slice(i);
  const b = t.slice(i);
  if (a !== '') {
    if (b !== '') {
      if (
        a.length > 1 &&
        b.length > 1 &&
        eqi(a[0] ?? '', b[1] ?? '') &&
        eqi(b[0] ?? '', a[1] ?? '') &&
        eqi(a.slice(2), b.slice(2))
      )
        return Q.TRANSPOSITION;
      if (eqi(a.slice(1), b.slice(1))) return Q.SIMPLETYPO;
    }
    if (eqi(a.slice(1), b)) return Q.EXTRACHAR;
  }
  if (b !== '' && eqi(a, b.slice(1))) return Q.MISSINGCHAR;
  return Q.VERYDIFFERENT;
}

/** check_speling. */
export function checkSpeling(r: RequestRecord): Outcome {
  const cfg = r.dirConf(spelingModule).conf ?? DEFAULTS;
  if (!cfg.enabled || r.method !== 'GET' || r.finfo !== undefined) return DECLINED;
  if (r.filename === undefined || r.main !== undefined || r.notes.has('proxyreq')) return DECLINED;
  const filoc = r.filename.lastIndexOf('/');
  if (filoc < 0 || r.uri === '/') return DECLINED;
  const good = r.filename.slice(0, filoc);
  const bad = r.filename.slice(filoc + 1);
  const postgood = bad + r.pathInfo;
  if (!r.uri.endsWith(postgood)) return DECLINED;
  const url = r.uri.slice(0, r.uri.length - postgood.length);
  // In the directory's own order (apr_dir_read), not sorted as readdirSync would give it:
  // the 300 page lists equal candidates in that order. apr_dir_read also returns `.` and
  // `..` (first, as readdir does), which httpd compares like any name.
  const names: string[] = ['.', '..'];
  try {
    const dir = opendirSync(good);
    try {
      for (let e = dir.readSync(); e !== null; e = dir.readSync()) names.push(e.name);
    } finally {
      dir.closeSync();
    }
  } catch {
    return DECLINED;
  }
  const dotloc = bad.includes('.') ? bad.indexOf('.') : bad.length;
  const candidates: { name: string; quality: number }[] = [];
  for (const name of names) {
    if (name === bad) return OK; // a broken symlink or some such: no redirect loop
    const quality = eqi(bad, name)
      ? Q.MISCAPITALIZED
      : cfg.caseOnly
        ? Q.VERYDIFFERENT
        : spdist(bad, name);
    if (quality !== Q.VERYDIFFERENT) candidates.push({ name, quality });
    else if (cfg.basename) {
      const entloc = name.includes('.') ? name.indexOf('.') : name.length;
      if (dotloc === entloc && eqi(bad.slice(0, dotloc), name.slice(0, dotloc)))
        candidates.push({ name, quality: Q.VERYDIFFERENT });
    }
  }
  if (candidates.length === 0) return OK;
  candidates.sort((x, y) => x.quality - y.quality);
  const ref = headerIn(r, 'Referer');
  const query = r.args !== '' ? `?${r.args}` : '';
  const best = candidates[0];
  const second = candidates[1];
  if (
    best !== undefined &&
    best.quality !== Q.VERYDIFFERENT &&
    (second === undefined || best.quality !== second.quality)
  ) {
    const nuri = osEscapePath(url + best.name + r.pathInfo, true) + query;
    r.res.setHeader('Location', constructUrl(r, nuri));
    r.logError(
      'info',
      'speling',
      ref !== undefined ? 'AH03224' : 'AH03225',
      `Fixed spelling: ${r.uri} to ${nuri}${ref !== undefined ? ` from ${ref}` : ''}`,
    );
    return 301;
  }
  let t = `The document name you requested (<code>${escapeHtml(r.uri)}</code>) could not be found on this server.\nHowever, we found documents with names similar to the one you requested.<p>Available documents:\n<ul>\n`;
  const v: string[] = [];
  candidates.forEach((c, i) => {
    const reason = REASON[c.quality] ?? '';
    const vuri = url + c.name + r.pathInfo + query;
    v.push(`"${osEscapePath(vuri, true)}";"${reason}"`);
    t += `<li><a href="${osEscapePath(vuri, true)}">${escapeHtml(vuri)}</a> (${reason})\n`;
    const next = candidates[i + 1];
    if (
      i > 0 &&
      next !== undefined &&
      c.quality !== Q.VERYDIFFERENT &&
      next.quality === Q.VERYDIFFERENT
    )
      t += '</ul>\nFurthermore, the following related documents were found:\n<ul>\n';
  });
  t += '</ul>\n';
  if (ref !== undefined)
    t += `Please consider informing the owner of the referring page <tt>${escapeHtml(ref)}</tt> about the broken link.\n`;
  (r.main ?? r).notes.set('variant-list', t);
  const prev = r.env.get('VARIANTS');
  r.env.set('VARIANTS', prev === undefined ? v.join(',') : `${prev}, ${v.join(',')}`);
  r.logError(
    'info',
    'speling',
    ref !== undefined ? 'AH03226' : 'AH03227',
    `Spelling fix: ${r.uri}: ${candidates.length} candidates${ref !== undefined ? ` from ${ref}` : ''}`,
  );
  return 300;
}

/** mod_speling. */
export const spelingModule: ModuleDef<undefined, SpelingDirConf> = {
  name: 'speling',
  dir: { create, merge },
  directives,
  hooks: {
    fixups: { run: (r) => checkSpeling(r), order: 'last' },
  },
};
