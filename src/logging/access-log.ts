// httpd: modules/loggers/mod_log_config.c (parse_log_string, parse_log_item, the log_*
// item functions, ap_escape_logitem in server/util.c, config_log_transaction).
//
// LogFormat strings are compiled once (at provision) into a list of item functions.
// "By default, %s, %U, %T, %D and %r look at the original request while all others look
// at the final request" (mod_log_config docs); `<` / `>` override that per item.

import { lastOfChain } from '../request/tables.js';
import type { RequestRecord } from '../request/record.js';
import { logIdOf, sslVarLookup } from '../request/record.js';
import { coreServer } from '../core/view.js';
import { splitServerName } from '../request/server-name.js';
import { MONTHS, pad } from '../util/clock-names.js';
import { duration, requestTime } from './log-time.js';

/** Nicknames httpd's stock config defines (Debian apache2.conf); a config's own win. */
export const STOCK_FORMATS: Readonly<Record<string, string>> = {
  common: '%h %l %u %t "%r" %>s %b',
  combined: '%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  vhost_combined: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  referer: '%{Referer}i -> %U',
  agent: '%{User-agent}i',
};

/** What the items read besides the record: response facts known only at log time. */
export interface LogContext {
  /** The original request (r). The final one is found through `next`. */
  readonly r: RequestRecord;
  /** Final status sent (%>s). */
  readonly status: number;
  /** When the request finished, ms since the epoch. */
  readonly endTime: number;
  /** Bytes sent including headers (%O); undefined → body bytes. */
  readonly bytesOut?: number;
}

type Item = (c: LogContext) => string;

/** ap_escape_logitem: `"` and `\` backslashed, control bytes as \n, \t… or \xhh. */
export function escapeLogItem(s: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control bytes is the point
  return s.replace(/["\\\x00-\x1f\x7f-\xff]/g, (ch) => {
    switch (ch) {
      case '"':
        return '\\"';
      case '\\':
        return '\\\\';
      case '\b':
        return '\\b';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\v':
        return '\\v';
      case '\f':
        return '\\f';
      default:
        return '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    }
  });
}

const p2 = (n: number): string => pad(n);

/** `[21/Nov/2026:20:13:49 +0000]` in local time (CLF). */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `[${p2(d.getDate())}/${MONTHS[d.getMonth()] ?? ''}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${sign}${p2(Math.floor(a / 60))}${p2(a % 60)}]`;
}

const final = lastOfChain;
const dash = (s: string | undefined): string => (s === undefined || s === '' ? '-' : s);

/** mod_logio's %O: bytes written for this response, head and chunk framing included. */
function wireOut(c: LogContext): number {
  const wire = (c.r.res as { wireBytes?: unknown }).wireBytes;
  return typeof wire === 'number' ? wire : (c.bytesOut ?? c.r.bytesSent);
}

/**
 * mod_logio's %I: bytes read for this request: the request line and headers as sent, plus
 * the body (its Content-Length, or for a chunked body what the connection read for it).
 */
function wireIn(c: LogContext): number {
  const req = c.r.headersIn;
  const h = req.rawHeaders;
  let head = c.r.theRequest.length + 4;
  for (let i = 0; i + 1 < h.length; i += 2)
    head += (h[i] ?? '').length + (h[i + 1] ?? '').length + 4;
  const cl = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined)
    return head + (cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : 0);
  const w = c.r.wireStart;
  return w === undefined ? head : Math.max(head, req.socket.bytesRead - w.read);
}

/** A response header as sent (the head CountingResponse wrote), or as set. */
function headerOut(c: LogContext, name: string): string | undefined {
  const lower = name.toLowerCase();
  const sent = (c.r.res as { sentHeaders?: readonly unknown[] }).sentHeaders;
  if (sent !== undefined) {
    for (let i = 0; i + 1 < sent.length; i += 2)
      if (String(sent[i]).toLowerCase() === lower) return String(sent[i + 1]);
    return undefined;
  }
  const v = c.r.res.getHeader(name);
  return v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : String(v);
}

/** %{name}C: the value of one cookie of the Cookie header (log_cookie). */
function cookieIn(r: RequestRecord, name: string): string | undefined {
  const all = headerIn(r, 'cookie');
  if (all === undefined) return undefined;
  for (const part of all.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** %{name}i: node's joined value of the request header. */
function headerIn(r: RequestRecord, name: string): string | undefined {
  const v = r.headersIn.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** One `%…` directive → item, or undefined for an unknown letter. */
function item(
  letter: string,
  arg: string | undefined,
  orig: boolean | undefined,
): Item | undefined {
  const pick = (c: LogContext, defOrig: boolean): RequestRecord =>
    (orig ?? defOrig) ? c.r : final(c.r);
  switch (letter) {
    case 'h':
      return arg === 'c' ? (c) => c.r.connection.remoteAddr : (c) => c.r.useragentIp;
    case 'a':
      // %{c}a: the peer (c->client_ip); %a: the client as mod_remoteip left it.
      return arg === 'c' ? (c) => c.r.connection.remoteAddr : (c) => c.r.useragentIp;
    case 'A':
      return (c) => c.r.connection.localAddr;
    case 'l':
      return () => '-';
    case 'u':
      return (c) => {
        const u = pick(c, false).user;
        return u === undefined ? '-' : u === '' ? '""' : escapeLogItem(u);
      };
    case 't':
      if (arg === undefined) return (c) => clfTime(c.r.requestTime);
      return (c) => requestTime(arg, c.r.requestTime, c.endTime, clfTime);
    case 'r':
      return (c) => escapeLogItem(pick(c, true).theRequest);
    case 's':
      return (c) => String(orig === false || c.r.next === undefined ? c.status : c.r.status);
    case 'b':
      return (c) => {
        const n = c.r.bytesSent;
        return n === 0 ? '-' : String(n);
      };
    case 'B':
      return (c) => String(c.r.bytesSent);
    case 'O':
      return (c) => String(wireOut(c));
    case 'I':
      return (c) => String(wireIn(c));
    case 'S':
      return (c) => String(wireIn(c) + wireOut(c));
    case 'C':
      return (c) => {
        const cookie = cookieIn(pick(c, false), arg ?? '');
        return cookie === undefined ? '-' : escapeLogItem(cookie);
      };
    case 'L':
      // r->log_id, the same id the application sees as mod_wsgi.request_id.
      return (c) => (arg === 'c' ? '-' : logIdOf(c.r));
    case '^':
      return undefined;
    case 'D':
      return (c) => String(Math.max(0, Math.round((c.endTime - c.r.requestTime) * 1000)));
    case 'T':
      return (c) => duration(arg, c.r.requestTime, c.endTime);
    case 'i':
      return (c) => {
        const v = headerIn(pick(c, false), arg ?? '');
        return v === undefined ? '-' : escapeLogItem(v);
      };
    case 'o':
      return (c) => {
        const v = headerOut(c, arg ?? '');
        return v === undefined ? '-' : escapeLogItem(v);
      };
    case 'e':
      return (c) => dash(pick(c, false).env.get(arg ?? ''));
    case 'n':
      return (c) => dash(pick(c, false).notes.get(arg ?? ''));
    case 'U':
      return (c) => escapeLogItem(pick(c, true).uri);
    case 'q':
      return (c) => {
        const a = pick(c, false).args;
        return a === '' ? '' : '?' + escapeLogItem(a);
      };
    case 'm':
      return (c) => escapeLogItem(pick(c, false).method);
    case 'H':
      return (c) => escapeLogItem(pick(c, false).protocol);
    case 'v':
      return (c) =>
        splitServerName(coreServer(c.r.server.server).serverName).host ?? c.r.connection.localAddr;
    case 'V':
      return (c) => dash(c.r.hostname);
    case 'p':
      if (arg === 'local') return (c) => String(c.r.connection.localPort);
      if (arg === 'remote') return (c) => String(c.r.connection.remotePort);
      return (c) => String(splitServerName(coreServer(c.r.server.server).serverName).port ?? 80);
    case 'P':
      // One thread serves every request: tid and hextid name the process.
      if (arg === 'hextid') return () => process.pid.toString(16);
      return () => String(process.pid);
    case 'f':
      return (c) => dash(pick(c, false).filename);
    case 'k':
      return (c) => String(c.r.connection.keepalives);
    case 'X':
      return (c) => {
        // c->aborted ('X'), else whether the connection stays open after this response.
        const res = c.r.res;
        if (res.headersSent && !res.writableFinished) return 'X';
        return res.headersSent && res.shouldKeepAlive ? '+' : '-';
      };
    case 'R':
      return (c) => dash(pick(c, false).handler);
    case 'x':
      // mod_ssl's ssl_var_log_handler_x: an SSL_* variable (or HTTPS), '-' when empty.
      return (c) => {
        const v = sslVarLookup(c.r.connection, arg ?? '');
        return v === '' ? '-' : escapeLogItem(v);
      };
    default:
      return undefined;
  }
}

/** %{name}^ti: a trailer field of the (chunked) request body. */
function trailerIn(name: string): Item {
  return (c) => {
    const v = c.r.headersIn.trailers[name.toLowerCase()];
    return v === undefined ? '-' : escapeLogItem(v);
  };
}

/** A compiled LogFormat. */
export type CompiledFormat = (c: LogContext) => string;

/**
 * parse_log_string: literal text (with `\n`, `\t` escapes) and `%[<>][!codes]{arg}X`
 * items. An unknown letter is an error, as httpd's "Unrecognized LogFormat directive %x".
 */
export function compileLogFormat(fmt: string): CompiledFormat {
  const items: Item[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit !== '') {
      const t = lit;
      items.push(() => t);
      lit = '';
    }
  };
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] ?? '';
    if (ch === '\\' && i + 1 < fmt.length) {
      const n = fmt[++i] ?? '';
      lit += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      continue;
    }
    if (ch !== '%') {
      lit += ch;
      continue;
    }
    if (fmt[i + 1] === '%') {
      lit += '%';
      i++;
      continue;
    }
    let j = i + 1;
    let orig: boolean | undefined;
    let arg: string | undefined;
    for (;;) {
      const c = fmt[j] ?? '';
      if (c === '<') {
        orig = true;
        j++;
      } else if (c === '>') {
        orig = false;
        j++;
      } else if (c === '!' || c === ',' || /\d/.test(c))
        j++; // status conditions: accepted, ignored
      else if (c === '{') {
        const end = fmt.indexOf('}', j);
        if (end < 0) throw new Error(`Unterminated LogFormat argument in "${fmt}"`);
        arg = fmt.slice(j + 1, end);
        j = end + 1;
      } else break;
    }
    let letter = fmt[j] ?? '';
    let it: Item | undefined;
    if (letter === '^' && (fmt.startsWith('ti', j + 1) || fmt.startsWith('to', j + 1))) {
      // %{name}^ti / %{name}^to: a request trailer / a response trailer (none are sent).
      const dir = fmt.slice(j + 1, j + 3);
      j += 2;
      it = dir === 'ti' ? trailerIn(arg ?? '') : () => '-';
    } else it = item(letter, arg, orig);
    if (it === undefined) {
      if (letter === '^') letter = fmt.slice(j, j + 3);
      throw new Error(`Unrecognized LogFormat directive %${letter}`);
    }
    flush();
    items.push(it);
    i = j;
  }
  flush();
  return (c) => items.map((f) => f(c)).join('');
}
