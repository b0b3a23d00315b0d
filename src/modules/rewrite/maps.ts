// httpd: modules/mappers/mod_rewrite.c (lookup_map, lookup_map_txtfile,
// select_random_value_part, rewrite_mapfunc_*; the map cache keyed by the file's mtime).

import { readFileSync, statSync } from 'node:fs';
import type { RequestRecord } from '../../request/record.js';
import type { MapEntry } from './config.js';
import { escapeUri, unescapeUrl } from './escape.js';

/** A text map's contents, reloaded when the file's mtime changes (httpd's map cache). */
interface Loaded {
  readonly mtimeMs: number;
  readonly table: ReadonlyMap<string, string>;
}
// Keyed by the config's own map entry: a reload builds new entries, so nothing outlives
// the generation that owns them.
const loaded = new WeakMap<MapEntry, Loaded>();

/** lookup_map_txtfile for every key at once: `key value` lines, `#` and indented lines skipped. */
export function parseTxtMap(text: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || /^\s/.test(line)) continue;
    const m = /^(\S+)\s+(\S+)/.exec(line);
    if (m === null) continue;
    const [, k = '', v = ''] = m;
    if (!table.has(k)) table.set(k, v); // the first line for a key wins
  }
  return table;
}

/** select_random_value_part: one of the `|`-separated alternatives, uniformly. */
export function pickRandom(value: string, rand: () => number = Math.random): string {
  const parts = value.split('|');
  return parts[Math.floor(rand() * parts.length)] ?? value;
}

/** lookup_map: the value, or undefined (no such map, no such key, unreadable file). */
export function lookupMap(
  r: RequestRecord,
  maps: Readonly<Record<string, MapEntry>>,
  name: string,
  key: string,
): string | undefined {
  if (!Object.hasOwn(maps, name)) return undefined;
  const m = maps[name];
  if (m === undefined) return undefined;
  if (m.type === 'int') {
    switch (m.func) {
      case 'toupper':
        return key.toUpperCase();
      case 'tolower':
        return key.toLowerCase();
      case 'escape':
        return escapeUri(key);
      case 'unescape':
        return unescapeUrl(key);
    }
  }
  let st;
  try {
    st = statSync(m.file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    r.logError(
      'error',
      'rewrite',
      'AH00661',
      `mod_rewrite: can't access text RewriteMap file ${m.file}`,
      code === 'ENOENT' ? '(2)No such file or directory' : `(${code})`,
    );
    return undefined;
  }
  let cur = loaded.get(m);
  if (cur?.mtimeMs !== st.mtimeMs) {
    try {
      cur = { mtimeMs: st.mtimeMs, table: parseTxtMap(readFileSync(m.file, 'utf8')) };
    } catch {
      r.logError(
        'error',
        'rewrite',
        'AH00655',
        `mod_rewrite: can't open text RewriteMap file ${m.file}`,
      );
      return undefined;
    }
    loaded.set(m, cur);
  }
  const v = cur.table.get(key);
  if (v === undefined || v === '') return undefined;
  return m.type === 'rnd' ? pickRandom(v) : v;
}
