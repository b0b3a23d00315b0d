// Raw-socket HTTP/1.x client for integration tests (waitress tests/test_functional.py,
// undici test/client-keep-alive.js): send exact bytes, parse the status line, headers and
// body, and observe whether the server kept the connection open.

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';

/** One parsed response. */
export interface RawResponse {
  readonly statusLine: string;
  readonly status: number;
  readonly reason: string;
  /** Header fields in order, names as sent. */
  readonly headerList: readonly (readonly [string, string])[];
  /** Lower-cased name → value (last one wins). */
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-cased header names, sorted (for exact-set assertions). */
  readonly headerNames: readonly string[];
  readonly body: Buffer;
}

/** A client connection. */
export class RawConnection {
  readonly socket: Socket;
  #buf = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => {
      const done = (): void => {
        this.#ended = true;
        this.#wake?.();
        resolve();
      };
      socket.once('end', done);
      socket.once('close', done);
      socket.once('error', done);
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    const s = connect(port, host);
    await once(s, 'connect');
    return new RawConnection(s);
  }

  /**
   * A TLS connection (node's tls.connect; `opts.servername` sends SNI, '' sends none).
   * Certificates are not verified unless `opts.ca` is given.
   */
  static async openTls(port: number, opts: ConnectionOptions = {}): Promise<RawConnection> {
    const { servername, ...rest } = opts;
    const s = tlsConnect({
      port,
      host: '127.0.0.1',
      rejectUnauthorized: false,
      ...(servername === undefined || servername === '' ? {} : { servername }),
      ...rest,
    });
    await once(s, 'secureConnect');
    return new RawConnection(s);
  }

  /** True until the server has closed its side. */
  get open(): boolean {
    return !this.#ended;
  }

  /** The bytes received that no read() has consumed yet (e.g. a cut-short response). */
  received(): Buffer {
    return Buffer.from(this.#buf);
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async #more(): Promise<void> {
    if (this.#ended) throw new Error('connection closed before a complete response');
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    this.#wake = undefined;
  }

  /** Read one response; `head` = the request was HEAD (no body follows). */
  async read(opts: { head?: boolean } = {}): Promise<RawResponse> {
    let end: number;
    while ((end = this.#buf.indexOf('\r\n\r\n')) < 0) await this.#more();
    const headText = this.#buf.subarray(0, end).toString('latin1');
    let rest = this.#buf.subarray(end + 4);
    const [statusLine = '', ...lines] = headText.split('\r\n');
    const m = /^HTTP\/\d\.\d (\d{3}) ?(.*)$/.exec(statusLine);
    const status = Number(m?.[1] ?? 0);
    const headerList = lines.map((l): [string, string] => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()];
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of headerList) headers[k.toLowerCase()] = v;
    let body: Buffer;
    if (opts.head === true || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      while (this.#buf.length - (end + 4) < n) await this.#more();
      rest = this.#buf.subarray(end + 4);
      body = Buffer.from(rest.subarray(0, n));
      rest = rest.subarray(n);
    } else if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
      const parts: Buffer[] = [];
      let off = end + 4;
      for (;;) {
        let le: number;
        while ((le = this.#buf.indexOf('\r\n', off)) < 0) await this.#more();
        const size = parseInt(this.#buf.subarray(off, le).toString('latin1'), 16);
        while (this.#buf.length < le + 2 + size + 2) await this.#more();
        if (size === 0) {
          off = le + 4;
          break;
        }
        parts.push(Buffer.from(this.#buf.subarray(le + 2, le + 2 + size)));
        off = le + 2 + size + 2;
      }
      body = Buffer.concat(parts);
      rest = this.#buf.subarray(off);
    } else {
      while (!this.#ended) await this.#more().catch(() => undefined);
      body = Buffer.from(this.#buf.subarray(end + 4));
      rest = Buffer.alloc(0);
    }
    this.#buf = Buffer.from(rest);
    const headerNames = [...new Set(headerList.map(([k]) => k.toLowerCase()))].sort();
    return { statusLine, status, reason: m?.[2] ?? '', headerList, headers, headerNames, body };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Open, send `data`, read one response, and report whether the server then closed. */
export async function rawRequest(
  port: number,
  data: string | Buffer,
  opts: { head?: boolean } = {},
): Promise<RawResponse & { conn: RawConnection }> {
  const conn = await RawConnection.open(port);
  conn.send(data);
  const res = await conn.read(opts);
  return { ...res, conn };
}
