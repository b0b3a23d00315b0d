// httpd: modules/proxy/mod_proxy.c (register_hooks: translate_name FIRST after mod_rewrite,
//        map_to_storage FIRST, fixups FIRST after mod_rewrite, the `proxy-server` handler)
//        and modules/proxy/mod_proxy_http.c (the http:// scheme handler).
//
// Reverse proxying to HTTP backends. `proxy` owns the directives, the hooks and the
// `proxy-server` handler; `proxy_http` only has to be loaded for http:// URLs to have a
// scheme handler, as in httpd (without it a proxied request answers 500, AH01144).
// A request no ProxyPass matches pays one prefix check per ProxyPass line at translate
// time and a string prefix test at map_to_storage and fixups.

import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import type { Disposable, ModuleDef } from '../module.js';
import { proxyConfig } from './config.js';
import type { ProxyDirConf, ProxyPassEntry, ProxyServerConf } from './config.js';
import { planBody, proxyHttp, type AgentSource } from './http-backend.js';
import { canonUrl, transMatch } from './map.js';
import { findWorker } from './worker.js';

/** This generation's proxy runtime: one keep-alive Agent per worker. */
export class ProxyState implements AgentSource, Disposable {
  readonly #agents = new Map<string, Agent>();
  #closing = false;
  /** mod_proxy_http is loaded (http:// has a scheme handler). */
  readonly httpLoaded: boolean;
  constructor(httpLoaded: boolean) {
    this.httpLoaded = httpLoaded;
  }
  agentFor(key: string, keepAlive: boolean, tcpKeepAlive: boolean): Agent {
    const k = `${key}\0${String(keepAlive)}\0${String(tcpKeepAlive)}`;
    let a = this.#agents.get(k);
    if (a === undefined) {
      a = new Agent({ keepAlive, maxSockets: Infinity, scheduling: 'lifo' });
      if (tcpKeepAlive) {
        const create = a.createConnection.bind(a);
        a.createConnection = (opts, cb) => {
          const s = create(opts, cb) as Socket;
          s.setKeepAlive(true);
          return s;
        };
      }
      // Runs after the Agent's own 'free' handler has pooled the socket.
      a.on('free', (sock: Socket) => {
        if (this.#closing) sock.destroy();
      });
      this.#agents.set(k, a);
    }
    return a;
  }
  /**
   * A graceful stop (reload) lets requests in flight finish on their connections and closes
   * each as it comes free; a hard stop closes every backend connection now.
   */
  dispose(opts?: { readonly graceful?: boolean }): void {
    for (const a of this.#agents.values()) {
      if (opts?.graceful === false) {
        a.destroy();
        continue;
      }
      for (const list of Object.values(a.freeSockets)) for (const s of list ?? []) s.destroy();
    }
    this.#closing = true; // a socket coming free from now on is closed, not pooled
    this.#agents.clear();
  }
}

function stateOf(r: RequestRecord): ProxyState | undefined {
  const s = r.generation.moduleState('proxy');
  return s instanceof ProxyState ? s : undefined;
}

/** ap_proxy_trans_match over one entry: OK (mapped), DECLINED (excluded) or undefined. */
function tryEntry(r: RequestRecord, e: ProxyPassEntry): Outcome | undefined {
  const found = transMatch(e, r.uri, r.unparsedUri);
  if (found === undefined) return undefined;
  if ('excluded' in found) return DECLINED;
  r.filename = `proxy:${found.url}`;
  r.handler = 'proxy-server';
  r.notes.set('proxyreq', 'reverse');
  if (e.nocanon) r.notes.set('proxy-nocanon', '1');
  if (e.noquery) r.notes.set('proxy-noquery', '1');
  return OK;
}

/** proxy_trans (translate_name). */
function proxyTrans(r: RequestRecord): Outcome {
  if (r.notes.get('proxyreq') !== undefined) return OK; // mod_rewrite's [P] set it up
  const sconf = r.serverConf(proxyModule);
  const dconf = r.dirConf(proxyModule);
  if (dconf.alias === undefined && sconf.aliases.length === 0) return DECLINED;
  if (r.unparsedUri === '*' || !r.uri.startsWith('/')) return DECLINED;
  if (r.env.has('no-proxy')) return DECLINED;
  if (dconf.alias !== undefined) {
    const rv = tryEntry(r, dconf.alias);
    if (rv !== undefined) return rv;
  }
  for (const e of sconf.aliases) {
    const rv = tryEntry(r, e);
    if (rv !== undefined) return rv;
  }
  return DECLINED;
}

const isProxied = (r: RequestRecord): boolean =>
  r.filename !== undefined &&
  r.filename.startsWith('proxy:') &&
  r.notes.get('proxyreq') !== undefined;

/** proxy_map_location: no directory or file walk for a proxied URL. */
const proxyMapLocation = (r: RequestRecord): Outcome => (isProxied(r) ? OK : DECLINED);

/** proxy_fixup → proxy_http_canon: the canonical backend URL. */
function proxyFixup(r: RequestRecord): Outcome {
  if (!isProxied(r)) return DECLINED;
  const url = (r.filename ?? '').slice(6);
  if (!/^http:\/\//i.test(url) || stateOf(r)?.httpLoaded !== true) return OK;
  // proxy-noquery is not read here: httpd's proxy_http_canon ignores it too.
  const c = canonUrl(url.replace(/^http/i, 'http'), r.args, r.notes.has('proxy-nocanon'));
  if ('status' in c) {
    r.logError('error', 'proxy_http', c.id, c.message);
    return c.status;
  }
  r.filename = `proxy:${c.url}`;
  return OK;
}

/** proxy_handler: dispatch to the scheme handler (only mod_proxy_http's here). */
async function proxyHandler(r: RequestRecord): Promise<Outcome> {
  if (!isProxied(r)) return DECLINED;
  const url = (r.filename ?? '').slice(6);
  const state = stateOf(r);
  const scheme = /^([^:]*):/.exec(url)?.[1] ?? '';
  if (state === undefined || !state.httpLoaded || scheme.toLowerCase() !== 'http') {
    r.logError(
      'warn',
      'proxy',
      'AH01144',
      `No protocol handler was valid for the URL ${r.uri} (scheme '${scheme}'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule.`,
    );
    return 500;
  }
  const c = canonUrl(url, '', true);
  if ('status' in c) return c.status;
  const sconf = r.serverConf(proxyModule);
  const body = await planBody(r);
  if ('status' in body) return body.status;
  return proxyHttp({
    r,
    sconf,
    dconf: r.dirConf(proxyModule),
    worker: findWorker(sconf.workers, c.url),
    target: c.target,
    agents: state,
    body,
  });
}

/** mod_proxy. */
export const proxyModule: ModuleDef<ProxyServerConf, ProxyDirConf> = {
  name: 'proxy',
  ...proxyConfig,
  hooks: {
    translateName: { run: proxyTrans, order: 'first', after: ['rewrite'] },
    mapToStorage: { run: proxyMapLocation, order: 'first' },
    fixups: { run: proxyFixup, order: 'first', after: ['rewrite'] },
  },
  handlers: { 'proxy-server': proxyHandler },
  provision: ({ ir }) =>
    new ProxyState(ir.modules === undefined || ir.modules.includes('proxy_http')),
};

/** mod_proxy_http: the http:// scheme handler (its work is in http-backend.ts). */
export const proxyHttpModule: ModuleDef = { name: 'proxy_http' };
