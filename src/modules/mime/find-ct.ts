// httpd: modules/http/mod_mime.c (mime_post_config: TypesConfig loading, find_ct: every
// dot-separated extension of the file name is looked up; AddType/AddHandler/AddCharset/
// AddEncoding/AddLanguage per extension).

import { addOutputFilters } from '../../request/output-filter.js';
import { readFileSync } from 'node:fs';
import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import type { ModuleDef } from '../module.js';
import type { MimeDirConf, MimeServerConf } from './config.js';

/** Parse a mime.types file: `type ext ext…` lines, `#` comments. Extensions lower-cased. */
export function parseMimeTypes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const words = line
      .replace(/#.*/, '')
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    const [type, ...exts] = words;
    if (type === undefined) continue;
    for (const e of exts) out.set(e.toLowerCase(), type.toLowerCase());
  }
  return out;
}

/** The generation's TypesConfig table (mime_post_config). */
export class MimeState {
  readonly types: ReadonlyMap<string, string>;
  constructor(types: ReadonlyMap<string, string>) {
    this.types = types;
  }
  /** Load `path` (httpd refuses to start without it: AH01597). */
  static load(path: string): MimeState {
    return new MimeState(parseMimeTypes(readFileSync(path, 'utf8')));
  }
  dispose(): void {
    // nothing held open
  }
}

/** The extensions find_ct considers: every dot-part after the first (`a.tar.gz` → tar, gz). */
export function extensionsOf(filename: string): string[] {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  return base
    .split('.')
    .slice(1)
    .filter((e) => e !== '')
    .map((e) => e.toLowerCase());
}

/** find_ct (type_checker, FIRST). */
export function makeFindCt(
  mod: ModuleDef<MimeServerConf, MimeDirConf>,
): (r: RequestRecord) => Outcome {
  return (r) => {
    if (r.finfo?.isDirectory() === true) {
      r.contentType = 'httpd/unix-directory';
      return OK;
    }
    if (r.filename === undefined) return DECLINED;
    const state = r.generation.moduleState(mod.name);
    const types = state instanceof MimeState ? state.types : new Map<string, string>();
    const conf = r.dirConf(mod);
    let type: string | undefined;
    let charset: string | undefined;
    let handler: string | undefined;
    let encoding: string | undefined;
    let found = false;
    for (const ext of extensionsOf(r.filename)) {
      const info = conf.ext[ext];
      const t = info?.type === null ? undefined : (info?.type ?? types.get(ext));
      if (t !== undefined) {
        type = t;
        found = true;
      }
      if (typeof info?.charset === 'string') charset = info.charset;
      if (typeof info?.handler === 'string' && r.notes.get('alias-forced-type') === undefined)
        handler = info.handler;
      if (typeof info?.encoding === 'string') encoding = info.encoding;
      // AddOutputFilter: added here, in the type checker, as find_ct does.
      if (typeof info?.outputFilters === 'string') addOutputFilters(r, info.outputFilters);
    }
    if (type !== undefined)
      r.contentType = charset === undefined ? type : `${type}; charset=${charset}`;
    if (handler !== undefined) {
      r.handler = handler;
      found = true;
    }
    if (encoding !== undefined) r.res.setHeader('Content-Encoding', encoding);
    return found ? OK : DECLINED;
  };
}
