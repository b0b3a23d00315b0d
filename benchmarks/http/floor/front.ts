// The floor of tswsgi's design: the least a Node front end + Python daemons can do per
// request, to say what throughput any implementation of it could reach on this machine.
// Not a server: no config, no pipeline, no validation, no flow control, no errors handled.
//
//   node dist/benchmarks/http/floor/front.js PORT PIDFILE plain
//       Node answers "Hello World!" itself
//   node dist/benchmarks/http/floor/front.js PORT PIDFILE relay PYTHON
//       2 single-threaded Python loops (worker.py, found in the source tree) run the WSGI
//       app; Node relays to them
//
// relay: each request becomes an environ of the size tswsgi sends (the request line and
// headers as CGI variables, plus the constant keys mod_wsgi adds), NUL-separated, behind a
// u32 length, written to the two workers in turn over a socketpair (node's 'pipe' stdio);
// the answer is a u32 length + "status\nName: value\n...\n\nbody". Writes are batched per
// event-loop turn, as tswsgi batches them.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

const [port = '0', pidFile = '', mode = '', python = 'python3'] = process.argv.slice(2);
// dist/benchmarks/http/floor → benchmarks/http/floor (worker.py is not compiled).
const here = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../../../benchmarks/http/floor',
);
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const CONSTANT = [
  ['SERVER_SOFTWARE', 'Apache'],
  ['SERVER_SIGNATURE', ''],
  ['SERVER_ADDR', '127.0.0.1'],
  ['SERVER_ADMIN', '[no address given]'],
  ['DOCUMENT_ROOT', '/srv/apps'],
  ['REQUEST_SCHEME', 'http'],
  ['CONTEXT_PREFIX', ''],
  ['CONTEXT_DOCUMENT_ROOT', '/srv/apps'],
  ['GATEWAY_INTERFACE', 'CGI/1.1'],
  ['SCRIPT_FILENAME', '/srv/apps/hello.wsgi'],
  ['mod_wsgi.process_group', 'bench'],
  ['mod_wsgi.application_group', ''],
  ['mod_wsgi.callable_object', 'application'],
  ['mod_wsgi.request_handler', 'wsgi-script'],
  ['mod_wsgi.handler_script', ''],
  ['mod_wsgi.script_reloading', '1'],
]
  .flat()
  .join('\0');

function environ(req: IncomingMessage): string {
  const parts = [CONSTANT];
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const p = q < 0 ? url : url.slice(0, q);
  parts.push(
    'REQUEST_METHOD',
    req.method ?? 'GET',
    'REQUEST_URI',
    url,
    'SCRIPT_NAME',
    p,
    'PATH_INFO',
    '',
    'QUERY_STRING',
    q < 0 ? '' : url.slice(q + 1),
    'SERVER_PROTOCOL',
    'HTTP/1.1',
    'SERVER_NAME',
    '127.0.0.1',
    'SERVER_PORT',
    port,
    'REMOTE_ADDR',
    req.socket.remoteAddress ?? '',
    'REMOTE_PORT',
    String(req.socket.remotePort),
    'mod_wsgi.request_start',
    String(Date.now() * 1000),
  );
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    parts.push('HTTP_' + (raw[i] ?? '').toUpperCase().replaceAll('-', '_'), raw[i + 1] ?? '');
  }
  return parts.join('\0');
}

function relay(worker: ChildProcess): Handler {
  const waiting: ServerResponse[] = [];
  let pending: Buffer[] = [];
  let held: Buffer = Buffer.alloc(0);
  const sock = worker.stdio[3] as Socket;
  sock.on('data', (chunk: Buffer) => {
    let buf: Buffer = held.length ? Buffer.concat([held, chunk]) : chunk;
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0);
      if (buf.length < 4 + n) break;
      const msg = buf.subarray(4, 4 + n);
      buf = buf.subarray(4 + n);
      const res = waiting.shift();
      if (res === undefined) throw new Error('an answer nobody asked for');
      const split = msg.indexOf('\n\n');
      const lines = msg.toString('latin1', 0, split).split('\n');
      const headers: string[] = [];
      for (const line of lines.slice(1)) {
        const c = line.indexOf(':');
        headers.push(line.slice(0, c), line.slice(c + 2));
      }
      const status = lines[0] ?? '';
      res.writeHead(parseInt(status, 10), status.slice(4), headers);
      res.end(msg.subarray(split + 2));
    }
    held = buf;
  });
  const flush = (): void => {
    const out = pending;
    pending = [];
    sock.write(Buffer.concat(out));
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const text = environ(req);
    const frame = Buffer.allocUnsafe(4 + text.length);
    frame.writeUInt32BE(text.length, 0);
    frame.write(text, 4, 'latin1');
    waiting.push(res);
    if (pending.push(frame) === 1) setImmediate(flush);
  };
}

let handler: Handler;
if (mode === 'plain') {
  handler = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '12' });
    res.end('Hello World!');
  };
} else if (mode === 'relay') {
  const workers = [0, 1].map(() =>
    spawn(python, [path.join(here, 'worker.py')], {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    }),
  );
  const relays = workers.map(relay);
  const [a, b] = relays as [Handler, Handler];
  let next = 0;
  handler = (req, res) => ((next++ & 1) === 0 ? a : b)(req, res);
  process.on('SIGTERM', () => {
    for (const w of workers) w.kill();
    process.exit(0);
  });
} else {
  console.error(`front.js: mode must be plain or relay, not '${mode}'`);
  process.exit(2);
}
http.createServer(handler).listen(Number(port), '127.0.0.1', () => {
  fs.writeFileSync(pidFile, String(process.pid));
});
if (mode === 'plain') process.on('SIGTERM', () => process.exit(0));
