// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_execute_dispatch, which runs Python in the
// Apache child and reads the hooks' results directly. Here the question goes to a worker
// of the embedded group as a REQUEST and the answer comes back as a small response.
//
// One request on a pool whose whole answer is wanted in memory (a few hundred bytes: the
// dispatch overrides), not streamed to a client.

import type { Environ } from './protocol/messages.js';
import type { ProcessPool } from './daemon/supervisor.js';
import type { StreamHandler } from './daemon/worker-process.js';

/** What a worker answered: status and body, or why it failed. */
export type CallResult =
  | { readonly ok: true; readonly status: number; readonly body: Buffer }
  | { readonly ok: false; readonly error: string };

/** Most body bytes kept: an answer is a small JSON object. */
const MAX_BODY = 65536;

/** Run one bodiless request on `pool` and collect the whole answer. Never rejects. */
export function callPool(
  pool: ProcessPool,
  environ: Environ,
  script: string,
  scriptMtimeMs: number,
  onLog?: () => void,
): Promise<CallResult> {
  return new Promise<CallResult>((resolve) => {
    let status = 0;
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: CallResult): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    let grant: (n: number) => void = () => undefined;
    const handler: StreamHandler = {
      onStart(statusLine) {
        status = Number(statusLine.slice(0, 3));
      },
      onData(data) {
        grant(data.length);
        size += data.length;
        // A copy: the channel reuses the memory of `data` once onData returns.
        if (size <= MAX_BODY) parts.push(Buffer.from(data));
      },
      onEnd() {
        if (size > MAX_BODY) settle({ ok: false, error: `answer larger than ${MAX_BODY} bytes` });
        else settle({ ok: true, status, body: Buffer.concat(parts) });
      },
      onError(message) {
        settle({ ok: false, error: message });
      },
      onWindow() {
        // no request body
      },
      onFail(cause) {
        settle({ ok: false, error: `the worker ${cause}` });
      },
      ...(onLog === undefined ? {} : { onLog }),
      onTimeout(elapsedMs) {
        settle({ ok: false, error: `no answer within ${String(Math.round(elapsedMs))} ms` });
      },
      onSocketTimeout(idleMs) {
        settle({
          ok: false,
          error: `nothing from the daemon process for ${String(Math.round(idleMs))} ms (socket-timeout)`,
        });
        return true;
      },
    };
    pool.open(script, scriptMtimeMs, handler).then(
      (s) => {
        grant = (n) => s.grant(n);
        s.request(environ, false);
      },
      (e: unknown) => settle({ ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}
