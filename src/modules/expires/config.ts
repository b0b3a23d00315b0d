// httpd: modules/metadata/mod_expires.c (expires_cmds, check_code, set_expiresbytype,
//        set_expiresdefault, merge_expires_dir_configs).
//
// ExpiresActive, ExpiresByType, ExpiresDefault (AllowOverride Indexes in .htaccess). A code
// is `A<seconds>` / `M<seconds>` or `<base> [plus] {<num> <type>}*` with base access|now
// (A) or modification (M); both are stored as A/M + seconds.

import { Ctx, type AnyDirective, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { getwordConf } from '../../util/getword.js';

export interface ExpiresDirConf {
  /** ExpiresActive; undefined = not said here (ACTIVE_DONTCARE). */
  active: boolean | undefined;
  /** ExpiresDefault's code (`A3600`). */
  expiresDefault: string | undefined;
  /** ExpiresByType: MIME type (lower-cased) → code; the section's own override the outer. */
  byType: Readonly<Record<string, string>>;
  /**
   * A `type/*` entry was written in this section: true; another mod_expires directive
   * only: false (httpd creates a section's config only when one of its directives is
   * used there, ap_set_config_vectors, and then new->wildcards = add->wildcards); no
   * mod_expires directive: undefined, the outer value stands.
   */
  wildcards: boolean | undefined;
}

const create = (): ExpiresDirConf => ({
  active: undefined,
  expiresDefault: undefined,
  byType: {},
  wildcards: undefined,
});
const merge: MergeSpec<ExpiresDirConf> = {
  active: 'override',
  expiresDefault: 'override',
  byType: (base, over) => ({ ...base, ...over }),
  wildcards: 'override',
};

const UNITS: readonly [string, number, number][] = [
  // [word, letters that must match (strncasecmp length), seconds]
  ['years', 1, 60 * 60 * 24 * 365],
  ['months', 2, 60 * 60 * 24 * 30],
  ['weeks', 1, 60 * 60 * 24 * 7],
  ['days', 1, 60 * 60 * 24],
  ['hours', 1, 60 * 60],
  ['minutes', 2, 60],
  ['seconds', 1, 1],
];

/** strncasecmp(word, name, n) === 0 (a shorter word compares its NUL, so it differs). */
const prefix = (word: string, name: string, n: number): boolean =>
  word.slice(0, n).toLowerCase() === name.slice(0, n);

/** check_code: the stored code, or the error text. */
export function checkCode(code: string): string | { readonly error: string } {
  if (code.startsWith('A') || code.startsWith('M')) return code;
  let rest = code;
  const word = (): string => {
    const [w, next] = getwordConf(rest);
    rest = next;
    return w;
  };
  let w = word();
  let base: 'A' | 'M';
  if (prefix(w, 'now', 1) || prefix(w, 'access', 1)) base = 'A';
  else if (prefix(w, 'modification', 1)) base = 'M';
  else return { error: `bad expires code, unrecognised <base> '${w}'` };
  w = word();
  if (prefix(w, 'plus', 1)) w = word();
  let modifier = 0;
  while (w !== '') {
    if (!/^[0-9]/.test(w))
      return { error: `bad expires code, numeric value expected <num> '${w}'` };
    const num = Number.parseInt(w, 10);
    const type = word();
    if (type === '') return { error: 'bad expires code, missing <type>' };
    const unit = UNITS.find(([name, n]) => prefix(type, name, n));
    if (unit === undefined) return { error: `bad expires code, unrecognised <type>'${type}'` };
    modifier += unit[2] * num;
    w = word();
  }
  return `${base}${modifier}`;
}

/** mod_expires' directive table. */
export function expiresDirectives(
  d: DirectiveBuilder<undefined, ExpiresDirConf>,
): AnyDirective<undefined, ExpiresDirConf>[] {
  const where = Ctx.OR_INDEXES;
  return [
    d.flag('ExpiresActive', where, "Limited to 'on' or 'off'", (c, on) => {
      c.dir.wildcards ??= false;
      c.dir.active = on;
    }),
    d.take2(
      'ExpiresByType',
      where,
      'a MIME type followed by an expiry date code',
      (c, mime, code) => {
        const slash = mime.lastIndexOf('/');
        if (slash < 0) throw c.fail('Invalid mimetype: should contain a slash');
        const checked = checkCode(code);
        if (typeof checked !== 'string')
          throw c.fail(`'ExpiresByType ${mime} ${code}': ${checked.error}`);
        c.dir.wildcards ??= false;
        if (mime.slice(slash + 1) === '*') c.dir.wildcards = true;
        // apr_table keys: case-insensitive.
        c.dir.byType = { ...c.dir.byType, [mime.toLowerCase()]: checked };
      },
    ),
    d.take1('ExpiresDefault', where, 'an expiry date code', (c, code) => {
      const checked = checkCode(code);
      if (typeof checked !== 'string') throw c.fail(`'ExpiresDefault ${code}': ${checked.error}`);
      c.dir.wildcards ??= false;
      c.dir.expiresDefault = checked;
    }),
  ];
}

/** mod_expires' config pieces, to spread into its ModuleDef. */
export const expiresConfig = {
  dir: { create, merge },
  directives: expiresDirectives,
} as const;
