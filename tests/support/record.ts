// Build RequestRecords without sockets (STYLE.md §4 level 1: hono's app.request idea):
// a hand-made ConfigIR, a provisioned Generation over a chosen module list, and an
// IncomingMessage/ServerResponse pair on an unconnected Socket.

import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { ConfigIR, ModuleSlots, SectionIR, ServerIR } from '../../src/config/ir.js';
import type { SectionKind } from '../../src/config/directive.js';
import { Generation } from '../../src/server/generation.js';
import { Request } from '../../src/request/record.js';
import { MemoryErrorLog } from '../../src/logging/error-log-file.js';
import type { ModuleDef } from '../../src/modules/module.js';
import { anyModuleDef } from './any-module.js';

const ORIGIN = { file: 'test.conf', line: 1 };

/** A section for a hand-built IR. */
export function section(
  kind: SectionKind,
  pattern: string,
  dir: ModuleSlots,
  regex = kind.endsWith('Match'),
): SectionIR {
  return { kind, pattern, regex, dir, origin: ORIGIN };
}

/** A server (main or vhost) for a hand-built IR. */
export function server(
  opts: {
    server?: ModuleSlots;
    dirDefaults?: ModuleSlots;
    sections?: SectionIR[];
    addresses?: ServerIR['addresses'];
  } = {},
): ServerIR {
  return {
    addresses: opts.addresses ?? [],
    origin: ORIGIN,
    server: opts.server ?? {},
    dirDefaults: opts.dirDefaults ?? {},
    sections: opts.sections ?? [],
  };
}

/** A whole IR around a main server (and vhosts). */
export function config(main: ServerIR, vhosts: ServerIR[] = []): ConfigIR {
  return {
    serverRoot: '/tmp',
    defines: [],
    listen: [{ host: '127.0.0.1', port: 0, origin: ORIGIN }],
    main,
    vhosts,
    warnings: [],
  };
}

/** Provision a generation over `modules` with an in-memory error log. */
export async function generation(
  ir: ConfigIR,
  modules: readonly ModuleDef<never, never>[] | readonly unknown[],
): Promise<{ gen: Generation; log: MemoryErrorLog }> {
  const log = new MemoryErrorLog({ level: 'trace8' });
  const gen = await Generation.provision(ir, modules.map(anyModuleDef), log);
  return { gen, log };
}

export interface FakeRequestOptions {
  readonly method?: string;
  readonly target?: string;
  readonly httpVersion?: '1.0' | '1.1';
  /** Raw header pairs, in order (repeats allowed). */
  readonly headers?: readonly (readonly [string, string])[];
  readonly server?: ServerIR;
  readonly remote?: { addr: string; port: number };
}

/** A RequestRecord on `gen` (default: its main server), no socket involved. */
export function fakeRequest(gen: Generation, opts: FakeRequestOptions = {}): Request {
  const req = new IncomingMessage(new Socket());
  req.method = opts.method ?? 'GET';
  req.url = opts.target ?? '/';
  req.httpVersion = opts.httpVersion ?? '1.1';
  const raw: string[] = [];
  const headers: Record<string, string> = {};
  for (const [k, v] of opts.headers ?? [['Host', 'localhost']]) {
    raw.push(k, v);
    const lk = k.toLowerCase();
    headers[lk] = headers[lk] === undefined ? v : `${headers[lk]}, ${v}`;
  }
  req.rawHeaders = raw;
  req.headers = headers;
  const res = new ServerResponse(req);
  const srv = opts.server ?? gen.ir.main;
  return new Request({
    req,
    res,
    generation: gen,
    server: srv,
    connection: {
      remoteAddr: opts.remote?.addr ?? '127.0.0.1',
      remotePort: opts.remote?.port ?? 50000,
      localAddr: '127.0.0.1',
      localPort: 8080,
      keepalives: 0,
      log: { id: undefined },
    },
    perDir: gen.dirDefaults(srv),
  });
}
