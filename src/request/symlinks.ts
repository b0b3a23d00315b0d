// httpd: server/request.c (ap_directory_walk's per-component lstat and resolve_symlink,
// AH00037). A symbolic link met on the way to r.filename is followed only if the options
// in force for the directory holding it allow it: FollowSymLinks, or SymLinksIfOwnerMatch
// when the link and its target have the same owner. Otherwise the request is 403.

import { lstatSync, statSync } from 'node:fs';
import type { RequestRecord } from './record.js';
import { sectionsForFile } from './walk.js';
import { coreDir } from '../core/view.js';
import { directoryConfigWithAccess, readsAccessFiles } from '../core/htaccess.js';

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
  // Where .htaccess files may set Options, they take part, read as the walk reads them.
  const access = readsAccessFiles(r);
  // Otherwise the usual case, FollowSymLinks on every component, depends on the config
  // alone: one memo lookup per request instead of one per path component.
  const allFollow =
    !access &&
    rt.walk.memo(defaults, `symlinks*\0${filename}`, () =>
      componentsOf(filename).every((path) => policyFor(r, defaults, path) === 'follow'),
    );
  if (allFollow) return undefined;
  for (const cur of componentsOf(filename)) {
    // With access files the policy costs a walk, so the lstat goes first.
    const policy = access ? undefined : policyFor(r, defaults, cur);
    if (policy === 'follow') continue;
    const st = lstatOrUndefined(cur);
    if (st === undefined) return undefined;
    if (!st.isSymbolicLink()) continue;
    const p = policy ?? accessPolicy(r, defaults, cur);
    if (p === 'follow') continue;
    if (p === 'deny') return cur;
    try {
      if (statSync(cur).uid !== st.uid) return cur;
    } catch {
      return cur;
    }
  }
  return undefined;
}

/** `/a/b/c` → `/a`, `/a/b`, `/a/b/c`. */
function componentsOf(filename: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const part of filename.split('/')) {
    if (part === '') continue;
    cur += '/' + part;
    out.push(cur);
  }
  return out;
}

/**
 * Options of the directory holding `path` (its <Directory> chain, no <Files>), as
 * ap_directory_walk applies them to a link: where FollowSymLinks is in force nothing is
 * lstat'ed at all, which is every path under Apache's default Options.
 */
function policyFor(
  r: RequestRecord,
  defaults: RequestRecord['perDir'],
  path: string,
): 'follow' | 'owner' | 'deny' {
  const rt = r.generation.runtime;
  return rt.walk.memo(defaults, `symlinks\0${path}`, () => {
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
}

/** policyFor with the .htaccess files of the directories on the way merged in. */
function accessPolicy(
  r: RequestRecord,
  defaults: RequestRecord['perDir'],
  path: string,
): 'follow' | 'owner' | 'deny' {
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  const merged = directoryConfigWithAccess(r, defaults, parent);
  if (merged === undefined) return policyFor(r, defaults, path);
  const opts = coreDir(merged).options;
  return opts.has('FollowSymLinks')
    ? 'follow'
    : opts.has('SymLinksIfOwnerMatch')
      ? 'owner'
      : 'deny';
}
