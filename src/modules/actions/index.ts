// httpd: modules/mappers/mod_actions.c (action_handler: ap_hook_handler APR_HOOK_LAST).
//
// A handler for every request under an Action or Script: after the named handlers (so
// `cgi-script` stays mod_cgi's), before the default handler. A Script for the method (GET
// only with a query string) or an Action for r.handler / the content type sends the request
// to the script by ap_internal_redirect_handler: the script's URL + the escaped URI (its
// PATH_INFO) + the query string, with HANDLER (REDIRECT_HANDLER there) naming the action.

import { DECLINED, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { internalRedirect } from '../../request/subrequest.js';
import { osEscapePath } from '../../util/escape-path.js';
import type { ModuleDef } from '../module.js';
import { actionsConfig } from './config.js';
import type { ActionsDirConf } from './config.js';

/** mod_actions. */
export const actionsModule: ModuleDef<undefined, ActionsDirConf> = {
  name: 'actions',
  ...actionsConfig,
  anyHandler: (r) => actionHandler(r),
};

/** action_handler. */
export function actionHandler(r: RequestRecord): Outcome | Promise<Outcome> {
  const conf = r.dirConf(actionsModule);
  if (!conf.configured) return DECLINED;
  // action_handler's `r->allowed |= …` for Script methods reaches no Allow header in 2.4
  // (make_allow reads r->allowed_methods): checked on Apache 2.4.71, OPTIONS and 405 alike.
  let script =
    r.method === 'GET'
      ? r.args !== ''
        ? conf.scripted['GET']
        : undefined
      : conf.scripted[r.method];
  // A script that is not a CGI one could loop: a Script only serves two redirects deep.
  if (script !== undefined && r.prev?.prev !== undefined) return DECLINED;
  const action = r.handler ?? noParam(r.contentType);
  const entry = action === undefined ? undefined : conf.actionTypes[action.toLowerCase()];
  if (action !== undefined && entry !== undefined) {
    if (!entry.virtual && r.finfo === undefined) {
      r.logError('info', 'actions', 'AH00652', `File does not exist: ${r.filename ?? ''}`);
      return 404;
    }
    script = entry.script;
    r.env.set('HANDLER', action);
    if (entry.virtual) r.notes.set('virtual_script', '1');
  }
  if (script === undefined) return DECLINED;
  const uri = osEscapePath(Buffer.from(r.uri, 'utf8').toString('latin1'), true);
  const target = script + uri + (r.args !== '' ? `?${r.args}` : '');
  return redirectHandler(r, target);
}

/** ap_field_noparam: the media type without its parameters. */
function noParam(ct: string | undefined): string | undefined {
  if (ct === undefined) return undefined;
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim();
}

/**
 * ap_internal_redirect_handler: the new request starts with this one's content type (and
 * keeps it unless its own type checker finds one), then runs as an internal redirect.
 */
async function redirectHandler(r: RequestRecord, target: string): Promise<Outcome> {
  await internalRedirect(r, target, undefined, r.contentType);
  return OK;
}
