// httpd: server/config.c (ap_process_fnmatch_configs, process_resource_config_nofnmatch),
//        apr_fnmatch (APR_FNM_PERIOD).
//
// What an Include/IncludeOptional argument names: a file, a directory (every file inside,
// sorted, recursively) or a wildcard pattern (fnmatch, a wildcard in any path component),
// plus the small filesystem helpers the tree reader shares. tree.ts reads the files.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorFrame } from './errors.js';
import { readError } from './errors.js';

/** errno text as httpd's apr_strerror prints it (for "Could not open …"). */
export function errnoText(e: unknown): string {
  const code = e instanceof Error && 'code' in e ? String(e.code) : '';
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return e instanceof Error ? e.message : String(e);
}

/** True if `p` is a directory (following symlinks). */
export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** True if `p` exists. */
export function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * apr_fnmatch_test: does `s` hold a wildcard? `*` and `?` do; `[` only once a `]` follows
 * it; a backslash hides the next character. So `inc/[s` names a file literally.
 */
export function fnmatchTest(s: string): boolean {
  let open = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '*' || c === '?') return true;
    if (c === '\\') {
      if (++i >= s.length) return false;
    } else if (c === '[') open = true;
    else if (c === ']' && open) return true;
  }
  return false;
}

/** Files an Include names, in order (ap_process_fnmatch_configs semantics). */
export function matchIncludes(path: string, optional: boolean, at: ErrorFrame): string[] {
  const parts = path.split('/');
  // The whole path is tested first, then each component (process_resource_config_fnmatch).
  const wildAt = fnmatchTest(path) ? parts.findIndex(fnmatchTest) : -1;
  if (wildAt < 0) {
    if (!exists(path)) {
      if (optional) return [];
      throw readError(`Could not open configuration file ${path}: No such file or directory`, at);
    }
    return expandDirectory(path);
  }
  const fixed = parts.slice(0, wildAt).join('/') || '/';
  const pattern = parts[wildAt] ?? '';
  const rest = parts.slice(wildAt + 1);
  let entries: string[];
  try {
    entries = readdirSync(fixed).sort();
  } catch (e) {
    if (optional) return [];
    throw readError(
      `Include/IncludeOptional: Could not open directory ${fixed}: ${errnoText(e)}`,
      at,
    );
  }
  const re = globToRegExp(pattern);
  const out: string[] = [];
  for (const name of entries) {
    if (!re.test(name)) continue;
    const full = join(fixed, name);
    if (rest.length > 0) {
      // A wildcard in a middle component: descend into matching directories only.
      if (isDir(full)) out.push(...matchIncludes([full, ...rest].join('/'), true, at));
    } else if (!isDir(full)) {
      out.push(full);
    } else {
      out.push(...expandDirectory(full));
    }
  }
  if (out.length === 0 && !optional) {
    throw readError(
      `Include/IncludeOptional: No matches for the wildcard '${pattern}' in '${fixed}', failing`,
      at,
    );
  }
  return out;
}

/** A directory includes every file inside it, sorted, recursively (httpd does the same). */
function expandDirectory(path: string): string[] {
  if (!isDir(path)) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) out.push(...expandDirectory(join(path, name)));
  return out;
}

/** fnmatch(3) pattern (with APR_FNM_PERIOD: a leading dot must be matched explicitly). */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^(?!\\.)${re}$`);
}
