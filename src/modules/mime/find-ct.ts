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

/**
 * find_ct's rebuild of the type through analyze_ct: `type/sub; attr=val` with one space
 * after each `;`, and AddCharset's charset replacing a charset parameter or appended.
 */
export function withParams(type: string, charset: string | undefined): string {
  if (!type.includes(';')) return charset === undefined ? type : `${type}; charset=${charset}`;
  const [base = '', ...params] = type.split(';').map((p) => p.trim());
  let out = base;
  let replaced = false;
  for (const p of params) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    const attr = (eq < 0 ? p : p.slice(0, eq)).trim();
    const val = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (charset !== undefined && attr === 'charset') {
      if (!replaced) out += `; charset=${charset}`;
      replaced = true;
    } else out += `; ${attr}=${val}`;
  }
  return charset !== undefined && !replaced ? `${out}; charset=${charset}` : out;
}

/** The note a sub-request carries for mod_negotiation: the name parts mod_mime did not know. */
export const MIME_EXCEPTIONS_NOTE = 'ap-mime-exceptions-list';

/**
 * find_ct (type_checker, FIRST): every dot-part after the base name is looked up (AddType
 * over TypesConfig, AddCharset, AddLanguage, AddEncoding, AddHandler). Parts that carry no
 * metadata (as MultiviewsMatch counts it) form the exceptions list mod_negotiation checks
 * against the requested name; it is kept, as a JSON array note, on sub-requests only (the
 * only readers), so a main request pays nothing for it.
 */
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
    const match = conf.multiviewsMatch ?? [];
    const matchAny = match.includes('Any');
    const matchHandlers = match.includes('Handlers');
    const matchFilters = match.includes('Filters');
    const fn = r.filename.slice(r.filename.lastIndexOf('/') + 1);
    // Leading dots belong to the base name (".png" is a hidden file called png).
    let lead = 0;
    while (fn.charCodeAt(lead) === 0x2e) lead++;
    const dot = fn.indexOf('.', lead);
    const exceptions = [dot < 0 ? fn : fn.slice(0, dot)];
    let foundMetadata = false;
    let type: string | undefined;
    let charset: string | undefined;
    let handler: string | undefined;
    let encoding: string | undefined;
    let languages: string[] | undefined;
    for (const extcase of dot < 0 ? [] : fn.slice(dot + 1).split('.')) {
      if (extcase === '') continue; // "bad..html"
      const ext = extcase.toLowerCase();
      const info = conf.ext[ext];
      let found = false;
      if (typeof info?.type !== 'string') {
        const t = types.get(ext);
        if (t !== undefined) {
          type = t;
          found = true;
        }
      }
      if (info !== undefined) {
        if (typeof info.type === 'string') {
          type = info.type;
          found = true;
        }
        if (typeof info.charset === 'string') {
          charset = info.charset;
          found = true;
        }
        if (typeof info.language === 'string') {
          (languages ??= []).push(info.language);
          found = true;
        }
        if (typeof info.encoding === 'string') {
          encoding = encoding === undefined ? info.encoding : `${encoding}, ${info.encoding}`;
          found = true;
        }
        // AddOutputFilter: added here, in the type checker, as find_ct does.
        if (typeof info.outputFilters === 'string') addOutputFilters(r, info.outputFilters);
        // Handlers and filters do not take part in negotiation unless MultiviewsMatch says.
        if (typeof info.handler === 'string' && r.notes.get('alias-forced-type') === undefined) {
          handler = info.handler;
          if (matchHandlers) found = true;
        }
        if (
          matchFilters &&
          (typeof info.inputFilters === 'string' || typeof info.outputFilters === 'string')
        )
          found = true;
      }
      if (found || matchAny) foundMetadata = true;
      else if (r.main !== undefined) exceptions.push(extcase); // only a sub-request's is read
    }
    if (foundMetadata && r.main !== undefined)
      r.notes.set(MIME_EXCEPTIONS_NOTE, JSON.stringify(exceptions));
    if (type !== undefined) r.contentType = withParams(type, charset);
    if (handler !== undefined) r.handler = handler;
    if (encoding !== undefined) r.contentEncoding = encoding;
    if (languages !== undefined) r.contentLanguages = languages;
    else if (conf.defaultLanguage !== undefined) r.contentLanguages = [conf.defaultLanguage];
    return r.contentType === undefined ? DECLINED : OK;
  };
}
