// httpd: server/vhost.c (ap_dump_vhost_table / -S), server/main.c (show_mpm_settings,
// show_compile_settings, -v/-V/-M/-L).
//
// The text outputs of the informational command-line flags.

import { hostname, userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import type { ConfigIR, ServerIR } from '../config/ir.js';
import { serverConfOf } from '../config/slots.js';
import { coreModule } from '../core/index.js';
import { MODULES } from '../modules/index.js';
import { wsgiModule } from '../modules/wsgi/index.js';
import {
  BUILTIN_MODULES,
  moduleIdentifier,
  moduleSourceName,
  Registry,
} from '../config/registry.js';
import { ACCESS_CONF, Ctx, OR_ALL, RSRC_CONF, type ContextMask } from '../config/directive.js';

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

/**
 * `-M` (with a config): httpd's "Loaded Modules:" list, the built-in (static) modules
 * first, then those named by LoadModule (shared), in load order. `-l` (without): "Compiled
 * in modules:".
 */
export function describeModules(ir: ConfigIR | undefined): string {
  if (ir === undefined) {
    return (
      ['Compiled in modules:', ...MODULES.map((m) => `  ${moduleSourceName(m.name)}`)].join('\n') +
      '\n'
    );
  }
  // LoadModule order, accepted modules (the MPM) included, as ap_show_modules lists them.
  const loaded = ir.loadedModules ?? ir.modules ?? MODULES.map((m) => m.name);
  const lines = ['Loaded Modules:'];
  for (const name of BUILTIN_MODULES) lines.push(` ${moduleIdentifier(name)} (static)`);
  for (const name of loaded) {
    if (!BUILTIN_MODULES.includes(name)) lines.push(` ${moduleIdentifier(name)} (shared)`);
  }
  return lines.join('\n') + '\n';
}

/** httpd's "Allowed in *.conf …" line(s) of `-L` for a context mask. */
export function allowedIn(where: ContextMask): string {
  const outside = (where & RSRC_CONF) !== 0;
  const inside = (where & (ACCESS_CONF | Ctx.OR_AUTHCFG | Ctx.OR_LIMIT)) !== 0;
  const anywhere =
    (where & (Ctx.OR_OPTIONS | Ctx.OR_FILEINFO | Ctx.OR_INDEXES)) !== 0 || (outside && inside);
  let text = `Allowed in *.conf ${anywhere ? 'anywhere' : outside ? 'only outside <Directory>, <Files>, <Location>, or <If>' : 'only inside <Directory>, <Files>, <Location>, or <If>'}`;
  const htaccess = where & OR_ALL;
  if (htaccess !== 0) {
    const classes = (
      [
        [Ctx.OR_AUTHCFG, 'AuthConfig'],
        [Ctx.OR_LIMIT, 'Limit'],
        [Ctx.OR_OPTIONS, 'Options'],
        [Ctx.OR_FILEINFO, 'FileInfo'],
        [Ctx.OR_INDEXES, 'Indexes'],
      ] as const
    )
      .filter(([bit]) => (htaccess & bit) !== 0)
      .map(([, name]) => name);
    text += ` and in .htaccess\n\twhen AllowOverride ${htaccess === OR_ALL ? "isn't None" : `includes ${classes.join(' or ')}`}`;
  }
  return text;
}

/** `-L`: every directive, in httpd's format (name (module source), help, where allowed). */
export function describeDirectives(): string {
  const lines: string[] = [];
  for (const { module, spec } of new Registry(MODULES).all()) {
    lines.push(
      `${spec.name} (${moduleSourceName(module.name)})`,
      `\t${spec.help}`,
      `\t${allowedIn(spec.where)}`,
    );
  }
  return lines.join('\n') + '\n';
}

function at(s: { origin: { file: string; line: number } }): string {
  return `${s.origin.file}:${s.origin.line}`;
}

function idOf(name: string, kind: 'user' | 'group'): string {
  if (name.startsWith('#')) return name.slice(1);
  try {
    return execFileSync('id', [kind === 'user' ? '-u' : '-g', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '?';
  }
}

/** Sort key of a vhost address: httpd lists IP-specific addresses before wildcard ones. */
function wildcard(addr: string): boolean {
  return addr.startsWith('*:') || addr.startsWith('_default_:');
}

/**
 * `-S` (= -t -D DUMP_VHOSTS -D DUMP_RUN_CFG): httpd's lines in httpd's order (vhosts with
 * file:line; ServerRoot, Main DocumentRoot, Main ErrorLog, PidFile, Define, User, Group),
 * then tswsgi's own run settings: Listen and WSGIDaemonProcess, each with file:line.
 * `parts` selects DUMP_VHOSTS and/or DUMP_RUN_CFG as `-t -D …` does.
 */
export function describeVhosts(
  ir: ConfigIR,
  parts: { vhosts: boolean; runCfg: boolean } = { vhosts: true, runCfg: true },
): string {
  const out: string[] = [];
  const core = serverConfOf(coreModule, ir.main);
  if (parts.vhosts) out.push(...vhostTable(ir, core.serverName));
  if (parts.runCfg) {
    out.push(`ServerRoot: "${ir.serverRoot}"`);
    out.push(`Main DocumentRoot: "${core.documentRoot ?? '/var/www/html'}"`);
    out.push(`Main ErrorLog: "${core.errorLog ?? 'logs/error_log'}"`);
    out.push(`PidFile: "${core.pidFile ?? 'logs/httpd.pid'}"`);
    for (const d of ir.defines) out.push(`Define: ${d}`);
    const user = core.user ?? userInfo().username;
    const group = core.group ?? user;
    out.push(`User: name="${user}" id=${idOf(user, 'user')}`);
    out.push(`Group: name="${group}" id=${idOf(group, 'group')}`);
    for (const l of ir.listen)
      out.push(
        `Listen: ${l.host === '' ? '*' : l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port} (${at(l)})`,
      );
    const seen = new Set<string>();
    for (const s of [ir.main, ...ir.vhosts]) {
      for (const { spec: g } of serverConfOf(wsgiModule, s).daemons) {
        if (seen.has(g.name)) continue;
        seen.add(g.name);
        out.push(
          `WSGIDaemonProcess: ${g.name} processes=${g.processes} threads=${g.threads} (${at(g)})`,
        );
      }
    }
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

function vhostTable(ir: ConfigIR, mainName: string | undefined): string[] {
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
  const nameOf = (v: ServerIR): string =>
    serverConfOf(coreModule, v).serverName ?? mainName ?? hostname();
  const ordered = [...byAddr].sort(([a], [b]) => Number(wildcard(a)) - Number(wildcard(b)));
  for (const [addr, list] of ordered) {
    const first = list[0];
    if (first === undefined) continue;
    if (list.length === 1) {
      out.push(`${addr.padEnd(22)} ${nameOf(first)} (${at(first)})`);
      continue;
    }
    out.push(`${addr.padEnd(22)} is a NameVirtualHost`);
    out.push(`         default server ${nameOf(first)} (${at(first)})`);
    for (const v of list) {
      out.push(
        `         port ${addr.slice(addr.lastIndexOf(':') + 1)} namevhost ${nameOf(v)} (${at(v)})`,
      );
      for (const alias of serverConfOf(coreModule, v).serverAliases ?? [])
        out.push(`                 alias ${alias}`);
    }
  }
  return out;
}
