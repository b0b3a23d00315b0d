// httpd: modules/proxy/mod_proxy.c (proxy_cmds, add_pass, add_pass_reverse,
//        create/merge_proxy_config, create/merge_proxy_dir_config).
//
// The reverse-proxy directives. Server-level ProxyPass lines keep config order and a
// vhost's come after the main server's (apr_array_append(base, overrides)); ProxyPass in
// <Location> is the location's single alias. Forward proxying, balancers, <Proxy>
// sections and non-HTTP schemes are refused at startup by name (see UNSUPPORTED below).

import {
  ACCESS_CONF,
  RSRC_CONF,
  type AnyDirective,
  type Cmd,
  type DirectiveBuilder,
} from '../../config/directive.js';
import type { Origin } from '../../config/ir.js';
import type { MergeSpec } from '../../config/merge.js';
import { getwordsConf } from '../../util/getword.js';
import {
  atoi,
  findWorker,
  newWorker,
  parseBackendUrl,
  setWorkerParam,
  type ProxyWorker,
} from './worker.js';

/** One ProxyPass / ProxyPassMatch (struct proxy_alias). */
export interface ProxyPassEntry {
  /** URL-path prefix, or the regex source (ProxyPassMatch, `~`, a wildcard <Location>). */
  readonly fake: string;
  /** Target URL; '!' excludes. */
  readonly real: string;
  readonly regex: boolean;
  /** nocanon: the raw request URI goes to the backend. */
  readonly nocanon: boolean;
  /**
   * noquery. Kept, and like httpd 2.4's mod_proxy_http (which never reads the
   * proxy-noquery note) without effect on an http:// backend.
   */
  readonly noquery: boolean;
  /** The worker name (undefined for '!'). */
  readonly worker: string | undefined;
  readonly origin: Origin;
}

/** One ProxyPassReverse (fake = local path, real = backend URL). */
export interface ReverseEntry {
  readonly fake: string;
  readonly real: string;
}

export type ViaOpt = 'off' | 'on' | 'full' | 'block';
export type BadHeaderOpt = 'isError';

export interface ProxyServerConf {
  aliases: readonly ProxyPassEntry[];
  workers: readonly ProxyWorker[];
  /** ProxyTimeout (ms). */
  timeoutMs: number | undefined;
  via: ViaOpt | undefined;
  badHeader: BadHeaderOpt | undefined;
  ioBufferSize: number | undefined;
  recvBufferSize: number | undefined;
}

export interface ProxyDirConf {
  /** ProxyPass inside <Location>. */
  alias: ProxyPassEntry | undefined;
  raliases: readonly ReverseEntry[];
  /** ProxyPassReverseCookiePath: [backend path prefix, local path]. */
  cookiePaths: readonly ReverseEntry[];
  /** ProxyPassReverseCookieDomain: [backend domain prefix, public domain]. */
  cookieDomains: readonly ReverseEntry[];
  preserveHost: boolean | undefined;
  /** Proxy100Continue (default On): forward a client's Expect: 100-continue. */
  forward100: boolean | undefined;
  /** ProxyAddHeaders (default On). */
  addHeaders: boolean | undefined;
  errorOverride: boolean | undefined;
  /** ProxyErrorOverride On 4xx 5xx: only these (empty = every error status), sorted. */
  errorOverrideCodes: readonly number[];
}

const serverMerge: MergeSpec<ProxyServerConf> = {
  aliases: 'append',
  workers: 'append',
  timeoutMs: 'override',
  via: 'override',
  badHeader: 'override',
  ioBufferSize: 'override',
  recvBufferSize: 'override',
};
const dirMerge: MergeSpec<ProxyDirConf> = {
  alias: 'override',
  raliases: 'append',
  cookiePaths: 'append',
  cookieDomains: 'append',
  preserveHost: 'override',
  addHeaders: 'override',
  forward100: 'override',
  errorOverride: 'override',
  // merge_proxy_dir_config: both lists, sorted again.
  errorOverrideCodes: (base, over) =>
    base.length === 0 ? over : over.length === 0 ? base : [...base, ...over].sort((x, y) => x - y),
};
const createServer = (): ProxyServerConf => ({
  aliases: [],
  workers: [],
  timeoutMs: undefined,
  via: undefined,
  badHeader: undefined,
  ioBufferSize: undefined,
  recvBufferSize: undefined,
});
const createDir = (): ProxyDirConf => ({
  alias: undefined,
  raliases: [],
  cookiePaths: [],
  cookieDomains: [],
  preserveHost: undefined,
  addHeaders: undefined,
  forward100: undefined,
  errorOverride: undefined,
  errorOverrideCodes: [],
});

type C = Cmd<ProxyServerConf, ProxyDirConf>;

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** ap_check_cmd_context(cmd, NOT_IN_DIRECTORY|NOT_IN_FILES). */
function notInDirectoryOrFiles(c: C, name: string): void {
  if (c.context.kind === 'htaccess') throw c.fail(`${name} cannot occur within htaccess files`);
  if (c.context.kind !== 'section') return;
  const s = c.context.section;
  const tag =
    s === 'directory'
      ? '<Directory>'
      : s === 'directoryMatch'
        ? '<DirectoryMatch>'
        : s === 'files'
          ? '<Files>'
          : s === 'filesMatch'
            ? '<FilesMatch>'
            : undefined;
  if (tag !== undefined) throw c.fail(`${name} cannot occur within ${tag} section`);
}

/** The <Location> path (cmd->path) or undefined outside one. */
function locationPath(c: C): { path: string; regex: boolean } | undefined {
  if (c.context.kind !== 'section') return undefined;
  return { path: c.context.pattern, regex: c.context.regex === true };
}

/** apr_fnmatch_test: does the pattern hold a wildcard? */
const hasWildcard = (s: string): boolean => /[*?[]/.test(s);

/** A shell wildcard as a regex source (apr_fnmatch semantics, '/' not special here). */
function fnmatchSource(p: string): string {
  let out = '^';
  for (const ch of p) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
  }
  return out;
}

/** add_pass: ProxyPass / ProxyPassMatch. */
function addPass(c: C, raw: string, isRegex: boolean): void {
  notInDirectoryOrFiles(c, isRegex ? 'ProxyPassMatch' : 'ProxyPass');
  const loc = locationPath(c);
  let f: string | undefined = loc?.path;
  let r: string | undefined;
  let regex = isRegex;
  let nocanon = false;
  let noquery = false;
  const params: [string, string][] = [];
  for (const word of getwordsConf(raw)) {
    if (f === undefined) {
      if (word === '~') {
        if (isRegex) throw c.fail("ProxyPassMatch invalid syntax ('~' usage).");
        regex = true;
        continue;
      }
      f = word;
    } else if (r === undefined) r = word;
    else if (word.toLowerCase() === 'nocanon') nocanon = true;
    else if (word.toLowerCase() === 'noquery') noquery = true;
    else if (word.toLowerCase() === 'interpolate')
      throw c.fail(
        'ProxyPass: the interpolate flag (ProxyPassInterpolateEnv) is not supported by tswsgi',
      );
    else {
      const eq = word.indexOf('=');
      if (eq < 0) {
        if (loc !== undefined && r.startsWith('/'))
          throw c.fail('ProxyPass|ProxyPassMatch can not have a path when defined in a location.');
        throw c.fail(
          "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'.",
        );
      }
      const key = word.slice(0, eq);
      const val = word.slice(eq + 1);
      if (key.toLowerCase() === 'mapping') {
        if (!['encoded', 'servlet'].includes(val.toLowerCase())) throw c.fail('unknown mapping');
        throw c.fail(`ProxyPass: mapping=${val} is not supported by tswsgi`);
      }
      params.push([key, val]);
    }
  }
  if (r === undefined || f === undefined)
    throw c.fail('ProxyPass|ProxyPassMatch needs a path when not defined in a location');
  if (loc !== undefined && (loc.regex || hasWildcard(f))) {
    // <LocationMatch> / a wildcard <Location>: the section's pattern is the regex.
    f = loc.regex ? f : fnmatchSource(f);
    regex = true;
  }
  if (regex) {
    try {
      new RegExp(f);
    } catch {
      throw c.fail('Regular expression could not be compiled.');
    }
  }
  let worker: string | undefined;
  if (r !== '!') {
    let url;
    try {
      url = parseBackendUrl(r);
    } catch (e) {
      throw c.fail(`ProxyPass ${messageOf(e)}`);
    }
    const shared = findWorker(c.server.workers, r, { prefix: !regex, match: regex });
    if (shared !== undefined) {
      for (const [k, v] of params)
        c.warn(
          `AH01146: Ignoring parameter '${k}=${v}' for worker '${shared.name}' because of worker sharing`,
        );
      worker = shared.name;
    } else {
      const w = newWorker(r, url, regex);
      for (const [k, v] of params) {
        try {
          setWorkerParam(w, k, v);
        } catch (e) {
          throw c.fail(`ProxyPass ${messageOf(e)}`);
        }
      }
      c.server.workers = [...c.server.workers, w];
      worker = w.name;
    }
  }
  const entry: ProxyPassEntry = {
    fake: f,
    real: r,
    regex,
    nocanon,
    noquery,
    worker,
    origin: { file: c.node.file, line: c.node.line },
  };
  if (loc !== undefined) c.dir.alias = entry;
  else c.server.aliases = [...c.server.aliases, entry];
}

/** add_pass_reverse. */
function addPassReverse(c: C, f: string, r: string | undefined, i: string | undefined): void {
  notInDirectoryOrFiles(c, 'ProxyPassReverse');
  const loc = locationPath(c);
  let fake: string;
  let real: string;
  let interp: string | undefined;
  if (loc === undefined) {
    if (r === undefined || r.toLowerCase() === 'interpolate')
      throw c.fail('ProxyPassReverse needs a path when not defined in a location');
    fake = f;
    real = r;
    interp = i;
  } else {
    if (r !== undefined && r.toLowerCase() !== 'interpolate')
      throw c.fail('ProxyPassReverse can not have a path when defined in a location');
    fake = loc.path;
    real = f;
    interp = r;
  }
  if (interp !== undefined)
    throw c.fail(
      'ProxyPassReverse: the interpolate flag (ProxyPassInterpolateEnv) is not supported by tswsgi',
    );
  c.dir.raliases = [...c.dir.raliases, { fake, real }];
}

/** The third argument of the cookie directives (`interpolate`) needs ProxyPassInterpolateEnv. */
function noInterpolate(c: C, name: string, arg: string | undefined): void {
  if (arg !== undefined)
    throw c.fail(
      `${name}: the interpolate flag (ProxyPassInterpolateEnv) is not supported by tswsgi`,
    );
}

/** set_proxy_error_override (ITERATE). */
function errorOverride(c: C, arg: string): void {
  const a = arg.toLowerCase();
  if (a === 'off' || a === 'on') {
    c.dir.errorOverride = a === 'on';
    return;
  }
  if (c.dir.errorOverride === undefined)
    throw c.fail('ProxyErrorOverride first parameter must be one of: off | on');
  if (!/^\d/.test(arg))
    throw c.fail('ProxyErrorOverride: status codes to intercept must be numeric');
  if (!c.dir.errorOverride)
    throw c.fail("ProxyErrorOverride: status codes must follow a value of 'on'");
  const code = atoi(arg);
  if (code < 400 || code >= 600)
    throw c.fail(
      'ProxyErrorOverride: status codes to intercept must be valid HTTP Status Codes >=400 && <600',
    );
  c.dir.errorOverrideCodes = [...c.dir.errorOverrideCodes, code].sort((x, y) => x - y);
}

/** A buffer-size directive: validated as httpd does, then only recorded. */
function bufferSize(c: C, name: string, arg: string): number {
  const s = atoi(arg);
  if (s < 512 && s !== 0) throw c.fail(`${name} must be >= 512 bytes, or 0 for system default.`);
  return s;
}

/**
 * mod_proxy directives tswsgi does not implement: each is refused at startup with a
 * message naming it (a silent no-op would proxy differently from Apache).
 */
const UNSUPPORTED: readonly (readonly [string, string])[] = [
  ['ProxyRemote', 'forward proxying'],
  ['ProxyRemoteMatch', 'forward proxying'],
  ['ProxyBlock', 'forward proxying'],
  ['NoProxy', 'forward proxying'],
  ['ProxyDomain', 'forward proxying'],
  ['ProxyMaxForwards', 'Max-Forwards handling'],
  ['ProxyPassInterpolateEnv', 'environment interpolation'],
  ['ProxyPassInherit', 'ProxyPassInherit'],
  ['BalancerMember', 'load balancing (mod_proxy_balancer)'],
  ['BalancerGrowth', 'load balancing (mod_proxy_balancer)'],
  ['BalancerPersist', 'load balancing (mod_proxy_balancer)'],
  ['BalancerInherit', 'load balancing (mod_proxy_balancer)'],
  ['ProxyStatus', 'proxy status reporting'],
  ['ProxySet', 'ProxySet'],
  ['ProxySourceAddress', 'ProxySourceAddress'],
];

/** mod_proxy's directive table. */
export function proxyDirectives(
  d: DirectiveBuilder<ProxyServerConf, ProxyDirConf>,
): AnyDirective<ProxyServerConf, ProxyDirConf>[] {
  const unsupported = UNSUPPORTED.map(([name, what]) =>
    d.raw(name, RSRC_CONF | ACCESS_CONF, `${name} (not supported by tswsgi)`, (c) => {
      throw c.fail(`${name}: ${what} is not supported by tswsgi's mod_proxy`);
    }),
  );
  const sections = ['Proxy', 'ProxyMatch'].map((name) =>
    d.section(name, RSRC_CONF, `<${name}> (not supported by tswsgi)`, (c) => {
      throw c.fail(
        `<${name}> sections (per-backend configuration, balancers) are not supported by tswsgi's mod_proxy`,
      );
    }),
  );
  return [
    d.flag(
      'ProxyRequests',
      RSRC_CONF,
      'on if the true proxy requests should be accepted',
      (c, on) => {
        if (on)
          throw c.fail(
            "ProxyRequests On: forward proxying is not supported by tswsgi's mod_proxy (reverse proxying with ProxyPass is)",
          );
      },
    ),
    d.raw('ProxyPass', RSRC_CONF | ACCESS_CONF, 'a virtual path and a URL', (c, raw) => {
      addPass(c, raw, false);
    }),
    d.raw('ProxyPassMatch', RSRC_CONF | ACCESS_CONF, 'a virtual path and a URL', (c, raw) => {
      addPass(c, raw, true);
    }),
    d.take123(
      'ProxyPassReverse',
      RSRC_CONF | ACCESS_CONF,
      'a virtual path and a URL for reverse proxy behaviour',
      addPassReverse,
    ),
    d.take23(
      'ProxyPassReverseCookiePath',
      RSRC_CONF | ACCESS_CONF,
      'Path rewrite rule for proxying cookies',
      (c, f, r, i) => {
        noInterpolate(c, 'ProxyPassReverseCookiePath', i);
        c.dir.cookiePaths = [...c.dir.cookiePaths, { fake: f, real: r }];
      },
    ),
    d.take23(
      'ProxyPassReverseCookieDomain',
      RSRC_CONF | ACCESS_CONF,
      'Domain rewrite rule for proxying cookies',
      (c, f, r, i) => {
        noInterpolate(c, 'ProxyPassReverseCookieDomain', i);
        c.dir.cookieDomains = [...c.dir.cookieDomains, { fake: f, real: r }];
      },
    ),
    d.take1(
      'ProxyReceiveBufferSize',
      RSRC_CONF,
      'Receive buffer size for outgoing HTTP and FTP connections in bytes',
      (c, a) => {
        c.server.recvBufferSize = bufferSize(c, 'ProxyReceiveBufferSize', a);
      },
    ),
    d.take1(
      'ProxyIOBufferSize',
      RSRC_CONF,
      'IO buffer size for outgoing HTTP and FTP connections in bytes',
      (c, a) => {
        c.server.ioBufferSize = bufferSize(c, 'ProxyIOBufferSize', a);
      },
    ),
    d.take1(
      'ProxyVia',
      RSRC_CONF,
      'Configure Via: proxy header header to one of: on | off | block | full',
      (c, a) => {
        const v = a.toLowerCase();
        if (v !== 'off' && v !== 'on' && v !== 'block' && v !== 'full')
          throw c.fail('ProxyVia must be one of: off | on | full | block');
        c.server.via = v;
      },
    ),
    d.iterate(
      'ProxyErrorOverride',
      RSRC_CONF | ACCESS_CONF,
      "use our error handling pages instead of the servers' we are proxying",
      errorOverride,
    ),
    d.flag(
      'ProxyPreserveHost',
      RSRC_CONF | ACCESS_CONF,
      'on if we should preserve host header while proxying',
      (c, on) => {
        c.dir.preserveHost = on;
      },
    ),
    d.take1(
      'ProxyTimeout',
      RSRC_CONF,
      'Set the timeout (in seconds) for a proxied connection. This overrides the server timeout',
      (c, a) => {
        const t = atoi(a);
        if (t < 1) throw c.fail('Proxy Timeout must be at least 1 second.');
        c.server.timeoutMs = t * 1000;
      },
    ),
    d.take1(
      'ProxyBadHeader',
      RSRC_CONF,
      'How to handle bad header line in response: IsError | Ignore | StartBody',
      (c, a) => {
        const v = a.toLowerCase();
        if (v !== 'iserror' && v !== 'ignore' && v !== 'startbody')
          throw c.fail('ProxyBadHeader must be one of: IsError | Ignore | StartBody');
        // node's HTTP parser refuses a bad header line outright: only IsError can be kept.
        if (v !== 'iserror')
          throw c.fail(
            `ProxyBadHeader ${a} is not supported by tswsgi (its HTTP parser refuses a bad header line; IsError is)`,
          );
        c.server.badHeader = 'isError';
      },
    ),
    d.flag(
      'ProxyAddHeaders',
      RSRC_CONF | ACCESS_CONF,
      'on if X-Forwarded-* headers should be added or completed',
      (c, on) => {
        c.dir.addHeaders = on;
      },
    ),
    d.flag(
      'Proxy100Continue',
      RSRC_CONF | ACCESS_CONF,
      'on if 100-Continue should be forwarded to the origin server, off if the proxy should handle it by itself',
      (c, on) => {
        c.dir.forward100 = on;
      },
    ),
    ...unsupported,
    ...sections,
  ];
}

/** mod_proxy's config pieces, to spread into its ModuleDef. */
export const proxyConfig = {
  server: { create: createServer, merge: serverMerge },
  dir: { create: createDir, merge: dirMerge },
  directives: proxyDirectives,
} as const;
