// httpd: modules/proxy/mod_proxy.c (set_worker_param), modules/proxy/proxy_util.c
// (ap_proxy_define_worker_ex, ap_proxy_get_worker_ex: worker sharing by longest prefix).
//
// A worker is one backend (scheme://host:port plus a path prefix) and the connection
// parameters ProxyPass gives it. Only the parameters tswsgi's HTTP backend honours are
// accepted; the others are refused at startup by name, so nothing is silently ignored.

/** A backend worker (proxy_worker_shared, the parts tswsgi uses). */
export interface ProxyWorker {
  /** The worker name: the URL with scheme and host lower-cased (ap_proxy_worker_name). */
  readonly name: string;
  readonly scheme: 'http';
  /** A ProxyPassMatch worker: its name may hold $N, matched as wildcards (is_name_matchable). */
  readonly match: boolean;
  /** Host as written in the URL, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** timeout= (ms): the backend I/O timeout; undefined = ProxyTimeout, else Timeout. */
  timeoutMs: number | undefined;
  /** connectiontimeout= (ms); undefined = the I/O timeout. */
  connectTimeoutMs: number | undefined;
  /** retry= (s). Kept for the record: a ProxyPass worker ignores errors (no retry window). */
  retrySec: number | undefined;
  /** keepalive= (TCP keep-alive probes on the backend connection). */
  keepalive: boolean | undefined;
  /** disablereuse= / enablereuse=: no connection reuse when true. */
  disableReuse: boolean | undefined;
}

/** Parameters httpd knows but tswsgi does not implement: refused by name. */
const UNSUPPORTED_PARAMS = new Set([
  'loadfactor',
  'ttl',
  'min',
  'max',
  'smax',
  'acquire',
  'iobuffersize',
  'receivebuffersize',
  'addressttl',
  'route',
  'redirect',
  'status',
  'flushpackets',
  'flushwait',
  'ping',
  'lbset',
  'flusher',
  'upgrade',
  'responsefieldsize',
  'secret',
]);

/**
 * ap_timeout_parameter_parse(val, &t, "s"): a number with an optional ms/s/mi/min/h unit,
 * in milliseconds; undefined when it does not parse.
 */
export function parseTimeoutParam(val: string): number | undefined {
  const m = /^(\d+)(ms|s|mi|min|h)?$/i.exec(val);
  if (m === null) return undefined;
  const n = Number(m[1]);
  switch ((m[2] ?? 's').toLowerCase()) {
    case 'ms':
      return n;
    case 'mi':
    case 'min':
      return n * 60_000;
    case 'h':
      return n * 3_600_000;
    default:
      return n * 1000;
  }
}

/** C's atoi: leading blanks, a sign and digits; anything else stops (0 if none). */
export function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

function onOff(val: string, err: string): boolean {
  const v = val.toLowerCase();
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new Error(err);
}

/**
 * set_worker_param for one key=value: the worker changed, or an Error whose message is
 * httpd's text (the caller prefixes "ProxyPass ").
 */
export function setWorkerParam(w: ProxyWorker, key: string, val: string): void {
  const k = key.toLowerCase();
  switch (k) {
    case 'retry': {
      const n = atoi(val);
      if (n < 0) throw new Error('Retry must be a positive value');
      w.retrySec = n;
      return;
    }
    case 'timeout': {
      const n = atoi(val);
      if (n < 1) throw new Error('Timeout must be at least one second');
      w.timeoutMs = n * 1000;
      return;
    }
    case 'connectiontimeout': {
      const ms = parseTimeoutParam(val);
      if (ms === undefined) throw new Error('Connectiontimeout has wrong format');
      if (ms < 1) throw new Error('Connectiontimeout must be at least one millisecond.');
      w.connectTimeoutMs = ms;
      return;
    }
    case 'keepalive':
      w.keepalive = onOff(val, 'KeepAlive must be On|Off');
      return;
    case 'disablereuse':
      w.disableReuse = onOff(val, 'DisableReuse must be On|Off');
      return;
    case 'enablereuse':
      w.disableReuse = !onOff(val, 'EnableReuse must be On|Off');
      return;
    default:
      if (UNSUPPORTED_PARAMS.has(k))
        throw new Error(
          `worker parameter '${key}' is not supported by tswsgi (supported: timeout, connectiontimeout, retry, keepalive, disablereuse, enablereuse)`,
        );
      throw new Error('unknown Worker parameter');
  }
}

/** Schemes and the httpd module that would serve them (for the refusal message). */
const SCHEME_MODULES: Readonly<Record<string, string>> = {
  https: 'mod_ssl (SSLProxyEngine)',
  balancer: 'mod_proxy_balancer',
  ws: 'mod_proxy_wstunnel',
  wss: 'mod_proxy_wstunnel',
  fcgi: 'mod_proxy_fcgi',
  ajp: 'mod_proxy_ajp',
  scgi: 'mod_proxy_scgi',
  uwsgi: 'mod_proxy_uwsgi',
  ftp: 'mod_proxy_ftp',
  h2: 'mod_proxy_http2',
  h2c: 'mod_proxy_http2',
  unix: 'mod_proxy (Unix domain sockets)',
};

/** The parts of an absolute backend URL (ap_proxy_define_worker_ex's apr_uri_parse). */
export interface BackendUrl {
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  /** The path (with query), '' when the URL has none. */
  readonly path: string;
}

/**
 * Parse a ProxyPass target. Errors are httpd's ("URL must be absolute!: x") or, for a
 * scheme tswsgi does not proxy to, one naming the scheme and the module it would need.
 */
export function parseBackendUrl(url: string): BackendUrl {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?([/?].*)?$/s.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  if (m === null || scheme === undefined) {
    // unix:/path|http://… and other non-hierarchical forms.
    if (/^unix:/i.test(url))
      throw new Error(
        `URL scheme 'unix' (Unix domain socket backends) is not supported by tswsgi's mod_proxy`,
      );
    throw new Error(`URL must be absolute!: ${url}`);
  }
  let host = m[2] ?? '';
  if (host === '') throw new Error(`URL must be absolute!: ${url}`);
  if (scheme !== 'http') {
    const mod = SCHEME_MODULES[scheme] ?? `a proxy module for '${scheme}'`;
    throw new Error(
      `URL scheme '${scheme}' needs ${mod}, which tswsgi does not implement (only http:// backends are supported): ${url}`,
    );
  }
  if (host.startsWith('[')) host = host.slice(1, -1);
  const portText = m[3];
  const port = portText === undefined || portText === '' ? 80 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`Unable to parse URL: ${url}`);
  return { scheme, host, port, path: m[4] ?? '' };
}

/** ap_proxy_worker_name's form: scheme and host lower-cased, the rest as written. */
export function workerName(url: string): string {
  const m = /^([^:]+:\/\/[^/?]*)(.*)$/s.exec(url);
  return m === null ? url : (m[1] ?? '').toLowerCase() + (m[2] ?? '');
}

/** ap_proxy_strcmp_ematch: `$N` in the worker name matches any text. */
const ematch = new Map<string, RegExp>();
function ematchRegex(name: string): RegExp {
  let re = ematch.get(name);
  if (re === undefined) {
    const src = name
      .split(/\$\d/)
      .map((part) => part.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${src}$`, 's');
    ematch.set(name, re);
  }
  return re;
}

/**
 * ap_proxy_get_worker_ex: the defined worker whose name is the longest match for `url`:
 * a prefix for a ProxyPass worker, a wildcard match for a ProxyPassMatch one. `kinds` says
 * which workers may answer (config time: the kind being defined; request time: both).
 */
export function findWorker(
  workers: readonly ProxyWorker[],
  url: string,
  kinds: { readonly prefix: boolean; readonly match: boolean } = { prefix: true, match: true },
): ProxyWorker | undefined {
  const name = workerName(url);
  let best: ProxyWorker | undefined;
  for (const w of workers) {
    if (w.name.length > name.length || (best !== undefined && w.name.length <= best.name.length))
      continue;
    const ok = w.match
      ? kinds.match && ematchRegex(w.name).test(name)
      : kinds.prefix && name.startsWith(w.name);
    if (ok) best = w;
  }
  return best;
}

/**
 * A fresh worker for `url` (already parsed), no parameters set. A ProxyPassMatch worker
 * with a `$` substitution does not reuse connections unless enablereuse=on says so.
 */
export function newWorker(url: string, u: BackendUrl, match: boolean): ProxyWorker {
  return {
    name: workerName(url),
    scheme: 'http',
    match,
    host: u.host,
    port: u.port,
    timeoutMs: undefined,
    connectTimeoutMs: undefined,
    retrySec: undefined,
    keepalive: undefined,
    disableReuse: match && url.includes('$') ? true : undefined,
  };
}
