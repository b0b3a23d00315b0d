// Helpers for the command-line tests: run the real bin/tswsgi as a child process, find a
// free port, wait for a condition in a bounded loop, and track every pid a test starts so
// it can be stopped (by pid) afterwards.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** The repository root (this file runs from dist/tests/cli/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The real command-line entry point. */
export const BIN = join(ROOT, 'bin/tswsgi');

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `tswsgi args…` to completion (bounded by `timeoutMs`). */
export function run(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return runCommand(process.execPath, [BIN, ...args], opts);
}

/** Run any command to completion. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(
        new Error(
          `${cmd} ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 15000} ms\n${stderr}`,
        ),
      );
    }, opts.timeoutMs ?? 15000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** A port that was free a moment ago (bind 0, read, close). Callers retry on EADDRINUSE. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const addr = s.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Poll `check` until it returns a value other than undefined (bounded, no fixed sleeps). */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Does something accept connections on 127.0.0.1:port? */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
  });
}

/** Is process `pid` alive (and not a zombie)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie still answers kill(0); /proc says Z.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

/** Direct children of `pid` (from /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Kill `pid` with SIGKILL if it is still alive (cleanup of pids a test started). */
export function killIfAlive(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A fresh temp dir with files (relative path → content). */
export function tempDir(files: Readonly<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tswsgi-cli-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}

/** GET http://127.0.0.1:port/path → status and body. */
export function get(
  port: number,
  path: string,
): Promise<{ status: number; body: string; headers: Headers }> {
  // A new connection per call (agent: false): a reload retires the connections open at the
  // time, as httpd does, so a pooled keep-alive connection (fetch's) could be closed under
  // the next request.
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Spawn a long-running tswsgi (foreground or express) on a free port: `make(port)` gives
 * the argv. Retries with another port when the server reports EADDRINUSE; resolves once
 * the port accepts connections. The caller must stop the returned child.
 */
export async function spawnServer(
  make: (port: number) => string[],
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, ...make(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    let exited = false;
    child.on('exit', () => (exited = true));
    const ok = await waitFor(
      'server to listen',
      async () => ((await portOpen(port)) ? true : exited ? false : undefined),
      15000,
    );
    if (ok) return { child, port, output: () => output };
    if (!output.includes('Address already in use'))
      throw new Error(`server exited before listening:\n${output}`);
  }
  throw new Error('no free port after 5 attempts');
}

/** SIGTERM a child we spawned and wait (bounded) for it to exit; SIGKILL if it does not. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(t);
}
