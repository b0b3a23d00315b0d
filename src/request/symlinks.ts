// httpd: server/request.c (ap_directory_walk's per-component lstat and resolve_symlink,
// AH00037). A symbolic link met on the way to r.filename is followed only if the options
// in force for the directory holding it allow it: FollowSymLinks, or SymLinksIfOwnerMatch
// when the link and its target have the same owner. Otherwise the request is 403.

import { lstatSync, statSync } from 'node:fs';
import type { RequestRecord } from './record.js';
import { sectionsForFile } from './walk.js';
import { coreDir } from '../core/view.js';

const lstatOrUndefined = (p: string): ReturnType<typeof lstatSync> | undefined => {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
};

/**
 * Check every existing component of r.filename against the Options of its directory
 * (merged from `defaults` like the directory walk). Returns the offending path, or
 * undefined when every link met may be followed.
 */
export function forbiddenSymlink(
  r: RequestRecord,
  defaults: RequestRecord['perDir'],
): string | undefined {
  const filename = r.filename;
  if (filename === undefined || !filename.startsWith('/')) return undefined;
  const rt = r.generation.runtime;
  const parts = filename.split('/').filter((s) => s !== '');
  let cur = '';
  for (const part of parts) {
    cur += '/' + part;
    // Options of the directory holding the link (its <Directory> chain, no <Files>). As
    // ap_directory_walk: where FollowSymLinks is in force nothing is lstat'ed at all, which
    // is every path under Apache's default Options.
    const path = cur;
    const policy = rt.walk.memo(defaults, `symlinks\0${path}`, () => {
      const sections = sectionsForFile(rt.sections(r.server), path, false).filter(
        (s) => s.ir.kind === 'directory' || s.ir.kind === 'directoryMatch',
      );
      const opts = coreDir(rt.walk.merge(defaults, sections)).options;
      return opts.has('FollowSymLinks')
        ? 'follow'
        : opts.has('SymLinksIfOwnerMatch')
          ? 'owner'
          : 'deny';
    });
    if (policy === 'follow') continue;
    const st = lstatOrUndefined(cur);
    if (st === undefined) return undefined;
    if (!st.isSymbolicLink()) continue;
    if (policy === 'deny') return cur;
    try {
      if (statSync(cur).uid !== st.uid) return cur;
    } catch {
      return cur;
    }
  }
  return undefined;
}
