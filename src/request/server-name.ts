// httpd: server/core.c (ap_get_server_name, ap_get_server_port, UseCanonicalName).

import type { RequestRecord } from './record.js';
import { coreDir, coreServer } from '../core/view.js';

/** ServerName's host part and port (`www.example.com:8080`). */
export function splitServerName(name: string | undefined): {
  host: string | undefined;
  port: number | undefined;
} {
  if (name === undefined) return { host: undefined, port: undefined };
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(name.replace(/^[a-z]+:\/\//i, ''));
  return { host: m?.[1] ?? name, port: m?.[2] === undefined ? undefined : Number(m[2]) };
}

/** Port given in the Host header, if any. */
function hostHeaderPort(r: RequestRecord): number | undefined {
  const h = r.headersIn.headers.host;
  if (h === undefined) return undefined;
  const m = /:(\d+)$/.exec(h.trim());
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** ap_get_server_name: with UseCanonicalName Off, the Host the client asked for. */
export function serverNameOf(r: RequestRecord): string {
  const canon = coreDir(r.perDir).useCanonicalName;
  const configured = splitServerName(coreServer(r.server.server).serverName).host;
  if (canon === 'off' && r.hostname !== '') return r.hostname;
  return configured ?? r.connection.localAddr;
}

/** ap_get_server_port: Off → Host's port, else ServerName's, else 80. */
export function serverPortOf(r: RequestRecord): number {
  const canon = coreDir(r.perDir).useCanonicalName;
  const configured = splitServerName(coreServer(r.server.server).serverName).port;
  if (canon === 'off' || canon === 'dns') return hostHeaderPort(r) ?? configured ?? 80;
  return configured ?? r.connection.localPort;
}
