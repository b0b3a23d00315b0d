// httpd: modules/metadata/mod_headers.c (header_cmd, header_inout_cmd,
//        parse_format_string, parse_format_tag, parse_misc_string, merge_headers_config).
//
// `Header [always|onsuccess] action header [value] [replacement] [early|env=[!]var]` and
// `RequestHeader action header [value] [replacement] [early|env=[!]var]`. Entries append
// as sections merge (outer first). `expr=` values are ap_expr string expressions and
// `expr=` conditions boolean ones (src/expr), parsed here at startup.

import { Ctx, type AnyDirective, type Cmd, type DirectiveBuilder } from '../../config/directive.js';
import type { MergeSpec } from '../../config/merge.js';
import { getwordConf } from '../../util/getword.js';
import type { Expr } from '../../expr/ast.js';
import { tryParseExpr } from '../../expr/parse.js';

export type HeaderAction =
  'set' | 'setifempty' | 'add' | 'append' | 'merge' | 'unset' | 'echo' | 'edit' | 'edit*' | 'note';

/** One piece of a value format: literal text, or a %-tag. */
export type FormatTag =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'tag';
      readonly tag: 'D' | 't' | 'e' | 's' | 'l' | 'i' | 'b';
      readonly arg: string;
    };

export interface HeaderEntry {
  readonly action: HeaderAction;
  /** The header name (anything from a ':' on dropped), or echo's name regex. */
  readonly header: string;
  /** The value (edit: the replacement) as format tags; absent for unset and echo. */
  readonly format: readonly FormatTag[] | undefined;
  /** A value (edit: replacement) written `expr=…`: a string expression instead of tags. */
  readonly expr?: Expr;
  /** edit / edit*: the regex matched against each value. */
  readonly regex: string | undefined;
  /** `early`, or `env=[!]var`. */
  readonly condition:
    | { readonly kind: 'early' }
    | { readonly kind: 'env'; readonly name: string; readonly negate: boolean }
    | { readonly kind: 'expr'; readonly expr: Expr }
    | undefined;
}

export interface HeadersDirConf {
  /** RequestHeader entries. */
  fixupIn: readonly HeaderEntry[];
  /** Header (onsuccess) entries. */
  fixupOut: readonly HeaderEntry[];
  /** Header always entries. */
  fixupErr: readonly HeaderEntry[];
}

const merge: MergeSpec<HeadersDirConf> = {
  fixupIn: 'append',
  fixupOut: 'append',
  fixupErr: 'append',
};
const create = (): HeadersDirConf => ({ fixupIn: [], fixupOut: [], fixupErr: [] });

const TAGS = new Set(['D', 't', 'e', 's', 'l', 'i', 'b']);

/** parse_misc_string: text up to the next '%', with \\ \r \n \t escapes. */
function miscString(s: string, at: number): [string, number] {
  let out = '';
  let i = at;
  while (i < s.length && s[i] !== '%') {
    if (s[i] !== '\\') {
      out += s[i];
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '\\') out += '\\';
    else if (next === 'r') out += '\r';
    else if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else {
      out += '\\';
      i++;
      continue;
    }
    i += 2;
  }
  return [out, i];
}

/** parse_format_string: the tags of a value, or the error text. */
export function parseFormat(s: string): FormatTag[] | string {
  const out: FormatTag[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '%') {
      const [text, next] = miscString(s, i);
      out.push({ kind: 'text', text });
      i = next;
      continue;
    }
    i++;
    if (i >= s.length || s[i] === '%') {
      out.push({ kind: 'text', text: '%' });
      if (i < s.length) i++;
      continue;
    }
    let arg = '';
    if (s[i] === '{') {
      const end = s.indexOf('}', i);
      if (end < 0) arg = s.slice(i + 1);
      else arg = s.slice(i + 1, end);
      i = end < 0 ? s.length : end + 1;
    }
    const tag = s[i];
    if (tag === undefined || !TAGS.has(tag)) return `Unrecognized header format %${tag ?? ''}`;
    out.push({ kind: 'tag', tag: tag as 'D', arg });
    i++;
  }
  return out;
}

const ACTIONS: readonly HeaderAction[] = [
  'set',
  'setifempty',
  'add',
  'append',
  'merge',
  'unset',
  'echo',
  'edit',
  'edit*',
  'note',
];

/** ap_pregcomp (POSIX extended): compile or undefined. */
function compiles(re: string): boolean {
  try {
    new RegExp(re);
    return true;
  } catch {
    return false;
  }
}

type C = Cmd<undefined, HeadersDirConf>;

/** header_cmd + header_inout_cmd. */
function headerCmd(c: C, raw: string, directive: 'Header' | 'RequestHeader'): void {
  let rest = raw;
  const word = (): string => {
    const [w, next] = getwordConf(rest);
    rest = next;
    return w;
  };
  let list: 'in' | 'out' | 'err' = directive === 'RequestHeader' ? 'in' : 'out';
  let actionWord = word();
  if (directive === 'Header') {
    if (actionWord.toLowerCase() === 'always') {
      list = 'err';
      actionWord = word();
    } else if (actionWord.toLowerCase() === 'onsuccess') actionWord = word();
  }
  let hdr = word();
  let value: string | undefined = rest.trim() !== '' ? word() : undefined;
  let subs: string | undefined = rest.trim() !== '' ? word() : undefined;
  let envclause: string | undefined = rest.trim() !== '' ? word() : undefined;
  if (rest.trim() !== '') throw c.fail(`${directive} has too many arguments`);

  const action = ACTIONS.find((a) => a === actionWord.toLowerCase());
  if (action === undefined)
    throw c.fail(
      "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'.",
    );
  let regex: string | undefined;
  if (action === 'edit' || action === 'edit*') {
    if (subs === undefined || value === undefined)
      throw c.fail('Header edit requires a match and a substitution');
    if (!compiles(value)) throw c.fail('Header edit regex could not be compiled');
    regex = value;
  } else {
    if (envclause !== undefined) throw c.fail('Too many arguments to directive');
    envclause = subs;
    subs = undefined;
  }
  if (action === 'unset') {
    if (value !== undefined) {
      if (envclause !== undefined) throw c.fail('header unset takes two arguments');
      envclause = value;
      value = undefined;
    }
  } else if (action === 'echo') {
    if (value !== undefined) {
      if (envclause !== undefined) throw c.fail('Header echo takes two arguments');
      envclause = value;
      value = undefined;
    }
    if (list === 'in') throw c.fail('Header echo only valid on Header directives');
    if (!compiles(hdr)) throw c.fail('Header echo regex could not be compiled');
  } else if (value === undefined) throw c.fail('Header requires three arguments');

  let condition: HeaderEntry['condition'];
  if (envclause !== undefined) {
    const lower = envclause.toLowerCase();
    if (lower === 'early') condition = { kind: 'early' };
    else if (lower.startsWith('env=')) {
      const v = envclause.slice(4);
      if (v === '' || v === '!')
        throw c.fail(
          'error: missing environment variable name. envclause should be in the form env=envar ',
        );
      condition = v.startsWith('!')
        ? { kind: 'env', name: v.slice(1), negate: true }
        : { kind: 'env', name: v, negate: false };
    } else if (lower.startsWith('expr=')) {
      const parsed = tryParseExpr(envclause.slice(5));
      if ('error' in parsed) throw c.fail(`Can't parse envclause/expression: ${parsed.error}`);
      condition = { kind: 'expr', expr: parsed.expr };
    } else throw c.fail(`Unknown parameter: ${envclause}`);
  }
  const colon = hdr.indexOf(':');
  if (colon >= 0 && action !== 'echo') hdr = hdr.slice(0, colon);

  let format: FormatTag[] | undefined;
  let valueExpr: Expr | undefined;
  if (action !== 'unset' && action !== 'echo') {
    const text = action === 'edit' || action === 'edit*' ? (subs ?? '') : (value ?? '');
    if (text.startsWith('expr=')) {
      const parsed = tryParseExpr(text.slice(5), 'string');
      if ('error' in parsed) throw c.fail(`Can't parse value expression : ${parsed.error}`);
      valueExpr = parsed.expr;
      format = [];
    } else {
      const parsed = parseFormat(text);
      if (typeof parsed === 'string') throw c.fail(parsed);
      format = parsed;
    }
  }
  const entry: HeaderEntry = {
    action,
    header: hdr,
    format,
    regex,
    condition,
    ...(valueExpr !== undefined ? { expr: valueExpr } : {}),
  };
  if (list === 'in') c.dir.fixupIn = [...c.dir.fixupIn, entry];
  else if (list === 'err') c.dir.fixupErr = [...c.dir.fixupErr, entry];
  else c.dir.fixupOut = [...c.dir.fixupOut, entry];
}

/** mod_headers' directive table. */
export function headersDirectives(
  d: DirectiveBuilder<undefined, HeadersDirConf>,
): AnyDirective<undefined, HeadersDirConf>[] {
  return [
    d.raw(
      'Header',
      Ctx.OR_FILEINFO,
      'an optional condition, an action, header and value followed by optional env clause',
      (c, raw) => headerCmd(c, raw, 'Header'),
    ),
    d.raw(
      'RequestHeader',
      Ctx.OR_FILEINFO,
      'an action, header and value followed by optional env clause',
      (c, raw) => headerCmd(c, raw, 'RequestHeader'),
    ),
  ];
}

/** mod_headers' config pieces, to spread into its ModuleDef. */
export const headersConfig = {
  dir: { create, merge },
  directives: headersDirectives,
} as const;
