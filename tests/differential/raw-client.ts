// Raw-socket HTTP/1.1 client for the differential tests: sends exact bytes (duplicate headers,
// underscores in names, `//` in paths — things node:http would normalise or refuse) and parses
// the reply without interpretation. Counterpart: httpd's test/pyhttpd raw `curl --raw` use.
import { connect } from 'node:net';

/** One parsed HTTP response, headers in wire order with their original case. */
export interface RawResponse {
  readonly statusLine: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** Bytes after this response (a pipelined second response), when Content-Length framed it. */
  readonly rest?: Buffer;
}

/** Value of the first header named `name` (case-insensitive), or undefined. */
export function header(res: RawResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return res.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) throw new Error('truncated chunked body');
    const size = parseInt(data.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/**
 * Parse the first response of a connection's bytes; `head` means no body follows. A body is
 * framed by chunked encoding or Content-Length (the rest is kept in `rest`), else runs to close.
 */
export function parseResponse(data: Buffer, head: boolean): RawResponse {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0)
    throw new Error(
      `no header terminator in ${JSON.stringify(data.toString('latin1').slice(0, 200))}`,
    );
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = lines[0] ?? '';
  const status = Number(statusLine.split(' ')[1]);
  const headers = lines.slice(1).map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const rest = data.subarray(end + 4);
  const res: RawResponse = { statusLine, status, headers, body: Buffer.alloc(0) };
  if (head) return { ...res, rest };
  const te = header(res, 'Transfer-Encoding');
  if (te?.toLowerCase() === 'chunked') return { ...res, body: decodeChunked(rest) };
  const cl = header(res, 'Content-Length');
  if (cl !== undefined && /^\d+$/.test(cl)) {
    const n = Number(cl);
    return { ...res, body: rest.subarray(0, n), rest: rest.subarray(n) };
  }
  return { ...res, body: rest };
}

/**
 * Send `request` (raw bytes, should carry `Connection: close`) and read until the server
 * closes. Rejects after `timeoutMs` so a hung server fails the test instead of stalling it.
 */
export async function rawRequest(
  port: number,
  request: Buffer | string,
  opts: { head?: boolean; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const chunks: Buffer[] = [];
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const data = await new Promise<Buffer>((res, rej) => {
    // write() not end(): a half-close could make a server abort the request early.
    const sock = connect(port, '127.0.0.1', () => {
      sock.write(request);
    });
    sock.setTimeout(timeoutMs, () => {
      sock.destroy(new Error(`no complete response within ${String(timeoutMs)} ms`));
    });
    sock.on('data', (b: Buffer) => chunks.push(b));
    sock.on('error', rej);
    sock.on('close', () => {
      res(Buffer.concat(chunks));
    });
  });
  return parseResponse(data, opts.head === true);
}
