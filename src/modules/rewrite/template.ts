// httpd: modules/mappers/mod_rewrite.c (do_expand, find_closing_curly, find_char_in_curlies).
//
// A substitution string, a RewriteCond input, an [E=]/[CO=]/[T=]/[H=] value: parsed once at
// configuration time into tokens, expanded per request in one pass (the result of an
// expansion is never expanded again, do_expand's security rule). What httpd decides while
// scanning depends only on the text, so parsing ahead is exact: `\c` is `c`, `%{VAR}` a
// server variable, `${map:key|default}` a map lookup (key and default are templates
// themselves), `$N`/`%N` a back-reference to the rule / the last matched condition, and a
// `$`/`%` that starts none of these is kept as written.

/** One piece of a parsed template. */
export type Token =
  /** Text as written. `tracked`: a plain span, where a `?` counts for [UnsafeAllow3F]. */
  | { readonly k: 'lit'; readonly s: string; readonly tracked: boolean }
  | { readonly k: 'var'; readonly name: string }
  | {
      readonly k: 'map';
      readonly name: string;
      readonly key: Template;
      readonly dflt: Template | undefined;
    }
  /** `$N` (rule) or `%N` (condition) back-reference. */
  | { readonly k: 'ref'; readonly rule: boolean; readonly n: number };

export interface Template {
  readonly tokens: readonly Token[];
  /** Some %{LA-U:…}/%{LA-F:…} inside: a sub-request must run before expansion. */
  readonly lookahead: boolean;
  /** No token but literals: the expansion is the text itself. */
  readonly constant: string | undefined;
}

const isSpecial = (c: string | undefined): boolean => c === '\\' || c === '$' || c === '%';

/** find_closing_curly: index of the `}` closing the `{` before `from`, or -1. */
function closingCurly(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '}' && --depth === 0) return i;
    if (s[i] === '{') ++depth;
  }
  return -1;
}

/** find_char_in_curlies: first `c` at depth 1 from `from`, stopping at the closing `}`. */
function charInCurlies(s: string, from: number, c: string): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === c && depth === 1) return i;
    if (s[i] === '}' && --depth === 0) return -1;
    if (s[i] === '{') ++depth;
  }
  return -1;
}

/** Parse `input` as do_expand reads it. */
export function parseTemplate(input: string): Template {
  const tokens: Token[] = [];
  let lookahead = false;
  const lit = (s: string, tracked: boolean): void => {
    if (s !== '') tokens.push({ k: 'lit', s, tracked });
  };
  let p = 0;
  while (p < input.length) {
    let q = p;
    while (q < input.length && !isSpecial(input[q])) q++;
    lit(input.slice(p, q), true);
    p = q;
    if (p >= input.length) break;
    const c = input[p];
    if (c === '\\') {
      if (p + 1 >= input.length) {
        lit('\\', false);
        break;
      }
      lit(input[p + 1] ?? '', false);
      p += 2;
    } else if (input[p + 1] === '{') {
      const end = closingCurly(input, p + 2);
      if (end < 0) {
        lit(input.slice(p, p + 2), false);
        p += 2;
      } else if (c === '%') {
        const name = input.slice(p + 2, end);
        if (/^LA-[UF]:/i.test(name)) lookahead = true;
        tokens.push({ k: 'var', name });
        p = end + 1;
      } else {
        const colon = charInCurlies(input, p + 2, ':');
        if (colon < 0) {
          lit(input.slice(p, p + 2), false);
          p += 2;
        } else {
          const inner = input.slice(p + 2, end);
          const keyStart = colon - (p + 2) + 1;
          const bar = charInCurlies(inner + '}', keyStart, '|');
          const key = parseTemplate(inner.slice(keyStart, bar < 0 ? undefined : bar));
          const dflt = bar < 0 ? undefined : parseTemplate(inner.slice(bar + 1));
          lookahead ||= key.lookahead || dflt?.lookahead === true;
          tokens.push({ k: 'map', name: inner.slice(0, keyStart - 1), key, dflt });
          p = end + 1;
        }
      }
    } else if (/[0-9]/.test(input[p + 1] ?? '')) {
      tokens.push({ k: 'ref', rule: c === '$', n: Number(input[p + 1]) });
      p += 2;
    } else {
      lit(c ?? '', false);
      p += 1;
    }
  }
  const constant = tokens.every((t) => t.k === 'lit')
    ? tokens.map((t) => (t.k === 'lit' ? t.s : '')).join('')
    : undefined;
  return { tokens, lookahead, constant };
}

/** What an expansion reads: variables, maps and the two back-reference sources. */
export interface ExpandCtx {
  variable(name: string): string;
  map(name: string, key: string): string | undefined;
  /** The rule's match ($N), undefined after a `!` pattern. */
  readonly ruleMatch: RegExpExecArray | undefined;
  /** The last matched condition's match (%N). */
  readonly condMatch: RegExpExecArray | undefined;
  /** [B]: escape a back-reference; undefined = no escaping. */
  readonly escapeRef?: ((s: string) => string) | undefined;
}

/** The expansion and, when asked, where its first (or [QSL]: last) `?` came from. */
export interface Expansion {
  readonly text: string;
  /** -1 no `?`, 0 a literal one, 1 one that came out of an expansion (do_expand's unsafe_qmark). */
  readonly unsafeQmark: -1 | 0 | 1;
}

/** do_expand: one pass over the tokens. `track`: follow `?` origins ('first' or 'last'). */
export function expand(t: Template, ctx: ExpandCtx, track?: 'first' | 'last'): Expansion {
  if (t.constant !== undefined && track === undefined) return { text: t.constant, unsafeQmark: -1 };
  let out = '';
  let unsafe: -1 | 0 | 1 = -1;
  let tracking = track !== undefined;
  const note = (s: string, value: 0 | 1): void => {
    if (tracking && s.includes('?')) {
      unsafe = value;
      if (track !== 'last') tracking = false;
    }
  };
  for (const tok of t.tokens) {
    switch (tok.k) {
      case 'lit':
        out += tok.s;
        if (tok.tracked) note(tok.s, 0);
        break;
      case 'var': {
        const v = ctx.variable(tok.name);
        out += v;
        note(v, 1);
        break;
      }
      case 'map': {
        let v = ctx.map(tok.name, expand(tok.key, ctx).text);
        if (v === undefined && tok.dflt !== undefined) {
          const d = expand(tok.dflt, ctx).text;
          if (d !== '') v = d;
        }
        if (v !== undefined && v !== '') {
          out += v;
          note(v, 1);
        }
        break;
      }
      case 'ref': {
        const m = tok.rule ? ctx.ruleMatch : ctx.condMatch;
        const g = m?.[tok.n];
        if (g !== undefined && g !== '') {
          const v = ctx.escapeRef === undefined ? g : ctx.escapeRef(g);
          out += v;
          note(v, 1);
        }
        break;
      }
    }
  }
  return { text: out, unsafeQmark: unsafe };
}
