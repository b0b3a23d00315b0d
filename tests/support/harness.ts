// Start a real tswsgi server from a config text (STYLE.md §4 level 3). The config is
// written to a fresh temp dir (`@DIR@` in the text is replaced by it), with ServerRoot,
// a Listen and ErrorLog put in front, loaded through the real config loader, and served
// on an OS-chosen port. httpd (and so the loader) refuses `Listen …:0`, so the file says
// `Listen 127.0.0.1:@PORT@` (a placeholder port) and the loaded IR is rewritten to port 0;
// `<VirtualHost *:@PORT@>` is rewritten to match any port.

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startServer as start } from '../../src/server/server.js';
import type { RunningServer } from '../../src/server/server.js';
import type { ConfigIR } from '../../src/config/ir.js';

/** The placeholder port written for Listen and usable in `<VirtualHost *:@PORT@>`. */
export const PLACEHOLDER_PORT = 9;

/** Listen on port 0 instead of the placeholder; vhosts on the placeholder match any port. */
export function toEphemeralPorts(ir: ConfigIR): ConfigIR {
  return {
    ...ir,
    listen: ir.listen.map((l) => ({ ...l, port: l.port === PLACEHOLDER_PORT ? 0 : l.port })),
    vhosts: ir.vhosts.map((v) => ({
      ...v,
      addresses: v.addresses.map((a) => ({
        ...a,
        port: a.port === PLACEHOLDER_PORT ? ('*' as const) : a.port,
      })),
    })),
  };
}

export interface Harness {
  readonly port: number;
  readonly dir: string;
  readonly server: RunningServer;
  /** Lines of DIR/error.log so far. */
  errorLog(): string[];
  /** Lines of an access log (default DIR/access.log), waiting until at least `min` exist. */
  accessLog(min?: number, file?: string): Promise<string[]>;
  stop(): Promise<void>;
}

const lines = (p: string): string[] =>
  existsSync(p)
    ? readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];

/** Write files (path relative to the temp dir → content) and start the server. */
export async function startServer(
  conf: string,
  files: Readonly<Record<string, string>> = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tswsgi-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  const text =
    `ServerRoot ${dir}\nListen 127.0.0.1:${PLACEHOLDER_PORT}\nErrorLog ${dir}/error.log\n` +
    conf.replaceAll('@DIR@', dir).replaceAll('@PORT@', String(PLACEHOLDER_PORT));
  writeFileSync(join(dir, 'httpd.conf'), text);
  let server: RunningServer;
  try {
    server = await start(
      toEphemeralPorts(loadConfig({ file: join(dir, 'httpd.conf'), serverRoot: dir })),
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const port = server.addresses()[0]?.port ?? 0;
  return {
    port,
    dir,
    server,
    errorLog: () => lines(join(dir, 'error.log')),
    async accessLog(min = 1, file = join(dir, 'access.log')) {
      // log_transaction runs when the response finishes; give the event loop a few turns.
      for (let i = 0; i < 200 && lines(file).length < min; i++)
        await new Promise((r) => setImmediate(r));
      return lines(file);
    },
    async stop() {
      await server.stop({ graceful: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
