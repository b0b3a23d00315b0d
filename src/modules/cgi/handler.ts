// httpd: modules/generators/mod_cgi.c (cgi_handler, run_cgi_child, log_scripterror,
//        log_script_err), cgi_common.h (cgi_handle_response, cgi_bucket_read's timeout),
//        server/util_script.c (ap_scan_script_header_err).
//
// One CGI request: check the script may run (Options ExecCGI or ScriptAlias, a regular
// file, AcceptPathInfo), spawn it in its directory with the CGI environment and the
// ISINDEX argv, hand it the request body, log its stderr line by line (AH01215), read the
// head of its output (Status, Location, Content-Type …) within the script timeout, then
// answer: a local Location with status 200 is an internal GET redirect, another Location
// a 302, anything else is streamed to the client. nph- scripts write the whole response.

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { coreDir, coreServer } from '../../core/view.js';
import { DONE } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { cgiEnvironment, pathTranslatedOf } from '../../request/cgi-env.js';
import { redirectAsGet } from '../../request/script-redirect.js';
import { meetsConditions } from '../../http/conditions.js';
import { CountingResponse } from '../../http/server.js';
import { strftime } from '../../logging/log-time.js';
import { aprStatus } from '../../util/apr-status.js';
import { scanHeaders } from '../../wsgi/scan-headers.js';
import { DEFAULT_LOG_BYTES } from './config.js';
import type { CgiDirConf, CgiServerConf } from './config.js';
import { isindexArgs, parseScriptHead, splitHead } from './head.js';

/** The longest head read before the script is refused (8 KiB lines, 100 fields). */
const MAX_HEAD = 1024 * 1024;

/**
 * log_scripterror: the error-log line (`<id>: stderr from <file>: <error>`) and, with
 * ScriptLog, the `%error` record.
 */
function scriptError(
  r: RequestRecord,
  conf: CgiServerConf,
  status: number,
  id: string,
  error: string,
  module: string,
): number {
  r.logError('error', module, id, `stderr from ${r.filename ?? ''}: ${error}`);
  scriptLog(r, conf, status, `%error\n${error}\n`);
  return status;
}

/** Append a record to ScriptLog unless it is unset or already ScriptLogLength long. */
function scriptLog(r: RequestRecord, conf: CgiServerConf, status: number, body: string): void {
  const file = conf.scriptLog;
  if (file === undefined) return;
  try {
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size > (conf.scriptLogLength ?? DEFAULT_LOG_BYTES)) return;
    const q = r.args !== '' ? `?${r.args}` : '';
    appendFileSync(
      file,
      `%% [${strftime('%a %b %d %H:%M:%S %Y', Date.now())}] ${r.method} ${r.uri}${q} ${r.protocol}\n` +
        `%% ${status} ${r.filename ?? ''}\n${body}`,
    );
  } catch {
    // As httpd: a log that cannot be opened is skipped.
  }
}

/** Line-split a script's stderr into the error log (log_script_err). */
function logStderr(r: RequestRecord, child: ChildProcessWithoutNullStreams, module: string): void {
  let pending = '';
  const emit = (line: string): void =>
    r.logError(
      'error',
      module,
      'AH01215',
      `stderr from ${r.filename ?? ''}: ${line.replace(/\r$/, '')}`,
    );
  child.stderr.setEncoding('latin1');
  child.stderr.on('data', (s: string) => {
    pending += s;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      emit(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  child.stderr.on('end', () => {
    if (pending !== '') emit(pending);
  });
}

/** cgi_bucket_read's timeout: AH01220, and the script is killed. */
function scriptTimedOut(
  r: RequestRecord,
  child: ChildProcessWithoutNullStreams,
  module: string,
): void {
  r.logError(
    'warn',
    module,
    'AH01220',
    `Timeout waiting for output from CGI script ${r.filename ?? ''}`,
  );
  child.kill('SIGTERM');
}

/** Feed the request body to the script's stdin (cgi_handle_request); settles when done. */
async function pumpBody(r: RequestRecord, child: ChildProcessWithoutNullStreams): Promise<void> {
  const stdin = child.stdin;
  stdin.on('error', () => undefined); // a script that does not read its input: EPIPE
  const h = r.headersIn.headers;
  const hasBody =
    r.main === undefined &&
    (h['transfer-encoding'] !== undefined || (h['content-length'] ?? '0') !== '0');
  if (hasBody) {
    for await (const chunk of r.readBody()) {
      if (stdin.destroyed) continue; // keep reading: the body must still be consumed
      if (!stdin.write(chunk))
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stdin.off('drain', done);
            stdin.off('close', done);
            resolve();
          };
          stdin.on('drain', done);
          stdin.on('close', done);
        });
    }
  }
  stdin.end();
}

/** What reading the head gave: the head and what followed it, or why there is none. */
type HeadResult =
  | { readonly kind: 'head'; readonly lines: string[]; readonly rest: Buffer }
  | { readonly kind: 'eof'; readonly sawHeader: boolean }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'too-long' };

/** Read stdout up to the blank line that ends the head, within `timeoutMs` between reads. */
function readHead(child: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<HeadResult> {
  return new Promise((resolve) => {
    const out = child.stdout;
    let buf: Buffer = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    const finish = (res: HeadResult): void => {
      if (timer !== undefined) clearTimeout(timer);
      out.off('data', onData);
      out.off('end', onEnd);
      out.pause();
      resolve(res);
    };
    const arm = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    };
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const head = splitHead(buf);
      if (head !== undefined) finish({ kind: 'head', ...head });
      else if (buf.length > MAX_HEAD) finish({ kind: 'too-long' });
      else arm();
    };
    const onEnd = (): void => {
      const head = splitHead(Buffer.concat([buf, Buffer.from('\n\n')]));
      finish({ kind: 'eof', sawHeader: (head?.lines.length ?? 0) > 0 || buf.length > 0 });
    };
    out.on('data', onData);
    out.on('end', onEnd);
    arm();
  });
}

/** Stream the rest of stdout to the client, with backpressure and the read timeout. */
function streamBody(
  r: RequestRecord,
  child: ChildProcessWithoutNullStreams,
  first: Buffer,
  timeoutMs: number,
  module: string,
): Promise<void> {
  const res = r.res;
  return new Promise((resolve) => {
    const out = child.stdout;
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      out.off('data', onData);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve();
    };
    const arm = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        scriptTimedOut(r, child, module);
        // The client must see the response was cut short.
        res.socket?.destroySoon();
        done();
      }, timeoutMs);
    };
    const onData = (chunk: Buffer): void => {
      arm();
      if (!res.write(chunk)) out.pause();
    };
    const onDrain = (): void => {
      out.resume();
    };
    const onClose = (): void => {
      child.kill('SIGTERM');
      done();
    };
    res.on('drain', onDrain);
    res.on('close', onClose);
    out.on('data', onData);
    out.once('end', () => {
      res.end();
      done();
    });
    if (first.length > 0 && !res.write(first)) out.pause();
    else out.resume();
    arm();
  });
}

/** Output kept to see whether the script has already finished writing (64 KiB). */
const READY_LIMIT = 65536;

/**
 * The script's whole remaining output if it has all arrived (stdout ended within the
 * event-loop turns it takes to read what is already in the pipe), else undefined with
 * nothing consumed beyond `first` (the data read meanwhile is put back).
 */
function readyOutput(
  child: ChildProcessWithoutNullStreams,
  first: Buffer,
): Promise<Buffer | undefined> {
  const out = child.stdout;
  if (out.readableEnded) return Promise.resolve(first);
  return new Promise((resolve) => {
    const got: Buffer[] = [first];
    let size = first.length;
    let idle = 0;
    let settled = false;
    const finish = (v: Buffer | undefined): void => {
      if (settled) return;
      settled = true;
      out.off('data', onData);
      out.off('end', onEnd);
      out.pause();
      if (v === undefined && got.length > 1) {
        // Not finished: hand what was read on to the streaming path, in order.
        for (const c of got.slice(1).reverse()) out.unshift(c);
      }
      resolve(v);
    };
    const onData = (c: Buffer): void => {
      got.push(c);
      size += c.length;
      idle = 0;
      if (size > READY_LIMIT) finish(undefined);
    };
    const onEnd = (): void => finish(Buffer.concat(got));
    const tick = (): void => {
      if (settled) return;
      if (++idle > 1) finish(undefined);
      else setImmediate(tick);
    };
    out.on('data', onData);
    out.on('end', onEnd);
    out.resume();
    setImmediate(tick);
  });
}

/** Read and drop what the script still writes (discard_script_output). */
function discard(child: ChildProcessWithoutNullStreams): void {
  child.stdout.on('data', () => undefined);
  child.stdout.resume();
}

/** cgi_handler for one request. `module` names the log tag ('cgi' or 'cgid'). */
export async function runCgi(
  r: RequestRecord,
  conf: CgiServerConf,
  dc: CgiDirConf,
  module: string,
): Promise<Outcome> {
  const filename = r.filename ?? '';
  const argv0 = basename(filename);
  const nph = argv0.startsWith('nph-');
  const core = coreDir(r.perDir);
  if (!core.options.has('ExecCGI') && r.notes.get('alias-forced-type') !== 'cgi-script')
    return scriptError(r, conf, 403, 'AH02809', 'Options ExecCGI is off in this directory', module);
  if (r.finfo === undefined)
    return scriptError(r, conf, 404, 'AH02811', 'script not found or unable to stat', module);
  if (r.finfo.isDirectory())
    return scriptError(r, conf, 403, 'AH02812', 'attempt to invoke directory as script', module);
  if (core.acceptPathInfo === 'off' && r.pathInfo !== '')
    return scriptError(r, conf, 404, 'AH02813', "AcceptPathInfo off disallows user's path", module);

  // CGIScriptTimeout (else Timeout) bounds the wait for the script, not the socket's
  // idle timer.
  if (r.res instanceof CountingResponse) r.res.handlerTimesOut = true;
  const env = cgiEnvironment(r, { pathTranslated: await pathTranslatedOf(r) });
  // ap_add_common_vars / ap_add_cgi_vars fill r->subprocess_env (an internal redirect
  // then passes them on as REDIRECT_*).
  for (const [k, v] of env) r.env.set(k, v);
  const timeoutMs = dc.timeoutMs ?? coreServer(r.server.server).timeout * 1000;

  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(filename, isindexArgs(r.args), {
      argv0,
      cwd: dirname(filename),
      env: Object.fromEntries(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    r.logError(
      'error',
      module,
      'AH01223',
      `couldn't spawn child process: ${filename}`,
      aprStatus(e),
    );
    return 500;
  }
  const spawnError = new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
  child.on('error', () => undefined);
  // A client that leaves before the answer is complete: the script is not needed any more
  // (httpd's pool cleanup kills it, APR_KILL_AFTER_TIMEOUT).
  const onGone = (): void => {
    if (!r.res.writableFinished && child.exitCode === null) child.kill('SIGTERM');
  };
  r.res.once('close', onGone);
  child.once('exit', () => r.res.off('close', onGone));
  logStderr(r, child, module);
  const body = pumpBody(r, child);
  body.catch(() => undefined);
  if (nph) {
    const started = await Promise.race([
      new Promise<undefined>((resolve) => child.once('spawn', () => resolve(undefined))),
      spawnError,
    ]);
    if (started !== undefined) return execFailed(r, started, body, module);
    return nphResponse(r, child, body, timeoutMs, module);
  }
  const head = await Promise.race([
    readHead(child, timeoutMs),
    spawnError.then((e) => ({ kind: 'spawn-error' as const, e })),
  ]);

  if (head.kind === 'spawn-error') return execFailed(r, head.e, body, module);
  if (head.kind !== 'head') {
    const msg =
      head.kind === 'timeout'
        ? `Script timed out before returning headers: ${argv0}`
        : head.kind === 'too-long'
          ? `malformed header from script '${argv0}': Bad header: head longer than ${MAX_HEAD} bytes`
          : head.sawHeader
            ? `Premature end of script headers: ${argv0}`
            : `End of script output before headers: ${argv0}`;
    if (head.kind === 'timeout') {
      scriptTimedOut(r, child, module);
    } else discard(child);
    r.logError('error', module, '', msg);
    scriptLog(r, conf, head.kind === 'timeout' ? 504 : 500, `%error\n${msg}\n`);
    await body; // a body that could not be read answers its own status (413, 408, 400)
    return head.kind === 'timeout' ? 504 : 500;
  }

  const parsed = parseScriptHead(head.lines, argv0);
  if ('error' in parsed) {
    discard(child);
    r.logError('error', module, '', parsed.error);
    scriptLog(r, conf, 500, `%error\n${parsed.error}\n`);
    await body;
    return 500;
  }
  await body;
  // ap_scan_script_header_err: a GET without a Status of its own meets the conditions of
  // the request against the script's ETag / Last-Modified.
  if (parsed.status === undefined && (r.method === 'GET' || r.method === 'HEAD')) {
    const field = (n: string): string | undefined =>
      parsed.headers.find(([k]) => k.toLowerCase() === n)?.[1];
    const cond = meetsConditions(r, {
      etag: field('etag'),
      lastModified: field('last-modified'),
    });
    if (cond === 412) {
      discard(child);
      return 412;
    }
    if (cond === 304) {
      discard(child);
      const flat: string[] = [];
      for (const [k, v] of scanHeaders(parsed.headers, true, r.requestTime)) flat.push(k, v);
      r.status = 304;
      r.res.writeHead(304, flat);
      r.res.end();
      return DONE;
    }
  }
  const status = parsed.status ?? 200;
  if (parsed.location !== undefined && status === 200) {
    discard(child);
    if (parsed.location.startsWith('/')) {
      await redirectAsGet(r, parsed.location);
      return DONE;
    }
    r.res.setHeader('Location', parsed.location);
    return 302;
  }
  if (status < 100 || status > 599) {
    r.logError(
      'error',
      module,
      '',
      `Invalid status line from script '${argv0}': ${(parsed.reason === undefined ? String(status) : `${status} ${parsed.reason}`).slice(0, 30)}`,
    );
    discard(child);
    return 500;
  }
  // The script frames its body by closing stdout: its Content-Length and
  // Transfer-Encoding are dropped (the front end frames the response itself).
  const fields = scanHeaders(parsed.headers, true, r.requestTime).filter(
    ([k]) => !/^(content-length|transfer-encoding)$/i.test(k),
  );
  const flat: string[] = [];
  for (const [k, v] of fields) flat.push(k, v);
  r.status = status;
  const res = r.res;
  // ap_content_length_filter: output that is all there already (the script has finished)
  // gets a Content-Length; output still coming is chunked on HTTP/1.1.
  const ready = r.headerOnly ? undefined : await readyOutput(child, head.rest);
  const bodyless = status === 204 || status === 304 || (status >= 100 && status < 200);
  if (ready !== undefined) flat.push('Content-Length', String(bodyless ? 0 : ready.length));
  else if (!r.headerOnly && res.useChunkedEncodingByDefault && !bodyless)
    flat.push('Transfer-Encoding', 'chunked');
  if (parsed.reason !== undefined) res.writeHead(status, parsed.reason, flat);
  else res.writeHead(status, flat);
  if (ready !== undefined) {
    res.end(bodyless ? undefined : ready);
    return DONE;
  }
  await streamBody(r, child, head.rest, timeoutMs, module);
  return DONE;
}

/**
 * The exec failed in the child: httpd's child error function writes it to the script's
 * stderr, and the parent then finds no output (500).
 */
async function execFailed(
  r: RequestRecord,
  e: NodeJS.ErrnoException,
  body: Promise<void>,
  module: string,
): Promise<Outcome> {
  const filename = r.filename ?? '';
  r.logError(
    'error',
    module,
    'AH01215',
    `stderr from ${filename}: ${aprStatus(e) ?? String(e.code)}: exec of '${filename}' failed`,
  );
  r.logError('error', module, '', `End of script output before headers: ${basename(filename)}`);
  await body.catch(() => undefined);
  return 500;
}

/** An nph- script: its output, as written, is the whole response; the connection closes. */
async function nphResponse(
  r: RequestRecord,
  child: ChildProcessWithoutNullStreams,
  body: Promise<void>,
  timeoutMs: number,
  module: string,
): Promise<Outcome> {
  await body;
  const sock = r.res.socket;
  r.res.shouldKeepAlive = false;
  if (sock === null) {
    child.kill('SIGTERM');
    return DONE;
  }
  await new Promise<void>((resolve) => {
    let timer = setTimeout(expire, timeoutMs);
    function expire(): void {
      scriptTimedOut(r, child, module);
      resolve();
    }
    child.stdout.on('data', (c: Buffer) => {
      clearTimeout(timer);
      timer = setTimeout(expire, timeoutMs);
      if (!sock.write(c)) {
        child.stdout.pause();
        sock.once('drain', () => child.stdout.resume());
      }
    });
    child.stdout.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdout.resume();
  });
  sock.destroySoon();
  return DONE;
}
