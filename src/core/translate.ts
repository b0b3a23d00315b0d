// httpd: server/core.c (ap_core_translate, core_map_to_storage, core_override_type,
// do_nothing), server/request.c (ap_directory_walk's stat loop and path_info split,
// ap_file_walk).

import { statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { DECLINED, OK } from '../request/hooks.js';
import type { Outcome } from '../request/hooks.js';
import type { RequestRecord } from '../request/record.js';
import { sectionsForFile } from '../request/walk.js';
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

/**
 * The stat part of ap_directory_walk: find the longest existing prefix of `filename`. A
 * regular file part-way becomes the file and the rest path_info; the first missing
 * component ends the walk (that component is kept in filename, the rest is path_info).
 */
export function splitPathInfo(filename: string): {
  filename: string;
  pathInfo: string;
  finfo: Stats | undefined;
} {
  const whole = tryStat(filename);
  if (whole !== undefined) return { filename, pathInfo: '', finfo: whole };
  const parts = filename.split('/');
  let cur = '';
  for (let i = 1; i < parts.length; i++) {
    cur += '/' + (parts[i] ?? '');
    if (parts[i] === '') continue;
    const st = tryStat(cur);
    const rest = '/' + parts.slice(i + 1).join('/');
    if (st === undefined)
      return { filename: cur, pathInfo: i + 1 < parts.length ? rest : '', finfo: undefined };
    if (!st.isDirectory())
      return { filename: cur, pathInfo: i + 1 < parts.length ? rest : '', finfo: st };
  }
  return { filename, pathInfo: '', finfo: undefined };
}

/** core_map_to_storage (REALLY_LAST): directory walk + file walk over the server defaults. */
export function coreMapToStorage(r: RequestRecord): Outcome {
  if (r.filename === undefined) return DECLINED;
  const split = splitPathInfo(r.filename);
  r.filename = split.filename;
  r.pathInfo = split.pathInfo + r.pathInfo;
  r.finfo = split.finfo;
  const rt = r.generation.runtime;
  const sections = sectionsForFile(
    rt.sections(r.server),
    r.filename,
    split.finfo?.isDirectory() ?? false,
  );
  r.perDir = rt.walk.merge(r.perDir, sections);
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
