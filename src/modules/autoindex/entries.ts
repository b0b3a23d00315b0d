// httpd: modules/generators/mod_autoindex.c (find_item, find_desc, ignore_entry,
// make_parent_entry, make_autoindex_entry, find_title, dsortf).
//
// The entries of a listing: each directory entry is looked up with a sub-request (so
// access control, IndexIgnore and the type/encoding that pick icons apply as for a real
// request), then sorted.

import { closeSync, readSync } from 'node:fs';
import type { RequestRecord } from '../../request/record.js';
import { lookupDirent } from '../../request/subrequest.js';
import type { AiDesc, AiItem, AutoindexDirConf } from './config.js';
import { bytes, scanTitle, strcasecmp, strcmp, strnatcmp } from './format.js';
import { fnmatch, strcmpMatch } from './match.js';
import { Opt } from './options.js';
import { openRegularSync } from '../../util/read-regular.js';

/** One listed entry (struct ent). Strings are byte strings. */
export interface Entry {
  /** File name (`/` added for a directory); the parent entry's is its absolute URI. */
  readonly name: string;
  icon: string | undefined;
  alt: string | undefined;
  desc: string | undefined;
  /** -1 = none. */
  size: number;
  /** mtime in ms; -1 = none. */
  lm: number;
  isdir: boolean;
}

/** The sort order of a listing (the entries' key/ascending/version_sort/ignore_case). */
export interface SortSpec {
  readonly key: string;
  readonly ascending: boolean;
  readonly versionSort: boolean;
  readonly ignoreCase: boolean;
}

/** find_item: the first item whose path and target match (icons and alt texts). */
export function findItem(
  contentType: string | undefined,
  encoding: string | undefined,
  path: string,
  list: readonly AiItem[],
  pathOnly: boolean,
): string | undefined {
  for (const p of list) {
    // ^^DIRECTORY^^ and ^^BLANKICON^^ are looked up without a path.
    if (!path.startsWith('^') && !strcmpMatch(path, p.applyPath)) continue;
    if (p.applyTo === '') return p.data;
    if (p.type === 'path' || path.startsWith('^')) {
      if (strcmpMatch(path, p.applyTo)) return p.data;
    } else if (!pathOnly) {
      if (encoding === undefined) {
        if (
          p.type === 'type' &&
          contentType !== undefined &&
          strcmpMatch(contentType, p.applyTo, true)
        )
          return p.data;
      } else if (p.type === 'encoding' && strcmpMatch(encoding, p.applyTo, true)) return p.data;
    }
  }
  return undefined;
}

/** find_desc: the first AddDescription whose pattern matches the file. */
export function findDesc(descs: readonly AiDesc[], full: string): string | undefined {
  const only = full.slice(full.lastIndexOf('/') + 1);
  for (const t of descs) {
    const name = t.fullPath ? full : only;
    if (t.wildcards ? fnmatch(t.pattern, name) : name.includes(t.pattern)) return t.description;
  }
  return undefined;
}

/** ignore_entry: IndexIgnore, by the section path and the name's last component. */
export function ignoreEntry(items: readonly AiItem[], path: string): boolean {
  const tt = path.slice(path.lastIndexOf('/') + 1);
  for (const p of items) {
    const ap = p.applyTo.slice(p.applyTo.lastIndexOf('/') + 1);
    if (strcmpMatch(path, p.applyPath) && strcmpMatch(tt, ap)) return true;
  }
  return false;
}

/** The content type without parameters (ap_field_noparam). */
const noParam = (ct: string | undefined): string | undefined =>
  ct === undefined ? undefined : (ct.split(';')[0] ?? '').trim();

/** response_is_html. */
export function isHtml(ct: string | undefined): boolean {
  const t = noParam(ct)?.toLowerCase();
  return t === 'text/html' || t === 'application/xhtml+xml';
}

/**
 * make_parent_entry: `..` as the URI one level up (none at the root), unless IndexIgnore
 * hides `/this/path/..`.
 */
export function parentEntry(
  r: RequestRecord,
  d: AutoindexDirConf,
  opts: number,
): Entry | undefined {
  // ap_make_full_path(uri, "../") normalised, never above the root: the last segment
  // off (an empty one too, under MergeSlashes Off).
  const uri = bytes(r.uri).replace(/\/$/, '');
  if (uri === '') return undefined;
  const name = uri.slice(0, uri.lastIndexOf('/') + 1);
  const testpath = bytes(r.filename ?? '') + '..';
  if (ignoreEntry(d.ignore.items, testpath)) return undefined;
  const e: Entry = {
    name,
    icon: undefined,
    alt: undefined,
    desc: undefined,
    size: -1,
    lm: -1,
    isdir: false,
  };
  if ((opts & Opt.FANCY_INDEXING) !== 0) {
    e.icon =
      findItem(undefined, undefined, testpath, d.icons, true) ??
      findItem(undefined, undefined, '^^DIRECTORY^^', d.icons, true);
    // PARENTDIR tells the parent apart from other directories (for AddAltClass).
    e.alt =
      findItem(undefined, undefined, testpath, d.alts, true) ??
      findItem(undefined, undefined, '^^DIRECTORY^^', d.alts, true) ??
      'PARENTDIR';
    e.desc = findDesc(d.descs, testpath);
  }
  return e;
}

/** find_title: the <title> of an HTML entry (ScanHTMLTitles), byte string. */
function findTitle(rr: RequestRecord): string | undefined {
  if (rr.status !== 200) return undefined;
  const ct = rr.contentType;
  if (ct === undefined || !(isHtml(ct) || ct === 'text/x-server-parsed-html')) return undefined;
  if (rr.contentEncoding !== undefined) return undefined;
  let fd: number;
  try {
    fd = openRegularSync(rr.filename ?? '');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(8191); // MAX_STRING_LEN - 1
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n === 0) return undefined;
    return scanTitle(buf.subarray(0, n).toString('latin1'));
  } finally {
    closeSync(fd);
  }
}

/** A directory entry as read: its byte-string name and whether it is a directory. */
export interface Dirent {
  /** Name as bytes (latin1 string). */
  readonly name: string;
  readonly isDir: boolean;
}

/**
 * make_autoindex_entry: undefined if the entry is hidden (the `?P=` pattern, IndexIgnore,
 * or a sub-request that is neither a success nor a redirect, unless ShowForbidden lets a
 * 401/403 through).
 */
export async function makeEntry(
  r: RequestRecord,
  dirent: Dirent,
  d: AutoindexDirConf,
  opts: number,
  key: string,
  pattern: string | undefined,
): Promise<Entry | undefined> {
  if (pattern !== undefined && !fnmatch(pattern, dirent.name, { noEscape: true, period: true }))
    return undefined;
  const dirFile = bytes(r.filename ?? '');
  if (ignoreEntry(d.ignore.items, dirFile + dirent.name)) return undefined;
  const utf8Name = Buffer.from(dirent.name, 'latin1').toString('utf8');
  const { rr } = await lookupDirent(r, utf8Name, dirent.isDir);
  const showForbidden =
    (opts & Opt.SHOW_FORBIDDEN) !== 0 && (rr.status === 401 || rr.status === 403);
  const kind = rr.finfo?.isDirectory() === true ? 'dir' : rr.finfo?.isFile() === true ? 'reg' : '';
  if (kind === '' || !((rr.status >= 200 && rr.status < 400) || showForbidden)) return undefined;
  const e: Entry = {
    name: dirent.isDir ? dirent.name + '/' : dirent.name,
    icon: undefined,
    alt: undefined,
    desc: undefined,
    size: -1,
    lm: -1,
    isdir: false,
  };
  if ((opts & (Opt.FANCY_INDEXING | Opt.TABLE_INDEXING)) !== 0) {
    e.lm = rr.finfo?.mtimeMs ?? -1;
    let file = bytes(rr.filename ?? '');
    if (dirent.isDir) {
      if ((opts & Opt.FOLDERS_FIRST) !== 0) e.isdir = true;
      // ap_make_dirstr_parent, then the trailing slash off (1.3 compat).
      file = file.slice(0, file.lastIndexOf('/'));
      e.icon =
        findItem(undefined, undefined, file, d.icons, true) ??
        findItem(undefined, undefined, '^^DIRECTORY^^', d.icons, true);
      e.alt =
        findItem(undefined, undefined, file, d.alts, true) ??
        findItem(undefined, undefined, '^^DIRECTORY^^', d.alts, true) ??
        'DIR';
    } else {
      const ct = noParam(rr.contentType);
      e.icon = findItem(ct, rr.contentEncoding, file, d.icons, false);
      e.alt = findItem(ct, rr.contentEncoding, file, d.alts, false);
      e.size = rr.finfo?.size ?? -1;
    }
    e.desc = findDesc(d.descs, file);
    if (e.desc === undefined && (opts & Opt.SCAN_HTML_TITLES) !== 0) e.desc = findTitle(rr);
  }
  if (key === 'M' && e.lm < 0) e.lm = 0;
  return e;
}

/** dsortf: the parent first, then folders (FoldersFirst), then by the key, then by name. */
export function compareEntries(e1: Entry, e2: Entry, s: SortSpec): number {
  // Only the parent's name is a URI (starts with `/`).
  if (e1.name.startsWith('/')) return -1;
  if (e2.name.startsWith('/')) return 1;
  if (e1.isdir !== e2.isdir) return e1.isdir ? -1 : 1;
  const [c1, c2] = s.ascending ? [e1, e2] : [e2, e1];
  if (s.key === 'M') {
    if (c1.lm !== c2.lm) return c1.lm > c2.lm ? 1 : -1;
  } else if (s.key === 'S') {
    if (c1.size !== c2.size) return c1.size > c2.size ? 1 : -1;
  } else if (s.key === 'D') {
    const r = s.versionSort
      ? strnatcmp(c1.desc ?? '', c2.desc ?? '')
      : strcmp(c1.desc ?? '', c2.desc ?? '');
    if (r !== 0) return r;
  }
  let result = 0;
  if (s.versionSort) {
    if (s.ignoreCase) result = strnatcmp(c1.name, c2.name, true);
    if (result === 0) result = strnatcmp(c1.name, c2.name);
  }
  if (result === 0 && s.ignoreCase) result = strcasecmp(c1.name, c2.name);
  if (result === 0) result = strcmp(c1.name, c2.name);
  return result;
}
