// httpd: server/core.c (set_loglevel, set_error_document, set_etag_bits), server/log.c.
//
// Argument parsers of the core directives (LogLevel words, ErrorDocument values, On/Off,
// FileETag keywords), kept apart from the table in directives.ts. Each returns the parsed
// value or httpd's error text; the directive turns the text into cmd.fail().

import { STATUS_CODES } from 'node:http';
import { LOG_LEVELS, type LogLevel } from '../logging/error-log.js';
import type { ErrorDocumentConf, LogLevelConf } from './config.js';

const LOG_LEVEL_ERROR =
  'Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8';

/** Apply `LogLevel` words over `cur`: the new LogLevelConf, or httpd's error text. */
export function parseLogLevel(
  cur: LogLevelConf | undefined,
  words: readonly string[],
): LogLevelConf | string {
  let level = cur?.level;
  const modules: Record<string, LogLevel> = { ...cur?.modules };
  for (const w of words) {
    const colon = w.indexOf(':');
    const lv = (colon < 0 ? w : w.slice(colon + 1)).toLowerCase();
    const found = LOG_LEVELS.find((l) => l === lv);
    if (found === undefined) return colon < 0 ? LOG_LEVEL_ERROR : `${w}: ${LOG_LEVEL_ERROR}`;
    if (colon < 0) level = found;
    else
      modules[
        w
          .slice(0, colon)
          .toLowerCase()
          .replace(/_module$/, '')
          .replace(/^mod_/, '')
      ] = found;
  }
  return { level, modules };
}

/** On/Off (any case) → boolean; anything else → undefined. */
export const onOff = (v: string): boolean | undefined =>
  v.toLowerCase() === 'on' ? true : v.toLowerCase() === 'off' ? false : undefined;

/** Classify an ErrorDocument value (core.c set_error_document), or httpd's error text. */
export function errorDocument(code: string, msg: string): ErrorDocumentConf | string {
  const n = /^\d+$/.test(code) ? Number(code) : NaN;
  if (!(n >= 400 && n <= 599) || STATUS_CODES[n] === undefined)
    return `Unsupported HTTP response code ${code}`;
  if (msg.toLowerCase() === 'default') return { kind: 'default', value: 'default' };
  // core.c's heuristic: a space means a message, '/' a local path, scheme:// a URL.
  if (msg.includes(' ')) return { kind: 'message', value: msg };
  if (msg.startsWith('/')) return { kind: 'local', value: msg };
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(msg)) return { kind: 'url', value: msg };
  return { kind: 'message', value: msg };
}

/** FileETag's component keywords, in canonical spelling. */
export const FILE_ETAG = ['INode', 'MTime', 'Size', 'Digest'] as const;
