// httpd: server/util_pcre.c (ap_regcomp with AP_REG_EXTENDED [| AP_REG_ICASE]).
//
// mod_rewrite's and ap_expr's patterns are PCRE. JavaScript's RegExp (without the `u`
// flag) reads the same syntax for nearly everything they use; the few PCRE-only spellings are rewritten
// here: POSIX classes inside brackets (`[[:alpha:]]`), `\A`, `\z`/`\Z`, `(?P<name>`, and a
// leading `(?i)`. Anything else JavaScript refuses is refused as httpd refuses a pattern
// PCRE cannot compile ("cannot compile regular expression").

const POSIX: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: 'A-Za-z0-9_',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
};

/** Translate a PCRE pattern to JavaScript source + flags, or undefined if it cannot. */
export function pcreToJs(src: string, icase: boolean): { source: string; flags: string } {
  let flags = icase ? 'i' : '';
  let s = src;
  if (s.startsWith('(?i)')) {
    s = s.slice(4);
    if (!flags.includes('i')) flags += 'i';
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '\\') {
      const n = s[i + 1] ?? '';
      i++;
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && (n === 'z' || n === 'Z')) out += '$';
      else out += c + n;
      continue;
    }
    if (inClass) {
      if (c === '[' && s[i + 1] === ':') {
        const end = s.indexOf(':]', i + 2);
        const name = end < 0 ? undefined : s.slice(i + 2, end);
        const set = name === undefined ? undefined : POSIX[name];
        if (set !== undefined && end >= 0) {
          out += set;
          i = end + 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // PCRE: a `]` right after `[` or `[^` is a literal.
      if (s[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (s[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && s.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    out += c;
  }
  return { source: out, flags };
}

/**
 * PCRE spellings JavaScript reads differently or not at all: possessive quantifiers, atomic
 * groups, comments, branch reset, inline flags past the start, and the escapes \Q \E \K
 * \G \R \h \H \X \p \P \x{…}. The first one found (to name in the config error), or
 * undefined. Escaped backslashes are skipped so `\\p` is a backslash and a `p`.
 */
export function pcreOnlySyntax(src: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if ('QEKGRhHXpP'.includes(n) && n !== '') return `\\${n}`;
      if (n === 'x' && src[i + 2] === '{') return '\\x{…}';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (src[i + 1] === '^') i++;
      if (src[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const t = src.slice(i + 2);
      if (t.startsWith('>')) return '(?>';
      if (t.startsWith('#')) return '(?#';
      if (t.startsWith('|')) return '(?|';
      if (/^[a-zA-Z-]+[:)]/.test(t) && !(i === 0 && t.startsWith('i)')))
        return `(?${t.slice(0, t.search(/[:)]/) + 1)}`;
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && src[i + 1] === '+' && i > 0)
      return `${c}+`;
  }
  return undefined;
}

/** Compile a rule/condition pattern; undefined when it does not compile. */
export function compilePattern(src: string, icase: boolean): RegExp | undefined {
  const { source, flags } = pcreToJs(src, icase);
  try {
    return new RegExp(source, flags);
  } catch {
    return undefined;
  }
}
