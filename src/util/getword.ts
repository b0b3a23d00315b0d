// httpd: server/util.c (ap_getword_conf).
//
// Splitting a directive's or a config file line's arguments the way httpd does.

/** apr_isspace. */
const isSpace = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/**
 * substring_conf: a backslash before a backslash, or before the quote character inside a
 * quoted word, stands for that character; any other backslash stays as written.
 */
function substringConf(text: string, quote: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (c === '\\' && (next === '\\' || (quote !== '' && next === quote))) {
      out += next;
      i++;
    } else out += c;
  }
  return out;
}

/**
 * httpd's ap_getword_conf: skip blanks, read one word, honouring "double" or 'single'
 * quotes; inside one, `\"` (or `\'`) and `\\` do not end it. `\\` is one backslash in
 * every word, `\<quote>` the quote inside a quoted one (substring_conf). Returns
 * [word, rest].
 */
export function getwordConf(line: string): [string, string] {
  let i = 0;
  while (i < line.length && isSpace(line.charAt(i))) i++;
  const q = line.charAt(i);
  let word: string;
  let j: number;
  if (q === '"' || q === "'") {
    j = i + 1;
    while (j < line.length && line.charAt(j) !== q) {
      const next = line.charAt(j + 1);
      if (line.charAt(j) === '\\' && next !== '' && (next === q || next === '\\')) j += 2;
      else j++;
    }
    word = substringConf(line.slice(i + 1, Math.min(j, line.length)), q);
    if (j < line.length) j++; // closing quote
  } else {
    j = i;
    while (j < line.length && !isSpace(line.charAt(j))) j++;
    word = substringConf(line.slice(i, j), '');
  }
  while (j < line.length && isSpace(line.charAt(j))) j++;
  return [word, line.slice(j)];
}

/** Every word of `line`: the `while (*args) w = ap_getword_conf(…)` loop. */
export function getwordsConf(line: string): string[] {
  const out: string[] = [];
  for (let rest = line; rest.trim() !== '';) {
    const [w, next] = getwordConf(rest);
    rest = next;
    out.push(w);
  }
  return out;
}
