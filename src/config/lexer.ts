// httpd: server/util.c (ap_cfg_getline, ap_getword_conf, ap_resolve_env),
//        server/config.c (ap_build_config_sub: the first word is the command name).
//
// The lexer turns file text into logical lines (continuations joined, comments and blank
// lines dropped) that keep the file and line number, and splits a line into words the way
// ap_getword_conf does. `${VAR}` expansion is a separate step because it must see the
// Defines in force when the line is *read* (tree.ts calls it line by line).

/** One logical configuration line. */
import { getwordsConf } from '../util/getword.js';

export interface Line {
  readonly file: string;
  /**
   * Line number reported for errors. For a continued line httpd reports the last physical
   * line (its line counter has already advanced past the continuation), so we do too.
   */
  readonly line: number;
  /** The text with continuations joined, leading/trailing whitespace removed. */
  readonly text: string;
}

/**
 * Split file text into logical lines. A line whose last non-blank character is `\` is
 * joined with the next one (the backslash removed). Lines whose first non-blank character
 * is `#` are comments; `#` anywhere else is literal (Apache has no trailing comments).
 */
export function readLines(source: string, file: string): Line[] {
  const physical = source.split(/\r?\n/);
  const out: Line[] = [];
  let pending = '';
  let continuing = false;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] ?? '';
    const trimmedEnd = raw.trimEnd();
    const joined = continuing ? pending + raw : raw;
    if (trimmedEnd.endsWith('\\')) {
      // ap_cfg_getline: a trailing backslash joins this line with the next.
      pending = (continuing ? pending : '') + trimmedEnd.slice(0, -1);
      continuing = true;
      if (i < physical.length - 1) continue;
      pushLine(out, file, i + 1, pending);
      break;
    }
    continuing = false;
    pending = '';
    pushLine(out, file, i + 1, joined);
  }
  return out;
}

function pushLine(out: Line[], file: string, line: number, text: string): void {
  const t = text.trim();
  if (t === '' || t.startsWith('#')) return;
  out.push({ file, line, text: t });
}

/**
 * Split a line into words as ap_getword_conf does (util/getword.ts): whitespace separates
 * words; a word that starts with `"` or `'` runs to the matching quote not escaped by a
 * backslash; `\\` is one backslash in any word, `\"` (or `\'`) the quote in a quoted one.
 */
export function splitWords(text: string): string[] {
  return getwordsConf(text);
}

/** Split a logical line into its command name and the rest of the text. */
export function splitCommand(text: string): { name: string; rest: string } {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text);
  return { name: m?.[1] ?? '', rest: (m?.[2] ?? '').trim() };
}

/**
 * Expand `${NAME}` from Defines first, then the process environment (ap_resolve_env).
 * An undefined name is left as written and reported through `undefinedVar` (httpd warns
 * "AH00111: Config variable ${NAME} is not defined").
 */
export function expandVars(
  text: string,
  lookup: (name: string) => string | undefined,
  undefinedVar: (name: string) => void,
): string {
  if (!text.includes('${')) return text;
  return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    const v = lookup(name);
    if (v === undefined) {
      undefinedVar(name);
      return whole;
    }
    return v;
  });
}
