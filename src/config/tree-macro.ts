// httpd: modules/core/mod_macro.c (macro_section, use_macro, undef_macro,
// check_macro_arguments, check_macro_contents, substitute_macro_args).
//
// `<Macro Name $a $b>` … `</Macro>` keeps its lines as written; `Use Name x y` puts them in
// place with each argument replaced (the longest name first where two start at one place;
// an `@arg` value goes in double-quoted, with `"` and `\` escaped) and reads them as a
// configuration file named `macro 'name' (defined on line N of "f") used on line M of "f"`;
// `UndefMacro Name` forgets one. All at read time (EXEC_ON_READ), names case-blind.

/** Argument names are expected to start with one of these (ARG_PREFIX). */
export const ARG_PREFIX = '$%@';

export interface MacroDef {
  /** Lower-cased name. */
  readonly name: string;
  readonly params: readonly string[];
  /** The body lines as written (text after continuation joining), with their offsets. */
  readonly lines: readonly { readonly text: string; readonly offset: number }[];
  /** `defined on line N of "file"`. */
  readonly location: string;
}

/** check_macro_arguments: the error text, if any; warnings go to `warn`. */
export function checkParams(
  name: string,
  location: string,
  params: readonly string[],
  warn: (id: string, text: string) => void,
): string | undefined {
  for (let i = 0; i < params.length; i++) {
    const a = params[i] ?? '';
    if (a === '') return `macro '${name}' (${location}): empty argument #${i + 1} name`;
    if (!ARG_PREFIX.includes(a[0] ?? ''))
      warn(
        'AH02796',
        `macro '${name}' (${location}) argument name '${a}' (#${i + 1}) without expected prefix, better prefix argument names with one of '${ARG_PREFIX}'.`,
      );
    for (let j = i + 1; j < params.length; j++) {
      const b = params[j] ?? '';
      if (a === b)
        return `argument name conflict in macro '${name}' (${location}): argument '${a}': #${i + 1} and #${j + 1}, change argument names!`;
      const n = Math.min(a.length, b.length);
      if (n > 0 && a.slice(0, n) === b.slice(0, n))
        warn(
          'AH02797',
          `macro '${name}' (${location}): argument name prefix conflict (${a} #${i + 1} and ${b} #${j + 1}), be careful about your macro definition!`,
        );
    }
  }
  return undefined;
}

/**
 * substitute_macro_args on one line; `used` marks the parameters that occur. As in httpd,
 * the scan resumes `value.length` characters after the start of each replacement (inside a
 * quoted `@` value, whose quotes and escapes make it longer).
 */
export function substitute(
  line: string,
  params: readonly string[],
  values: readonly string[],
  used?: boolean[],
): string {
  let buf = line;
  let ptr = 0;
  for (;;) {
    let at = -1;
    let which = -1;
    params.forEach((p, i) => {
      const f = buf.indexOf(p, ptr);
      if (f < 0) return;
      if (at < 0 || f < at || (f === at && p.length > (params[which] ?? '').length)) {
        at = f;
        which = i;
      }
    });
    if (at < 0) return buf;
    const name = params[which] ?? '';
    const value = values[which] ?? '';
    if (used) used[which] = true;
    if (name !== value) {
      const replaced = name.startsWith('@')
        ? `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
        : value;
      buf = buf.slice(0, at) + replaced + buf.slice(at + name.length);
    }
    ptr = at + value.length;
  }
}
