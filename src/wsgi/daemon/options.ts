// mod_wsgi: src/server/mod_wsgi.c wsgi_add_daemon_process (4.9.4), wsgi_parse_option;
// mod_wsgi-express: src/express/options.py (production defaults).
//
// `parseDaemonProcess` turns the directive's raw argument text into a DaemonGroupSpec,
// using the `key=value` option table of option-table.ts (one row per option: name,
// converter, default, doc); ap_getword_conf / wsgi_parse_option and the defaults live here.
//
// Defaults: raw mod_wsgi sizes the group (processes=1, threads=15) but the timeouts are
// mod_wsgi-express's production set (reference §2: "a re-implementation should ship these").
// Options mod_wsgi accepts but tswsgi does not act on are validated exactly as mod_wsgi
// does and kept in `ignored`, so `--dump-config` shows them.

import { DAEMON_OPTIONS } from './option-table.js';
import type { DaemonOption, DaemonSpecBuilder } from './option-table.js';
import { getwordConf } from '../../util/getword.js';

export { DAEMON_OPTIONS } from './option-table.js';
export type { DaemonOption, DaemonSpecBuilder } from './option-table.js';

/** What parseDaemonProcess returns: the spec plus accepted-but-unimplemented options. */
export interface ParsedDaemon {
  readonly spec: DaemonSpecBuilder;
  /** Options validated but without behaviour in tswsgi (raw values as written). */
  readonly ignored: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------
// wsgi_parse_option (ap_getword_conf is util/getword.ts)

/**
 * mod_wsgi's wsgi_parse_option: one `name=value` (value may be quoted). Returns undefined
 * when the text is not of that form (the caller reports its directive's "Invalid option").
 */
export function parseOption(
  line: string,
): { name: string; value: string; rest: string } | undefined {
  const s = line.replace(/^\s+/, '');
  if (s === '' || s.startsWith('=')) return undefined;
  const m = /^[^=\s]+/.exec(s);
  const name = m?.[0] ?? '';
  if (s.charAt(name.length) !== '=') return undefined;
  const [value, rest] = getwordConf(s.slice(name.length + 1));
  return { name, value, rest };
}

const BY_NAME: ReadonlyMap<string, DaemonOption> = new Map(DAEMON_OPTIONS.map((o) => [o.name, o]));

/** The defaults of a group named `name` (before any option is applied). */
export function defaultDaemonSpec(
  name: string,
  origin: { readonly file: string; readonly line: number },
): DaemonSpecBuilder {
  return {
    name,
    processes: 1,
    processesExplicit: false,
    threads: 15,
    user: undefined,
    group: undefined,
    home: undefined,
    pythonHome: undefined,
    pythonPath: [],
    displayName: `(wsgi:${name})`,
    lang: 'C.UTF-8',
    locale: 'C.UTF-8',
    maximumRequests: 0,
    reloadOnChanges: false,
    restartInterval: 0,
    inactivityTimeout: 0,
    requestTimeout: 60,
    startupTimeout: 15,
    gracefulTimeout: 15,
    shutdownTimeout: 5,
    queueTimeout: 45,
    connectTimeout: 15,
    socketTimeout: 60,
    preload: [],
    origin,
  };
}

/**
 * Parse `WSGIDaemonProcess name [opt=value …]` from the raw argument text. Option names
 * are case-sensitive, as in mod_wsgi (strcmp). Returns the spec or mod_wsgi's error text.
 */
export function parseDaemonProcess(
  raw: string,
  origin: { readonly file: string; readonly line: number },
): ParsedDaemon | { readonly error: string } {
  const [name, restAfterName] = getwordConf(raw);
  if (name === '') return { error: 'Name of WSGI daemon process not supplied.' };
  const spec = defaultDaemonSpec(name, origin);
  const ignored: Record<string, string> = {};
  let rest = restAfterName;
  const seen = new Set<string>();
  while (rest.trim() !== '') {
    const opt = parseOption(rest);
    if (opt === undefined) return { error: 'Invalid option to WSGI daemon process definition.' };
    const def = BY_NAME.get(opt.name);
    if (def === undefined) return { error: 'Invalid option to WSGI daemon process definition.' };
    const err = def.apply(spec, opt.value, ignored);
    if (err !== undefined) return { error: err };
    seen.add(opt.name);
    rest = opt.rest;
  }
  if (seen.has('script-user') && seen.has('script-group')) {
    return { error: 'Only one of script-user and script-group allowed.' };
  }
  return { spec, ignored };
}
