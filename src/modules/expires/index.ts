// httpd: modules/metadata/mod_expires.c (expires_insert_filter, expires_filter,
//        set_expiration_fields).
//
// On a response that is not an error, without an Expires of its own, from a main request
// with ExpiresActive On: the ExpiresByType code for its Content-Type (or a `type/*` one,
// else ExpiresDefault) adds `Cache-Control: max-age=N` and `Expires`. `M` codes count from
// the file's mtime, so they do nothing for a response that is not a file.

import { httpDate } from '../../http/response-headers.js';
import { CountingResponse } from '../../http/server.js';
import { DECLINED } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { lastOfChain } from '../../request/tables.js';
import type { ModuleDef } from '../module.js';
import { expiresConfig } from './config.js';
import type { ExpiresDirConf } from './config.js';

/** MOD_EXPIRES' place among the head edits (AP_FTYPE_CONTENT_SET - 2: before mod_headers). */
export const EXPIRES_RANK = 18;

type Table = [string, string][];

/** The code that applies to `contentType` (expires_filter's lookup order). */
export function codeFor(conf: ExpiresDirConf, contentType: string | undefined): string | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const exact = conf.byType[type];
  if (exact !== undefined) return exact;
  if (conf.wildcards === true) {
    const slash = type.indexOf('/');
    if (slash >= 0) {
      const wild = conf.byType[`${type.slice(0, slash + 1)}*`];
      if (wild !== undefined) return wild;
    }
  }
  return conf.expiresDefault;
}

/** set_expiration_fields: the two fields for `code`, or undefined (an M code without a file). */
export function expirationFields(
  code: string,
  requestTime: number,
  mtimeMs: number | undefined,
): { maxAge: number; expires: number } | undefined {
  const seconds = Number.parseInt(code.slice(1), 10) || 0;
  let base: number;
  if (code.startsWith('M')) {
    if (mtimeMs === undefined) return undefined;
    base = Math.floor(mtimeMs);
  } else base = requestTime;
  const expires = Math.max(base + seconds * 1000, requestTime);
  return { maxAge: Math.floor((expires - requestTime) / 1000), expires };
}

/** The head edit: add the fields when they apply. */
function editHead(r0: RequestRecord, head: Table, errorResponse: boolean): Table {
  const r = lastOfChain(r0);
  const conf = r.dirConf(expiresModule);
  if (conf.active !== true || errorResponse || r.res.statusCode >= 400) return head;
  if (head.some(([k]) => k.toLowerCase() === 'expires')) return head;
  const ct = head.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const code = codeFor(conf, ct);
  if (code === undefined) return head;
  const f = expirationFields(
    code,
    r.requestTime,
    r.finfo?.isFile() === true ? r.finfo.mtimeMs : undefined,
  );
  if (f === undefined) return head;
  const out: Table = head.map(([k, v]) => [k, v]);
  const cc = out.findIndex(([k]) => k.toLowerCase() === 'cache-control');
  if (cc < 0) out.push(['Cache-Control', `max-age=${f.maxAge}`]);
  else out[cc] = [out[cc]?.[0] ?? 'Cache-Control', `${out[cc]?.[1] ?? ''}, max-age=${f.maxAge}`];
  out.push(['Expires', httpDate(f.expires)]);
  return out;
}

/** mod_expires. */
export const expiresModule: ModuleDef<undefined, ExpiresDirConf> = {
  name: 'expires',
  ...expiresConfig,
  hooks: {
    postReadRequest: {
      run: (r) => {
        if (r.main === undefined && r.prev === undefined && r.res instanceof CountingResponse)
          r.res.addHeadEdit(EXPIRES_RANK, (head, err) => editHead(r, head, err));
        return DECLINED;
      },
      order: 'first',
    },
  },
};
