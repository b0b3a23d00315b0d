// httpd: server/util.c (ap_getword_conf).
//
// Splitting a directive's or a config file line's arguments the way httpd does.

/**
 * httpd's ap_getword_conf: skip blanks, read one word, honouring "double" or 'single'
 * quotes (a backslash escapes the quote character inside). Returns [word, rest].
 */
export function getwordConf(line: string): [string, string] {
  let i = 0;
  while (i < line.length && /\s/.test(line.charAt(i))) i++;
  const q = line.charAt(i);
  if (q === '"' || q === "'") {
    let word = '';
    let j = i + 1;
    while (j < line.length && line.charAt(j) !== q) {
      if (line.charAt(j) === '\\' && line.charAt(j + 1) === q) j++;
      word += line.charAt(j);
      j++;
    }
    if (j < line.length) j++; // closing quote
    while (j < line.length && /\s/.test(line.charAt(j))) j++;
    return [word, line.slice(j)];
  }
  let j = i;
  while (j < line.length && !/\s/.test(line.charAt(j))) j++;
  const word = line.slice(i, j);
  while (j < line.length && /\s/.test(line.charAt(j))) j++;
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
