// httpd: server/vhost.c (ap_dump_vhost_table / -S), server/main.c (show_mpm_settings,
// show_compile_settings, -v/-V/-M/-L).
//
// The text outputs of the informational command-line flags.

import { userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import type { ConfigIR, ServerIR } from '../config/ir.js';
import { serverConfOf } from '../config/slots.js';
import { coreModule } from '../core/index.js';
import { MODULES } from '../modules/index.js';
import { wsgiModule } from '../modules/wsgi/index.js';

/** What tswsgi answers as (IfVersion, SERVER_SOFTWARE). */
export const TSWSGI_VERSION = '0.1.0';
export const APACHE_COMPAT_VERSION = '2.4.62';

/** `-v`. */
export function describeVersion(): string {
  return `Server version: tswsgi/${TSWSGI_VERSION} (Apache/${APACHE_COMPAT_VERSION} compatible; mod_wsgi compatible)\nServer built:   node ${process.version}\n`;
}

/** `-V`. */
export function describeSettings(serverRoot: string, configFile: string): string {
  return [
    describeVersion().trimEnd(),
    `Server's Module Magic Number: tswsgi:${TSWSGI_VERSION}`,
    'Server loaded:  built-in modules only',
    `Architecture:   ${process.arch}`,
    'Server MPM:     event (node event loop + supervised Python worker processes)',
    'Server compiled with....',
    ` -D HTTPD_ROOT="${serverRoot}"`,
    ` -D SERVER_CONFIG_FILE="${configFile}"`,
    '',
  ].join('\n');
}

function moduleId(name: string): string {
  return `${name}_module`;
}

/** `-M` (with a config) or `-l` (without): the modules. */
export function describeModules(ir: ConfigIR | undefined): string {
  const loaded = ir?.modules ?? MODULES.map((m) => m.name);
  const always = new Set(['core', 'log_config']);
  const lines = [ir === undefined ? 'Compiled in modules:' : 'Loaded Modules:'];
  for (const name of loaded) {
    lines.push(ir === undefined ? `  mod_${name}.c` : ` ${moduleId(name)} (${always.has(name) ? 'static' : 'shared'})`);
  }
  return lines.join('\n') + '\n';
}

/** `-L`: every directive with its module. */
export function describeDirectives(): string {
  const lines: string[] = [];
  for (const mod of MODULES) {
    if (mod.directives === undefined) continue;
    const specs = mod.directives(directiveNamesOnly());
    for (const s of specs) lines.push(`${s.name} (mod_${mod.name}.c)\n\t${s.help}`);
  }
  return lines.join('\n') + '\n';
}

/** A DirectiveBuilder that only records names and help, for -L. */
function directiveNamesOnly(): Parameters<NonNullable<(typeof MODULES)[number]['directives']>>[0] {
  const make =
    (args: string) =>
    (name: string, where: number, help: string, apply: unknown) =>
      ({ name, args, where, help, apply }) as never;
  return {
    noArgs: make('noArgs'),
    flag: make('flag'),
    take1: make('take1'),
    take2: make('take2'),
    take3: make('take3'),
    take12: make('take12'),
    take13: make('take13'),
    take23: make('take23'),
    take123: make('take123'),
    iterate: make('iterate'),
    iterate2: make('iterate2'),
    takeArgv: make('takeArgv'),
    raw: make('raw'),
  };
}

function at(s: { origin: { file: string; line: number } }): string {
  return `${s.origin.file}:${s.origin.line}`;
}

function idOf(name: string, kind: 'user' | 'group'): string {
  if (name.startsWith('#')) return name.slice(1);
  try {
    return execFileSync('id', [kind === 'user' ? '-u' : '-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}

/** `-S` (= -t -D DUMP_VHOSTS -D DUMP_RUN_CFG): vhosts and run settings, each with file:line. */
export function describeVhosts(ir: ConfigIR): string {
  const out: string[] = ['VirtualHost configuration:'];
  const byAddr = new Map<string, ServerIR[]>();
  for (const v of ir.vhosts) {
    for (const a of v.addresses) {
      const key = `${a.host}:${a.port}`;
      const list = byAddr.get(key) ?? [];
      list.push(v);
      byAddr.set(key, list);
    }
  }
  for (const [addr, list] of byAddr) {
    const first = list[0];
    if (first === undefined) continue;
    const nameOf = (v: ServerIR): string => serverConfOf(coreModule, v).serverName ?? '(unnamed)';
    if (list.length === 1) {
      out.push(`${addr.padEnd(22)} ${nameOf(first)} (${at(first)})`);
      continue;
    }
    out.push(`${addr.padEnd(22)} is a NameVirtualHost`);
    out.push(`         default server ${nameOf(first)} (${at(first)})`);
    for (const v of list) {
      out.push(`         port ${addr.slice(addr.lastIndexOf(':') + 1)} namevhost ${nameOf(v)} (${at(v)})`);
      for (const alias of serverConfOf(coreModule, v).serverAliases ?? []) out.push(`                 alias ${alias}`);
    }
  }
  const core = serverConfOf(coreModule, ir.main);
  out.push(`ServerRoot: "${ir.serverRoot}"`);
  out.push(`Main DocumentRoot: "${core.documentRoot ?? '/var/www/html'}"`);
  out.push(`Main ErrorLog: "${core.errorLog ?? 'logs/error_log'}"`);
  out.push(`PidFile: "${core.pidFile ?? 'logs/httpd.pid'}"`);
  for (const l of ir.listen) out.push(`Listen: ${l.host === '' ? '*' : l.host}:${l.port} (${at(l)})`);
  for (const d of ir.defines) out.push(`Define: ${d}`);
  const user = core.user ?? userInfo().username;
  const group = core.group ?? user;
  out.push(`User: name="${user}" id=${idOf(user, 'user')}`);
  out.push(`Group: name="${group}" id=${idOf(group, 'group')}`);
  const wsgi = serverConfOf(wsgiModule, ir.main);
  for (const { spec: g } of wsgi.daemons) {
    out.push(`WSGIDaemonProcess: ${g.name} processes=${g.processes} threads=${g.threads} (${at(g)})`);
  }
  return out.join('\n') + '\n';
}
