// httpd: server/connection.c (conn_rec: the client and local addresses of a connection).
//
// The ConnectionInfo a request record carries, from node's socket.

import type { Socket } from 'node:net';
import type { ConnectionInfo, ConnectionLog, TlsConnection } from '../request/record.js';

/** `::ffff:a.b.c.d` → `a.b.c.d` (IPv4-mapped addresses as Apache prints them). */
export function unmapV4(addr: string | undefined): string {
  if (addr === undefined) return '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/**
 * conn_rec for `socket`; `keepalives` = requests already served on it, `log` the
 * connection's log id holder (shared by its requests).
 */
export function connectionOf(
  socket: Socket,
  keepalives: number,
  log: ConnectionLog = { id: undefined },
  tls?: TlsConnection,
): ConnectionInfo {
  return {
    log,
    ...(tls === undefined ? {} : { tls }),
    remoteAddr: unmapV4(socket.remoteAddress),
    remotePort: socket.remotePort ?? 0,
    localAddr: unmapV4(socket.localAddress),
    localPort: socket.localPort ?? 0,
    keepalives,
  };
}
