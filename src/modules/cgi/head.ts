// httpd: server/util_script.c (ap_scan_script_header_err_core_ex), server/util.c
//        (ap_escape_shell_cmd), modules/generators/mod_cgi.c (default_build_command).
//
// The pure parts of running a CGI script: the argv an ISINDEX query gives, and reading
// the head of the script's output (Status, Location, Content-Type and the other fields).

/** APACHE_ARG_MAX: an ISINDEX query with more words than this gives no arguments. */
const ARG_MAX = 512;

/** ap_escape_shell_cmd: a backslash before each shell metacharacter. */
export function escapeShellCmd(s: string): string {
  return s.replace(/[&;`'"|*?~<>^()[\]{}$\\\n\xff]/g, (c) => `\\${c}`);
}

/** ap_unescape_url for an argument: %XX decoded (bytes as latin1), '+' left alone. */
function unescapeArg(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * default_build_command: the script's arguments. Only an ISINDEX query (one without `=`)
 * gives any: its `+`-separated words, decoded and shell-escaped.
 */
export function isindexArgs(args: string): string[] {
  if (args === '' || args.includes('=')) return [];
  const words = args.split('+');
  if (words.length > ARG_MAX - 1) return [];
  return words.map((w) => escapeShellCmd(unescapeArg(w)));
}

/** What the head of a script's output said. */
export interface ScriptHead {
  /** Status: the code, when the script gave one. */
  readonly status: number | undefined;
  /** Status: the text after the code (the reason phrase sent), when given. */
  readonly reason: string | undefined;
  /** The other fields, in order, names as written (Content-Type's type lower-cased). */
  readonly headers: readonly (readonly [string, string])[];
  /** Location, if any (the last one). */
  readonly location: string | undefined;
}

/** The head was refused: the message ap_scan_script_header_err logs (no AH id). */
export interface HeadError {
  readonly error: string;
}

/** ap_content_type_tolower, after trailing whitespace is cut. */
function contentType(v: string): string {
  const t = v.replace(/\s+$/, '');
  const semi = t.indexOf(';');
  return semi < 0 ? t.toLowerCase() : t.slice(0, semi).toLowerCase() + t.slice(semi);
}

/**
 * Parse the head lines (without the blank line that ends them; CR LF or LF already cut).
 * `name` is the script's file name for the messages.
 */
export function parseScriptHead(lines: readonly string[], name: string): ScriptHead | HeadError {
  let status: number | undefined;
  let reason: string | undefined;
  let location: string | undefined;
  const headers: [string, string][] = [];
  for (const w of lines) {
    const colon = w.indexOf(':');
    if (colon < 0)
      return { error: `malformed header from script '${name}': Bad header: ${w.slice(0, 30)}` };
    const key = w.slice(0, colon);
    const value = w.slice(colon + 1).replace(/^\s+/, '');
    const lower = key.toLowerCase();
    if (lower === 'status') {
      // atoi: the leading number; r->status_line is the whole value.
      const m = /^\s*([+-]?\d+)/.exec(value);
      status = m?.[1] === undefined ? 0 : Number(m[1]);
      const text = value.slice((m?.[0] ?? '').length).trim();
      reason = text === '' ? undefined : text;
    } else if (lower === 'content-type') {
      headers.push([key, contentType(value)]);
    } else {
      if (lower === 'location') location = value;
      headers.push([key, value]);
    }
  }
  return { status, reason, headers, location };
}

/** Split a buffer of output at the end of the head: [head lines, the rest], or undefined. */
export function splitHead(buf: Buffer): { lines: string[]; rest: Buffer } | undefined {
  let start = 0;
  const lines: string[] = [];
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) return undefined;
    const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    const line = buf.toString('latin1', start, end);
    start = nl + 1;
    if (line === '') return { lines, rest: buf.subarray(start) };
    lines.push(line);
  }
}
