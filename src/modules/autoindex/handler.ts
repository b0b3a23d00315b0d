// httpd: modules/generators/mod_autoindex.c (handle_autoindex, index_directory, emit_head,
// emit_tail, emit_preamble, do_emit_plain).
//
// The `httpd/unix-directory` handler: a directory mod_dir found no DirectoryIndex for is
// listed under `Options Indexes`, else refused (403, AH01276).

import { closeSync, openSync, readdirSync, statSync } from 'node:fs';
import type { Dirent as FsDirent } from 'node:fs';
import { DECLINED, DONE, OK } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { lookupUri } from '../../request/subrequest.js';
import { serverNameOf, serverPortOf } from '../../request/server-name.js';
import { coreDir, coreServer } from '../../core/view.js';
import { makeETag } from '../../core/default-handler.js';
import { signatureFor } from '../../http/die.js';
import { reasonPhrase } from '../../http/status.js';
import { aprStatus } from '../../util/apr-status.js';
import { readRegularFileSync } from '../../util/read-regular.js';
import type { AutoindexDirConf } from './config.js';
import { compareEntries, isHtml, makeEntry, parentEntry } from './entries.js';
import type { Dirent, Entry } from './entries.js';
import { bytes, escapeHtml } from './format.js';
import { outputDirectories } from './listing.js';
import { Opt } from './options.js';
import { parseQuery } from './query.js';

// The installed httpd 2.4.71 emits the HTML 4.01 doctype here (checked with the binary).
const DOCTYPE_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n';
const DOCTYPE_XHTML_1_0T =
  '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
  '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n';

/** emit_preamble. */
function preamble(d: AutoindexDirConf, xhtml: boolean, title: string): string {
  let s = xhtml
    ? `${DOCTYPE_XHTML_1_0T}<html xmlns="http://www.w3.org/1999/xhtml">\n <head>\n  <title>Index of ${title}</title>\n`
    : `${DOCTYPE_HTML}<html>\n <head>\n  <title>Index of ${title}</title>\n`;
  if (d.styleSheet !== undefined)
    s += `  <link rel="stylesheet" href="${bytes(d.styleSheet)}" type="text/css"${xhtml ? ' />\n' : '>\n'}`;
  if (d.headInsert !== undefined) s += bytes(d.headInsert);
  return s + ' </head>\n <body>\n';
}

/** do_emit_plain: the file in <pre>, with & < > escaped. */
function emitPlain(file: string): string | undefined {
  let data: Buffer;
  try {
    data = readRegularFileSync(file);
  } catch {
    return undefined;
  }
  return `<pre>\n${data.toString('latin1').replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'))}</pre>\n`;
}

/**
 * The file a HeaderName/ReadmeName sub-request found, as it goes into the page: an HTML
 * file served by the static handler is included as it is; one another handler would
 * produce cannot be run as a sub-request here, and counts as a failed sub-request.
 */
function includeHtml(rr: RequestRecord): string | undefined {
  if (rr.handler !== undefined && rr.handler !== 'default-handler') return undefined;
  try {
    return readRegularFileSync(rr.filename ?? '').toString('latin1');
  } catch {
    return undefined;
  }
}

/** Look up a Header/Readme name: a regular file the sub-request maps with 200. */
async function lookupInclude(r: RequestRecord, name: string): Promise<RequestRecord | undefined> {
  const { rr, status } = await lookupUri(r, name);
  if (status !== OK || rr.status !== 200 || rr.filename === undefined) return undefined;
  return rr.finfo?.isFile() === true ? rr : undefined;
}

/** emit_head: preamble, HeaderName file, `<h1>`. */
async function emitHead(
  r: RequestRecord,
  d: AutoindexDirConf,
  suppressAmble: boolean,
  xhtml: boolean,
  title: string,
): Promise<string[]> {
  const segs = [''];
  const put = (t: string): void => {
    segs[segs.length - 1] += t;
  };
  let emitAmble = true;
  let emitH1 = true;
  if (d.header !== undefined) {
    const name = r.args !== '' ? `${d.header}?${r.args}` : d.header;
    // The header is looked up as text (a MultiViews HEADER picks HTML or plain text,
    // never an encoded variant); the client's own Accept headers come back afterwards.
    const h = r.headersIn.headers;
    const { accept, 'accept-encoding': acceptEncoding } = h;
    h.accept = 'text/html, text/plain';
    delete h['accept-encoding'];
    let rr: RequestRecord | undefined;
    try {
      rr = await lookupInclude(r, name);
    } finally {
      if (accept === undefined) delete h.accept;
      else h.accept = accept;
      if (acceptEncoding !== undefined) h['accept-encoding'] = acceptEncoding;
    }
    if (rr?.contentType !== undefined) {
      if (isHtml(rr.contentType)) {
        emitAmble = false;
        emitH1 = false;
        if (!suppressAmble) put(preamble(d, xhtml, title));
        const html = includeHtml(rr);
        if (html === undefined) {
          emitAmble = suppressAmble;
          emitH1 = true;
        } else {
          // The sub-request's output is passed down at once: what was buffered and the
          // file go out as one chunk, so the page can no longer get a Content-Length.
          put(html);
          segs.push('');
        }
      } else if (rr.contentType.slice(0, 5).toLowerCase() === 'text/') {
        const plain = emitPlain(rr.filename ?? '');
        if (plain !== undefined) {
          put(preamble(d, xhtml, title) + plain);
          emitAmble = false;
          emitH1 = false;
        }
      }
    }
  }
  if (emitAmble) put(preamble(d, xhtml, title));
  if (emitH1)
    put(
      d.styleSheet !== undefined
        ? `  <h1 id="indextitle">Index of ${title}</h1>\n`
        : `<h1>Index of ${title}</h1>\n`,
    );
  return segs;
}

/** emit_tail: ReadmeName file, server signature, postamble. */
async function emitTail(
  r: RequestRecord,
  d: AutoindexDirConf,
  suppressAmble: boolean,
): Promise<string[]> {
  const segs = [''];
  const put = (t: string): void => {
    segs[segs.length - 1] += t;
  };
  let suppressPost = false;
  let suppressSig = false;
  if (d.readme !== undefined) {
    const rr = await lookupInclude(r, d.readme);
    if (rr?.contentType !== undefined) {
      if (isHtml(rr.contentType)) {
        const html = includeHtml(rr);
        if (html !== undefined) {
          put(html);
          segs.push('');
          suppressSig = true;
          suppressPost = suppressAmble;
        }
      } else if (rr.contentType.slice(0, 5).toLowerCase() === 'text/') {
        const plain = emitPlain(rr.filename ?? '');
        if (plain !== undefined) {
          put(plain);
          suppressSig = true;
        }
      }
    }
  }
  if (!suppressSig) {
    // ap_psignature("", r): the signature without its leading rule.
    const sig = signatureFor(
      coreDir(r.perDir).serverSignature,
      serverNameOf(r),
      serverPortOf(r),
      coreServer(r.server.server).serverAdmin,
    );
    put(bytes(sig.replace(/^<hr>\n/, '')));
  }
  if (!suppressPost) put('</body></html>\n');
  return segs;
}

/** The directory's entries as apr_dir_read gives them, symlinks resolved (or dropped). */
function readEntries(dir: string): Dirent[] {
  const out: Dirent[] = [];
  const list: FsDirent<Buffer>[] = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
  for (const ent of list) {
    const name = ent.name.toString('latin1');
    let isDir = ent.isDirectory();
    if (ent.isSymbolicLink()) {
      try {
        isDir = statSync(Buffer.concat([Buffer.from(dir, 'utf8'), ent.name])).isDirectory();
      } catch {
        continue; // a dangling link is skipped
      }
    }
    out.push({ name, isDir });
  }
  return out;
}

/** What ap_rputs buffers before it passes data down (APR_BUCKET_BUFF_SIZE). */
const OLD_WRITE_BUFFER = 8000;

/**
 * Send the page as httpd's filters do: one piece that fits the old-write buffer gets a
 * Content-Length; a page that had to be passed down early (an HTML Header/Readme
 * sub-request, or more than the buffer holds) goes out chunked, a chunk per pass.
 */
function send(r: RequestRecord, contentType: string, segs: readonly string[]): void {
  const res = r.res;
  res.setHeader('Content-Type', contentType);
  const bufs = segs.map((x) => Buffer.from(x, 'latin1'));
  const [first] = bufs;
  if (bufs.length === 1 && first !== undefined && first.length <= OLD_WRITE_BUFFER) {
    res.setHeader('Content-Length', first.length);
    res.end(first);
    return;
  }
  const last = bufs.pop();
  if (res.useChunkedEncodingByDefault) res.setHeader('Transfer-Encoding', 'chunked');
  for (const b of bufs) res.write(b);
  res.end(last);
}

/** index_directory. */
async function indexDirectory(r: RequestRecord, d: AutoindexDirConf): Promise<Outcome> {
  const dir = r.filename ?? '';
  let dirents: Dirent[];
  try {
    // apr_dir_open: opening is what can fail (permissions).
    closeSync(openSync(dir, 'r'));
    dirents = readEntries(dir);
  } catch (e) {
    r.logError(
      'error',
      'autoindex',
      'AH01275',
      `Can't open directory for index: ${dir}`,
      aprStatus(e),
    );
    return 403;
  }
  const ctype = d.ctype ?? 'text/html';
  // APR_HAS_UNICODE_FS is 0 on Unix: ISO-8859-1 unless Charset= says otherwise.
  const charset = d.charset ?? 'ISO-8859-1';
  const contentType = charset !== '' ? `${ctype};charset=${charset}` : ctype;
  r.contentType = contentType;
  const res = r.res;
  // r->status: 200, or the error an ErrorDocument naming a directory answers for.
  res.statusCode = r.status;
  res.statusMessage = reasonPhrase(r.status);
  const base = d.bits.opts;
  if ((base & Opt.TRACK_MODIFIED) !== 0 && r.finfo !== undefined) {
    const mtimeMs = Math.min(r.finfo.mtimeMs, r.requestTime);
    res.setHeader('Last-Modified', new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString());
    const big = statSync(dir, { bigint: true });
    const etag = makeETag(
      coreDir(r.perDir).fileETag,
      { ino: big.ino, size: big.size, mtimeUs: big.mtimeNs / 1000n },
      r.requestTime,
    );
    if (etag !== undefined) res.setHeader('ETag', etag);
  }
  if (r.headerOnly) {
    res.setHeader('Content-Type', contentType);
    res.end();
    return DONE;
  }
  const q = parseQuery(r.args, base, d.defaultKey ?? 'N', d.defaultDirection ?? 'A');
  const opts = q.opts;
  let title = escapeHtml(bytes(r.uri));
  while (title.length > 1 && title.endsWith('/')) title = title.slice(0, -1);
  const segs = await emitHead(
    r,
    d,
    (opts & Opt.SUPPRESS_PREAMBLE) !== 0,
    (opts & Opt.EMIT_XHTML) !== 0,
    title,
  );
  const entries: Entry[] = [];
  const parent = parentEntry(r, d, opts);
  if (parent !== undefined) entries.push(parent);
  for (const de of dirents) {
    const e = await makeEntry(r, de, d, opts, q.key, q.pattern);
    if (e !== undefined) entries.push(e);
  }
  const spec = {
    key: q.key,
    ascending: q.direction === 'A',
    versionSort: (opts & Opt.VERSION_SORT) !== 0,
    ignoreCase: (opts & Opt.IGNORE_CASE) !== 0,
  };
  entries.sort((a, b) => compareEntries(a, b, spec));
  segs[segs.length - 1] += outputDirectories(entries, d, {
    opts,
    key: q.key,
    direction: q.direction,
    colargs: q.colargs,
  });
  const [tail0 = '', ...tail] = await emitTail(r, d, (opts & Opt.SUPPRESS_PREAMBLE) !== 0);
  segs[segs.length - 1] += tail0;
  segs.push(...tail);
  send(
    r,
    contentType,
    segs.filter((x, i) => x !== '' || i === 0),
  );
  return DONE;
}

/** handle_autoindex: GET (and HEAD) of a directory. */
export async function handleAutoindex(r: RequestRecord, d: AutoindexDirConf): Promise<Outcome> {
  if (r.finfo?.isDirectory() !== true) return DECLINED;
  if (r.method !== 'GET' && r.method !== 'HEAD') return DECLINED;
  if (!coreDir(r.perDir).options.has('Indexes')) {
    const names = r.notes.get('dir-index-names');
    r.logError(
      'error',
      'autoindex',
      'AH01276',
      `Cannot serve directory ${r.filename ?? ''}: No matching DirectoryIndex (${names ?? 'none'}) found, and server-generated directory index forbidden by Options directive`,
    );
    return 403;
  }
  // ap_discard_request_body: only a framed body is read (and dropped).
  const h = r.headersIn.headers;
  if (h['transfer-encoding'] !== undefined || (h['content-length'] ?? '0') !== '0')
    for await (const chunk of r.readBody()) void chunk;
  // Sub-request lookups must happen in the directory itself (httpd's KLUDGE).
  if (r.filename !== undefined && !r.filename.endsWith('/')) r.filename += '/';
  return indexDirectory(r, d);
}
