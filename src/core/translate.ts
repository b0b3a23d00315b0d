// httpd: server/core.c (ap_core_translate, core_map_to_storage, core_override_type,
// do_nothing), server/request.c (ap_directory_walk's stat loop and path_info split,
// ap_file_walk).

import { statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { DECLINED, OK } from '../request/hooks.js';
import type { Outcome } from '../request/hooks.js';
import type { RequestRecord } from '../request/record.js';
import { directoryWalk } from './htaccess.js';
import { coreDir, coreServer } from './view.js';

/** ap_core_translate (REALLY_LAST): r.filename = DocumentRoot + r.uri. */
export function coreTranslate(r: RequestRecord): Outcome {
  if (r.uri === '*') return OK; // OPTIONS *: nothing to map
  if (!r.uri.startsWith('/')) {
    r.logError('error', 'core', 'AH00126', `Invalid URI in request ${r.theRequest}`);
    return 400;
  }
  if (r.filename !== undefined) return OK;
  const root = coreServer(r.server.server).documentRoot;
  r.filename = (root.endsWith('/') ? root.slice(0, -1) : root) + r.uri;
  return OK;
}

const tryStat = (p: string): Stats | undefined => {
  try {
    // ENOENT answers undefined without building an exception (a path_info walk meets it).
    return statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES, ...: not there, as far as the walk is concerned
  }
};

/** The result of splitPathInfo. */
export interface PathSplit {
  filename: string;
  pathInfo: string;
  finfo: Stats | undefined;
}

/**
 * The stat part of ap_directory_walk: find the longest existing prefix of `filename`. A
 * regular file part-way becomes the file and the rest path_info; the first missing
 * component ends the walk (that component is kept in filename, the rest is path_info).
 *
 * httpd stats each component from the root down. The answer is the same from the end up
 * (a path through a missing or non-directory component cannot be stat-ed, so the deepest
 * prefix that can is the last one the top-down walk passes), and the usual case, a script
 * with path_info (`/srv/app.wsgi/some/path`), then costs one stat per path_info segment
 * plus one instead of one per component: 3 instead of 7 for `/srv/www/app.wsgi/` (at
 * ~5 µs a stat on this VM, a third of the front end's time for such a request).
 */
export function splitPathInfo(
  filename: string,
  stat: (p: string) => Stats | undefined = tryStat,
  hint?: string,
): PathSplit {
  // A hint that is a regular file ends the walk there, as it would end top-down (every
  // ancestor of a path that can be stat-ed is a directory): one stat, no failing one.
  if (hint !== undefined && filename.startsWith(hint + '/')) {
    const st = stat(hint);
    if (st !== undefined && !st.isDirectory())
      return { filename: hint, pathInfo: filename.slice(hint.length), finfo: st };
  }
  const whole = stat(filename);
  if (whole !== undefined) return { filename, pathInfo: '', finfo: whole };
  const parts = filename.split('/');
  const prefix = (i: number): string => parts.slice(0, i + 1).join('/');
  const rest = (i: number): string =>
    i + 1 < parts.length ? '/' + parts.slice(i + 1).join('/') : '';
  // The component after index i the top-down walk would stat next (empty ones are skipped).
  const next = (i: number): number => {
    let k = i + 1;
    while (k < parts.length && parts[k] === '') k++;
    return k;
  };
  let missing = next(0); // the first component, unless a deeper prefix exists
  for (let i = parts.length - 1; i >= 1; i--) {
    if (parts[i] === '') continue;
    const p = prefix(i);
    if (p === filename) continue; // the whole path, stat-ed above
    const st = stat(p);
    if (st === undefined) continue;
    if (!st.isDirectory()) return { filename: p, pathInfo: rest(i), finfo: st };
    missing = next(i);
    break;
  }
  if (missing >= parts.length) return { filename, pathInfo: '', finfo: undefined };
  return { filename: prefix(missing), pathInfo: rest(missing), finfo: undefined };
}

/** `//`, or a `.`/`..` segment: what apr_filepath_merge has to rewrite. */
const NOT_CANONICAL = /\/\/|\/\.\.?(?:\/|$)/;

/**
 * The canonical form ap_directory_walk gives r->filename before it walks (apr_filepath_merge
 * with no root): empty and `.` segments dropped, `..` takes the previous segment off (at
 * the root it does nothing), a trailing slash kept. Under `MergeSlashes Off` this is why
 * `/x//b.txt` is logged (AH00128, AH01630, %f) as `…/x/b.txt`. httpd's path_info comes
 * out canonical too; here it stays as written (see rawPathInfo).
 */
export function canonicalFilename(p: string): string {
  if (p.charCodeAt(0) !== 0x2f || !NOT_CANONICAL.test(p)) return p;
  const out: string[] = [];
  const segs = p.split('/');
  for (const s of segs) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  const last = segs[segs.length - 1];
  const trailing = segs.length > 1 && (last === '' || last === '.' || last === '..');
  return '/' + out.join('/') + (trailing && out.length > 0 ? '/' : '');
}

/**
 * The part of the raw `raw` file name after the segments that make up the canonical
 * `file`: path_info as written. SCRIPT_NAME is r->uri minus path_info (cgi-env.ts), so
 * under MergeSlashes Off `/app//a//b` must keep `//a//b` for SCRIPT_NAME to come out
 * `/app`, as httpd's ap_find_path_info makes it; the WSGI environ collapses the slashes of
 * PATH_INFO as mod_wsgi does. Undefined when no prefix of `raw` gives `file`.
 */
export function rawPathInfo(raw: string, file: string): string | undefined {
  const stack: string[] = [];
  let at = 1;
  while (at <= raw.length) {
    let end = raw.indexOf('/', at);
    if (end < 0) end = raw.length;
    const seg = raw.slice(at, end);
    if (seg === '..') stack.pop();
    else if (seg !== '' && seg !== '.') {
      stack.push(seg);
      if ('/' + stack.join('/') === file) return raw.slice(end);
    }
    at = end + 1;
  }
  return undefined;
}

/** core_map_to_storage (REALLY_LAST): directory walk + file walk over the server defaults. */
export function coreMapToStorage(r: RequestRecord): Outcome {
  if (r.filename === undefined) return DECLINED;
  const raw = r.filename;
  const canonical = canonicalFilename(raw);
  const hint = r.fileHint !== undefined ? canonicalFilename(r.fileHint) : undefined;
  const split = splitPathInfo(canonical, tryStat, hint);
  if (canonical !== raw && split.pathInfo !== '')
    split.pathInfo = rawPathInfo(raw, split.filename) ?? split.pathInfo;
  r.filename = split.filename;
  r.pathInfo = split.pathInfo + r.pathInfo;
  r.finfo = split.finfo;
  const sections = directoryWalk(r, r.perDir, r.filename, split.finfo?.isDirectory() ?? false);
  if (typeof sections === 'number') return sections;
  r.perDir = r.generation.runtime.walk.merge(r.perDir, sections);
  return OK;
}

/** core_override_type (fixups, REALLY_FIRST): ForceType and SetHandler win. */
export function coreOverrideType(r: RequestRecord): Outcome {
  const d = coreDir(r.perDir);
  if (d.forceType !== undefined) r.contentType = d.forceType;
  if (d.setHandler !== undefined) r.handler = d.setHandler;
  return OK;
}

/** core's do_nothing type_checker (REALLY_LAST): a missing type is not an error. */
export const coreTypeChecker = (): Outcome => OK;
