// httpd: server/config.c (ap_process_config_tree → "AH00526: Syntax error on line %d of %s:"),
//        server/main.c (process_resource_config failures → "apache2: Syntax error on line …").
//
// httpd reports configuration errors in two shapes, and tswsgi keeps both so that
// messages read exactly like Apache's:
//  - errors raised while *reading* the files (section nesting, Include, Define, LoadModule,
//    If* sections; httpd's EXEC_ON_READ phase) print on one line, prefixed with the program
//    name and wrapped once per Include level:
//      tswsgi: Syntax error on line 11 of /c.conf: Syntax error on line 1 of /inc.conf: …
//  - errors raised while *applying* directives (arity, context, values) print the location,
//    a newline, then the message:
//      AH00526: Syntax error on line 9 of /c.conf:
//      DocumentRoot takes one argument, Root directory of the document tree
//
// Both shapes go through httpd's error log (ap_log_error / ap_log_perror; the AH00526 form is
// two log calls, location then message), which escapes each formatted message with
// ap_escape_errorlog_item (server/util.c): backslashes doubled, control and non-ASCII bytes
// as \n, \t… or \xhh, quotes left alone. So `Foo\bar` reads `Invalid command 'Foo\\bar'`.

/** Stable codes for configuration errors (fastify-style catalog, STYLE.md do-10). */
export const ConfigErrorCode = {
  /** A directive failed while being applied (httpd AH00526). */
  SYNTAX: 'TSW_ERR_CONFIG_SYNTAX',
  /** Reading the file tree failed (nesting, Include, Define, LoadModule, If*). */
  READ: 'TSW_ERR_CONFIG_READ',
  /** The main configuration file could not be opened. */
  OPEN: 'TSW_ERR_CONFIG_OPEN',
} as const;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** The program name used in read-phase messages (httpd prints argv[0], e.g. `apache2`). */
export const PROGRAM_NAME = 'tswsgi';

/** The pseudo file name of -C/-c directives (httpd's wording). */
export const CMDLINE_FILE = '-c/-C directives';

/** One level of location: "Syntax error on line N of FILE". */
export interface ErrorFrame {
  readonly file: string;
  readonly line: number;
}

/**
 * A configuration error. `message` is the full text exactly as it should be printed;
 * `detail` is the bare message; `file`/`line` the innermost location.
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly line: number;
  readonly detail: string;
  /** Include chain, outermost first, ending with the innermost location (read errors). */
  readonly frames: readonly ErrorFrame[];
  /** Log lines httpd writes to stderr before the error itself (e.g. AH00077). */
  readonly preface: readonly string[];

  constructor(
    code: ConfigErrorCode,
    detail: string,
    frames: readonly ErrorFrame[],
    preface: readonly string[] = [],
  ) {
    super(
      preface.map((l) => `${escapeErrorLogItem(l)}\n`).join('') +
        formatConfigError(code, detail, frames),
    );
    this.preface = preface;
    this.name = 'ConfigError';
    this.code = code;
    this.detail = detail;
    this.frames = frames;
    const inner = frames[frames.length - 1];
    this.file = inner?.file ?? '';
    this.line = inner?.line ?? 0;
  }

  /** The same read error seen from the Include directive at `outer` (one more wrapper). */
  wrappedBy(outer: ErrorFrame): ConfigError {
    return new ConfigError(this.code, this.detail, [outer, ...this.frames], this.preface);
  }
}

/** Short escapes of ap_escape_errorlog_item; other escaped bytes print as \xhh. */
const ERRORLOG_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
  0x5c: '\\\\',
};

/**
 * ap_escape_errorlog_item: the message's UTF-8 bytes with `\` doubled and every control or
 * non-ASCII byte escaped (`\n`, `\t`, … or `\xhh`); `"` is left alone.
 */
export function escapeErrorLogItem(s: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control bytes is the point
  if (!/[\\\x00-\x1f\x7f-\uffff]/.test(s)) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else out += ERRORLOG_ESCAPES[b] ?? `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function formatConfigError(
  code: ConfigErrorCode,
  detail: string,
  frames: readonly ErrorFrame[],
): string {
  if (code === ConfigErrorCode.SYNTAX) {
    const f = frames[frames.length - 1];
    return f === undefined
      ? escapeErrorLogItem(detail)
      : escapeErrorLogItem(`AH00526: Syntax error on line ${f.line} of ${f.file}:`) +
          '\n' +
          escapeErrorLogItem(detail);
  }
  if (frames[0]?.file === CMDLINE_FILE) {
    // httpd: "apache2: Syntax error in -C/-c directive: -c/-C directives:1: <X> was not closed."
    const inner = frames
      .slice(1)
      .map((f) => `Syntax error on line ${f.line} of ${f.file}: `)
      .join('');
    return escapeErrorLogItem(
      `${PROGRAM_NAME}: Syntax error in -C/-c directive: ${inner}${detail}`,
    );
  }
  const chain = frames.map((f) => `Syntax error on line ${f.line} of ${f.file}: `).join('');
  return escapeErrorLogItem(`${PROGRAM_NAME}: ${chain}${detail}`);
}

/** A directive-application error at `at` (AH00526 shape). */
export function syntaxError(
  detail: string,
  at: ErrorFrame,
  preface: readonly string[] = [],
): ConfigError {
  return new ConfigError(ConfigErrorCode.SYNTAX, detail, [at], preface);
}

/** A read-phase error at `at` (one-line shape). */
export function readError(detail: string, at: ErrorFrame): ConfigError {
  return new ConfigError(ConfigErrorCode.READ, detail, [at]);
}
