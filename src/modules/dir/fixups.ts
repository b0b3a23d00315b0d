// httpd: modules/mappers/mod_dir.c (dir_fixups → fixup_dir: DirectorySlash 301, then
// DirectoryIndex through ap_sub_req_lookup_uri + ap_internal_fast_redirect).

import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { fastRedirect, lookupUri } from '../../request/subrequest.js';
import { constructUrl } from '../../request/server-name.js';
import type { ModuleDef } from '../module.js';
import type { DirDirConf } from './config.js';

/** ap_escape_uri (path form): keep unreserved, sub-delims, ':', '@', '/'. */
const escapeUri = (p: string): string =>
  encodeURI(p).replace(/[?#[\]]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** fixup_dir (fixups, LAST). */
export function makeFixupDir(
  mod: ModuleDef<undefined, DirDirConf>,
): (r: RequestRecord) => Promise<Outcome> {
  return async (r) => {
    if (r.finfo?.isDirectory() !== true) return DECLINED;
    // In case mod_mime did not type it and nothing else claimed it: the directory handler.
    r.handler ??= 'httpd/unix-directory';
    const conf = r.dirConf(mod);
    if (!r.uri.endsWith('/')) {
      if (conf.directorySlash === false) return DECLINED;
      if (r.method !== 'GET' && r.env.has('redirect-carefully')) return DECLINED;
      const target = escapeUri(r.uri) + '/' + (r.args === '' ? '' : '?' + r.args);
      r.res.setHeader('Location', constructUrl(r, target));
      return 301;
    }
    const names = conf.indexNames ?? ['index.html'];
    let errorNotFound = 0;
    for (const name of names) {
      const { rr, status } = await lookupUri(r, name);
      if (status === OK && rr.finfo?.isFile() === true) {
        fastRedirect(rr, r);
        return OK;
      }
      // A redirect (or a lone name's 401/406) goes to the client as it is.
      if (
        (status >= 300 && status < 400) ||
        (names.length === 1 && (status === 401 || status === 406))
      )
        return status;
      // Any other failure but 404 is answered rather than falling through to a listing
      // (mod_dir: "to be secure, we should return the error"); the last one wins.
      if (status > 0 && status !== 404 && status !== 200) errorNotFound = status;
    }
    if (errorNotFound !== 0) return errorNotFound;
    // What was tried, for mod_autoindex's AH01276 (httpd: the dir-index-names note).
    r.notes.set('dir-index-names', names.join(','));
    return DECLINED;
  };
}
