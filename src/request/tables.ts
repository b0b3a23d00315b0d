// apr: tables/apr_tables.c (apr_table_get, apr_table_unset) as the request's tables use it.
//
// r.env and r.notes are Maps and headers_in is node's rawHeaders list; httpd's tables are
// case-blind, so lookups here try the exact name first, then any case.

import type { RequestRecord } from './record.js';

/** apr_table_get on a Map: the exact name first, then any case. */
export function tableGet(m: ReadonlyMap<string, string>, name: string): string | undefined {
  const v = m.get(name);
  if (v !== undefined) return v;
  const lower = name.toLowerCase();
  for (const [k, x] of m) if (k.toLowerCase() === lower) return x;
  return undefined;
}

/** apr_table_get(r->headers_in, name): the first field of that name, any case. */
export function headerIn(r: RequestRecord, name: string): string | undefined {
  const raw = r.headersIn.rawHeaders;
  const lower = name.toLowerCase();
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === lower) return raw[i + 1];
  return undefined;
}

/** apr_table_unset(r->headers_in, name): every field of that name goes. */
export function unsetHeaderIn(r: RequestRecord, name: string): void {
  const raw = r.headersIn.rawHeaders;
  const lower = name.toLowerCase();
  for (let i = raw.length - 2; i >= 0; i -= 2)
    if (raw[i]?.toLowerCase() === lower) raw.splice(i, 2);
  delete r.headersIn.headers[lower];
}

/** apr_table_setn(r->headers_in, name, value): the first field takes it, the rest go. */
export function setHeaderIn(r: RequestRecord, name: string, value: string): void {
  const raw = r.headersIn.rawHeaders;
  const lower = name.toLowerCase();
  let first = -1;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i]?.toLowerCase() !== lower) continue;
    if (first >= 0) raw.splice(first, 2);
    first = i;
  }
  if (first >= 0) raw[first + 1] = value;
  else raw.push(name, value);
  r.headersIn.headers[lower] = value;
}

/** The last request of an internal-redirect chain (whose answer the client gets). */
export function lastOfChain(r: RequestRecord): RequestRecord {
  let c = r;
  while (c.next !== undefined) c = c.next;
  return c;
}
