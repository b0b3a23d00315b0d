// httpd: modules/mappers/mod_rewrite.c (lookup_variable, lookup_header).
//
// %{NAME} in a template: the server variables mod_rewrite knows, %{HTTP:header},
// %{ENV:var}, %{SSL:var} (empty: no TLS here) and the look-ahead forms %{LA-U:var} /
// %{LA-F:var}, whose sub-request engine.ts runs before the (synchronous) expansion. An
// unknown name expands to the empty string, as in httpd.

import type { RequestRecord } from '../../request/record.js';
import { sslVarLookup } from '../../request/record.js';
import { accountName, commonVar } from '../../request/server-vars.js';
import { headerIn, tableGet } from '../../request/tables.js';

/** What a variable lookup reads besides the request (rewrite_ctx). */
export interface VarCtx {
  r: RequestRecord;
  /** Header names a condition read (for Vary), reset per condition. */
  varyThis: string | undefined;
  /** Results of the look-ahead sub-requests, keyed by the variable's full name. */
  readonly lookahead: Map<string, string>;
}

/** apr_table_get(headers_in, name) with a Host-less Vary note (lookup_header). */
function lookupHeader(name: string, ctx: VarCtx): string | undefined {
  const val = headerIn(ctx.r, name);
  // RFC 7231 7.1.4: never `Vary: Host`.
  if (val !== undefined && name.toLowerCase() !== 'host')
    ctx.varyThis = ctx.varyThis === undefined ? name : `${ctx.varyThis}, ${name}`;
  return val;
}

/** lookup_variable. */
export function lookupVariable(var0: string, ctx: VarCtx): string {
  const r = ctx.r;
  if (var0.length < 4) return '';
  if (var0[3] === ':') {
    const head = var0.slice(0, 3).toUpperCase();
    const rest = var0.slice(4);
    if (rest !== '' && head === 'ENV')
      return tableGet(r.notes, rest) ?? tableGet(r.env, rest) ?? process.env[rest] ?? '';
    // SSL:… — ap_ssl_var_lookup (empty without TLS).
    if (rest !== '' && head === 'SSL') return sslVarLookup(r.connection, rest);
    return '';
  }
  if (var0[4] === ':') {
    const head = var0.slice(0, 4).toUpperCase();
    const rest = var0.slice(5);
    if (rest === '') return '';
    if (head === 'HTTP') return lookupHeader(rest, ctx) ?? '';
    if (head === 'LA-U' || head === 'LA-F') return ctx.lookahead.get(var0) ?? '';
    return '';
  }
  const v = var0.toUpperCase();
  const common = commonVar(r, v);
  if (common !== undefined) return common;
  switch (v) {
    case 'HTTP_HOST':
      return lookupHeader('Host', ctx) ?? '';
    case 'HTTP_ACCEPT':
      return lookupHeader('Accept', ctx) ?? '';
    case 'HTTP_COOKIE':
      return lookupHeader('Cookie', ctx) ?? '';
    case 'HTTP_REFERER':
      return lookupHeader('Referer', ctx) ?? '';
    case 'HTTP_FORWARDED':
      return lookupHeader('Forwarded', ctx) ?? '';
    case 'HTTP_USER_AGENT':
      return lookupHeader('User-Agent', ctx) ?? '';
    case 'HTTP_PROXY_CONNECTION':
      return lookupHeader('Proxy-Connection', ctx) ?? '';
    case 'SERVER_ADDR':
      return r.connection.localAddr;
    case 'API_VERSION':
      return '20120211:142'; // MODULE_MAGIC_NUMBER_MAJOR:MINOR of the httpd 2.4 it is checked against
    case 'SCRIPT_USER':
    case 'SCRIPT_GROUP':
      return ownerOf(r, v === 'SCRIPT_USER');
    default:
      return '';
  }
}

/**
 * SCRIPT_USER / SCRIPT_GROUP: the owner of the file after the directory walk, by name
 * (apr_uid_name_get reads the passwd/group database; here /etc/passwd and /etc/group),
 * "<unknown>" before the walk (server context) or for a file that is not there.
 */
function ownerOf(r: RequestRecord, user: boolean): string {
  const st = r.finfo;
  if (st === undefined) return '<unknown>';
  const id = user ? st.uid : st.gid;
  return accountName(user, id) ?? String(id);
}
