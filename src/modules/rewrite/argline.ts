// httpd: modules/mappers/mod_rewrite.c (parseargline, cmd_parseflagfield).
//
// RewriteRule/RewriteCond read their own argument line (RAW_ARGS): up to three words,
// each optionally in "double" or 'single' quotes. A backslash before a blank keeps the
// blank inside the word and stays in it (the regex or the substitution reads `\ `), which
// is why httpd calls this parser "inclined" and keeps it for compatibility.

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** The words of a RewriteRule/RewriteCond line, or undefined when there are fewer than two. */
export interface ArgLine {
  readonly a1: string;
  readonly a2: string;
  readonly a3: string | undefined;
}

/** parseargline: `undefined` is httpd's "bad argument line" (returns true on error). */
export function parseArgLine(str: string): ArgLine | undefined {
  let i = 0;
  const word = (): { text: string; ended: boolean } => {
    const quote = str[i] === '"' || str[i] === "'" ? str[i++] : undefined;
    const start = i;
    for (; i < str.length; i++) {
      const c = str[i];
      if ((isSpace(c) && quote === undefined) || c === quote) break;
      if (c === '\\' && isSpace(str[i + 1])) i++;
    }
    return { text: str.slice(start, Math.min(i, str.length)), ended: i >= str.length };
  };
  while (isSpace(str[i])) i++;
  const w1 = word();
  if (w1.ended) return undefined;
  i++;
  while (isSpace(str[i])) i++;
  const w2 = word();
  if (w2.ended) return { a1: w1.text, a2: w2.text, a3: undefined };
  i++;
  while (isSpace(str[i])) i++;
  if (i >= str.length) return { a1: w1.text, a2: w2.text, a3: undefined };
  const w3 = word();
  return { a1: w1.text, a2: w2.text, a3: w3.text };
}

/**
 * cmd_parseflagfield: `[a,b=c, d]` → each key/value handed to `set`, which returns an
 * error text (httpd's message, without the "RewriteRule: " prefix) or undefined.
 * A flag without `=` gets the empty string as its value.
 */
export function parseFlagField(
  field: string,
  set: (key: string, val: string) => string | undefined,
): string | undefined {
  if (!field.startsWith('[') || !field.endsWith(']') || field.length < 2)
    return 'bad flag delimiters';
  const body = field.slice(1, -1) + ',';
  let pos = 0;
  while (pos < body.length) {
    while (isSpace(body[pos])) pos++;
    const next = body.indexOf(',', pos);
    if (pos >= body.length || next < 0) break;
    let end = next;
    while (end > pos && isSpace(body[end - 1])) end--;
    const item = body.slice(pos, end);
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const val = eq < 0 ? '' : item.slice(eq + 1);
    const err = set(key, val);
    if (err !== undefined) return err;
    pos = next + 1;
  }
  return undefined;
}
