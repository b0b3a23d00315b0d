// httpd: server/log.c (ap_open_piped_log_ex, piped_log_spawn, piped_log_maintenance:
//        AH00104/AH00106), modules/loggers/mod_log_config.c (a CustomLog target starting
//        with `|`), apr: strings/apr_cpystrn.c apr_tokenize_to_argv.
//
// A log target written `|program args` (or `||program`) runs the program directly, and
// `|$command` runs it through /bin/sh -c, as httpd 2.4 does. Log lines go to the
// program's standard input. A program that exits is started again (AH00106), with a
// growing delay while it keeps failing at once; lines written meanwhile wait in memory,
// up to a bound past which they are dropped and the drop is logged once. Disposing ends
// its input, which lets a logger such as rotatelogs flush and exit. A program that does
// not read fast enough gets the same bound: the server never stalls or grows on a logger.

import { spawn, type ChildProcess } from 'node:child_process';

/** Where problems with the program are reported (the error log, or stderr for it). */
export type PipedLogReport = (
  level: 'error' | 'warn',
  module: string,
  id: string,
  message: string,
) => void;

/** The program of a piped target: argv to execute, and whether it goes through a shell. */
export interface PipedCommand {
  readonly argv: readonly string[];
  readonly shell: boolean;
}

/** `|prog a b`, `||prog`, `|$cmd` → the command; undefined when `target` is not piped. */
export function pipedCommand(target: string): PipedCommand | undefined {
  if (!target.startsWith('|')) return undefined;
  // ap_open_piped_log: one '|', an optional second (2.2's "||prog"), then '$' for a shell.
  let text = target.slice(target.startsWith('||') ? 2 : 1);
  if (!text.startsWith('$')) return { argv: tokenizeToArgv(text), shell: false };
  text = text.slice(1).trim();
  return { argv: ['/bin/sh', '-c', text], shell: true };
}

/**
 * apr_tokenize_to_argv: words split on blanks; double or single quotes group (the quotes
 * are removed); a backslash keeps the next character.
 */
export function tokenizeToArgv(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= text.length) break;
    let word = '';
    const quote = text[i] === '"' || text[i] === "'" ? text[i] : undefined;
    if (quote !== undefined) i++;
    while (i < text.length) {
      const c = text[i] ?? '';
      if (quote !== undefined ? c === quote : c === ' ' || c === '\t') {
        i++;
        break;
      }
      if (c === '\\' && i + 1 < text.length) {
        word += text[i + 1];
        i += 2;
        continue;
      }
      word += c;
      i++;
    }
    out.push(word);
  }
  return out;
}

/** Bytes of log lines kept while the program is being restarted. */
const PENDING_LIMIT = 1 << 20;
const RESTART_DELAYS_MS = [0, 100, 500, 1000, 5000];

export class PipedLog {
  readonly #target: string;
  readonly #command: PipedCommand;
  readonly #report: PipedLogReport;
  #child: ChildProcess | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #dropped = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(target: string, command: PipedCommand, report: PipedLogReport) {
    this.#target = target;
    this.#command = command;
    this.#report = report;
    this.#start();
  }

  /** The program's pid while it runs (for tests and -S). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  #start(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const [file = '', ...args] = this.#command.argv;
    const started = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(file, args, { stdio: ['pipe', 'inherit', 'inherit'] });
    } catch (e) {
      this.#failed(`unable to start piped log program '${this.#target}': ${String(e)}`, 'AH00104');
      return;
    }
    this.#child = child;
    child.on('error', (e) => {
      if (this.#child !== child) return;
      // Not started (ENOENT, EACCES): node may never emit 'exit' for it.
      this.#child = undefined;
      if (!this.#closed)
        this.#failed(
          `unable to start piped log program '${this.#target}': ${e.message}`,
          'AH00104',
        );
    });
    // A program that is gone leaves EPIPE on its input: the exit handler restarts it.
    child.stdin?.on('error', () => undefined);
    child.on('exit', () => {
      if (this.#child !== child) return;
      this.#child = undefined;
      if (this.#closed) return;
      if (Date.now() - started > 10_000) this.#failures = 0;
      this.#failed(`piped log program '${this.#target}' failed unexpectedly`, 'AH00106');
    });
    const queued = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#dropped = false;
    for (const line of queued) child.stdin?.write(line);
  }

  #failed(message: string, id: string): void {
    this.#report('error', 'core', id, message);
    const delay = RESTART_DELAYS_MS[Math.min(this.#failures, RESTART_DELAYS_MS.length - 1)] ?? 0;
    this.#failures++;
    this.#timer = setTimeout(() => this.#start(), delay);
    this.#timer.unref();
  }

  /** Write one line (with its newline). */
  write(line: string): void {
    if (this.#closed) return;
    const stdin = this.#child?.stdin;
    const running = stdin !== undefined && stdin !== null && stdin.writable;
    const held = running ? stdin.writableLength : this.#pendingBytes;
    if (held + line.length > PENDING_LIMIT) {
      if (!this.#dropped) {
        this.#dropped = true;
        this.#report(
          'warn',
          'core',
          'MW00502',
          `piped log program '${this.#target}' ${running ? 'is not keeping up' : 'is not running'}; dropping log lines past ${String(PENDING_LIMIT)} bytes`,
        );
      }
      return;
    }
    if (running) {
      this.#dropped = false;
      stdin.write(line);
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += line.length;
  }

  /** End the program's input and wait for it to exit (killed after `graceMs`). */
  async close(graceMs = 5000): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGTERM'), graceMs);
      kill.unref();
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.stdin?.end();
    });
  }
}
