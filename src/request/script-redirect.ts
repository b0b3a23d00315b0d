// httpd: modules/generators/cgi_common.h (cgi_handle_response's local Location),
//        mod_wsgi.c (wsgi_execute_remote's CGI-style redirect).
//
// A script that answers 200 with a local `Location` is served by an internal redirect to
// it: a GET (r->method = "GET"), without the request body (it was read: Content-Length goes).

import { die } from '../http/die.js';
import { DONE, OK } from './hooks.js';
import type { Outcome } from './hooks.js';
import type { RequestRecord } from './record.js';
import { internalRedirect } from './subrequest.js';
import { unsetHeaderIn } from './tables.js';

/** Redirect r to `location` as a GET; a redirect refused before it ran (a loop) is answered. */
export async function redirectAsGet(r: RequestRecord, location: string): Promise<Outcome> {
  unsetHeaderIn(r, 'Content-Length');
  const rv = await internalRedirect(r, location, 'GET');
  // Refused before it ran (LimitInternalRecursion: a redirect loop): nothing answered yet.
  if (rv !== OK && rv !== DONE && !r.res.headersSent) await die(r, rv);
  return rv;
}
