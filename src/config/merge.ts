// httpd: server/config.c (ap_merge_per_dir_configs), each module's merge_*_config.
//
// Every config field says how it merges (STYLE.md do-2). A config type with a field that
// has no rule is a compile error, because MergeSpec<C> requires every key.

/**
 * How one field merges, base (outer/earlier) with over (inner/later):
 * - 'override': `over` if it is set (not undefined), else `base` (httpd's `x_set ? over : base`).
 * - 'prepend': arrays, `over` entries first then `base` (mod_alias: the inner Alias wins).
 * - 'append': arrays, `base` then `over`.
 * - a function: custom rule (e.g. Options with +/-).
 */
export type MergeRule<T> = 'override' | 'prepend' | 'append' | ((base: T, over: T) => T);

/** One rule per field, all fields required. */
export type MergeSpec<C> = { readonly [K in keyof C]-?: MergeRule<C[K]> };

/** Merge two configs of the same shape by their spec. Neither input is modified. */
export function mergeBySpec<C extends object>(spec: MergeSpec<C>, base: C, over: C): C {
  const out = { ...base };
  for (const key of Object.keys(spec) as (keyof C)[]) {
    const rule: MergeRule<C[keyof C]> = spec[key];
    const b = base[key];
    const o = over[key];
    if (rule === 'override') {
      out[key] = o === undefined ? b : o;
    } else if (rule === 'prepend' || rule === 'append') {
      const ba = (b ?? []) as unknown as readonly unknown[];
      const oa = (o ?? []) as unknown as readonly unknown[];
      out[key] = (rule === 'prepend' ? [...oa, ...ba] : [...ba, ...oa]) as unknown as C[keyof C];
    } else {
      out[key] = rule(b, o);
    }
  }
  return out;
}
