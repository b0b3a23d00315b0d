// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_execute_dispatch, Dispatch_environ.
//
// WSGIDispatchScript: before the process group is checked, an embedded-group worker runs
// the script's process_group / application_group / callable_object hooks for the request
// (python/tswsgi_worker/dispatch.py) and answers which settings they override.

import { stat } from 'node:fs/promises';
import type { RequestRecord } from '../../request/record.js';
import { noteConnectionLogged } from '../../request/record.js';
import { buildEnvironInPlace, wsgiCgiVars } from '../../wsgi/environ.js';
import type { WsgiEnvironInput } from '../../wsgi/environ.js';
import type { WsgiState } from './handler.js';

/** Environ key asking a worker for a WSGIDispatchScript's answer (python: dispatch.py). */
export const DISPATCH_KEY = 'tswsgi.dispatch';

/** The overrides a WSGIDispatchScript answered (undefined: keep the configuration). */
export interface DispatchOverrides {
  readonly processGroup: string | undefined;
  readonly applicationGroup: string | undefined;
  readonly callableObject: string | undefined;
}

/**
 * Ask an embedded-group worker to run the dispatch script's hooks for this request
 * (python/tswsgi_worker/dispatch.py); a failure is a logged 500, as in mod_wsgi.
 */
export async function runDispatchScript<P>(
  r: RequestRecord,
  state: WsgiState<P>,
  script: string,
  input: WsgiEnvironInput,
  pathTranslated?: string,
): Promise<DispatchOverrides | number> {
  const spec = state.groups.get('');
  const fail = (why: string): number => {
    r.logError('error', 'wsgi', 'MW00113', `WSGI dispatch script '${script}' failed: ${why}`);
    return 500;
  };
  if (spec === undefined || state.call === undefined) return fail('no embedded process group');
  const environ = buildEnvironInPlace(wsgiCgiVars(r, pathTranslated), input);
  environ.set(DISPATCH_KEY, script);
  const mtimeMs = (await stat(script).catch(() => undefined))?.mtimeMs ?? 0;
  const answer = await state.call(
    state.getPool(spec, input.applicationGroup),
    environ,
    script,
    mtimeMs,
    () => noteConnectionLogged(r.connection),
  );
  if (!answer.ok) return fail(answer.error);
  if (answer.status !== 200) return fail(`status ${String(answer.status)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return fail('unreadable answer');
  }
  const field = (k: string): string | undefined => {
    const v =
      typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)[k] : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  return {
    processGroup: field('process_group'),
    applicationGroup: field('application_group'),
    callableObject: field('callable_object'),
  };
}
