// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_add_script_alias, wsgi_add_import_script,
// wsgi_add_daemon_process (and its wsgi_daemon_list duplicate check).
//
// The argument handlers of the wsgi directives that take `key=value` options: script
// aliases, import scripts and daemon process groups. The table itself is directives.ts.

import type { Cmd } from '../../config/directive.js';
import type { DaemonGroupSpec } from '../../wsgi/daemon/spec.js';
import { parseDaemonProcess, parseOption } from '../../wsgi/daemon/options.js';
import { getwordConf } from '../../util/getword.js';
import type {
  WsgiAlias,
  WsgiAuthScript,
  WsgiDirConf,
  WsgiHandlerScript,
  WsgiServerConf,
} from './config.js';

type C = Cmd<WsgiServerConf, WsgiDirConf>;

/** All groups defined so far in this build (mod_wsgi's wsgi_daemon_list). */
function daemonsSeen(cmd: C): Map<string, DaemonGroupSpec> {
  const own = new Map(cmd.server.daemons.map((d) => [d.spec.name, d.spec]));
  return cmd.buildState?.('wsgi.daemons', () => own) ?? own;
}

/** WSGIScriptAlias / WSGIScriptAliasMatch (wsgi_add_script_alias). */
export function addScriptAlias(cmd: C, raw: string, regex: boolean): void {
  const name = cmd.node.name;
  const help = regex
    ? 'Map location pattern to target WSGI script file.'
    : 'Map location to target WSGI script file.';
  const [location, r1] = getwordConf(raw);
  const [target, r2] = getwordConf(r1);
  if (location === '' || target === '')
    throw cmd.fail(`${name} requires at least two arguments, ${help}`);
  let rest = r2;
  let processGroup: string | undefined;
  let applicationGroup: string | undefined;
  let callableObject: string | undefined;
  let passAuthorization: boolean | undefined;
  while (rest.trim() !== '') {
    const opt = parseOption(rest);
    if (opt === undefined) throw cmd.fail('Invalid option to WSGI script alias definition.');
    const v = opt.value;
    if (opt.name === 'application-group') {
      if (v === '') throw cmd.fail('Invalid name for WSGI application group.');
      applicationGroup = v === '%{GLOBAL}' ? '' : v;
    } else if (opt.name === 'process-group') {
      if (v === '') throw cmd.fail('Invalid name for WSGI process group.');
      processGroup = v === '%{GLOBAL}' ? '' : v;
    } else if (opt.name === 'callable-object') {
      if (v === '') throw cmd.fail('Invalid name for WSGI callable object.');
      callableObject = v;
    } else if (opt.name === 'pass-authorization') {
      if (!/^(on|off)$/i.test(v)) throw cmd.fail('Invalid value for authorization flag.');
      passAuthorization = v.toLowerCase() === 'on';
    } else {
      throw cmd.fail('Invalid option to WSGI script alias definition.');
    }
    rest = opt.rest;
  }
  if (regex) {
    try {
      new RegExp(location);
    } catch {
      throw cmd.fail('Regular expression could not be compiled.');
    }
  }
  const origin = { file: cmd.node.file, line: cmd.node.line };
  const alias: WsgiAlias = {
    location,
    regex,
    target,
    processGroup,
    applicationGroup,
    callableObject,
    passAuthorization,
    origin,
  };
  cmd.server.aliases.push(alias);
  // Both groups given literally (and no $n in a Match target): preload at process start.
  if (
    processGroup !== undefined &&
    applicationGroup !== undefined &&
    !processGroup.includes('%{') &&
    !applicationGroup.includes('%{') &&
    !(regex && target.includes('$'))
  ) {
    addImport(cmd, target, processGroup, applicationGroup);
  }
}

/** Record an import (and the group's preload) for WSGIImportScript or a preloading alias. */
function addImport(cmd: C, script: string, processGroup: string, applicationGroup: string): void {
  if (processGroup !== '' && !['%{RESOURCE}', '%{SERVER}', '%{HOST}'].includes(processGroup)) {
    const spec = daemonsSeen(cmd).get(processGroup);
    if (spec === undefined) throw cmd.fail('WSGI process group not yet configured.');
    (spec.preload as { script: string; callable: string; applicationGroup: string }[]).push({
      script,
      callable: 'application',
      applicationGroup,
    });
  }
  cmd.server.imports.push({
    script,
    processGroup,
    applicationGroup,
    origin: { file: cmd.node.file, line: cmd.node.line },
  });
}

/** WSGIImportScript path process-group=… application-group=… (both required). */
export function addImportScript(cmd: C, raw: string): void {
  const [script, r1] = getwordConf(raw);
  if (script === '') throw cmd.fail('Location of import script not supplied.');
  let rest = r1;
  let pg: string | undefined;
  let ag: string | undefined;
  while (rest.trim() !== '') {
    const opt = parseOption(rest);
    if (opt === undefined) throw cmd.fail('Invalid option to WSGI import script definition.');
    if (opt.name === 'application-group') {
      if (opt.value === '') throw cmd.fail('Invalid name for WSGI application group.');
      ag = opt.value === '%{GLOBAL}' ? '' : opt.value;
    } else if (opt.name === 'process-group') {
      if (opt.value === '') throw cmd.fail('Invalid name for WSGI process group.');
      pg = opt.value === '%{GLOBAL}' ? '' : opt.value;
    } else {
      throw cmd.fail('Invalid option to WSGI import script definition.');
    }
    rest = opt.rest;
  }
  if (ag === undefined) throw cmd.fail('Name of WSGI application group required.');
  if (pg === undefined) throw cmd.fail('Name of WSGI process group required.');
  addImport(cmd, script, pg, ag);
}

/** WSGIDaemonProcess name opt=value … (wsgi_add_daemon_process). */
export function addDaemonProcess(cmd: C, raw: string): void {
  const parsed = parseDaemonProcess(raw, { file: cmd.node.file, line: cmd.node.line });
  if ('error' in parsed) throw cmd.fail(parsed.error);
  const seen = daemonsSeen(cmd);
  if (seen.has(parsed.spec.name))
    throw cmd.fail('Name duplicates previous WSGI daemon definition.');
  seen.set(parsed.spec.name, parsed.spec);
  cmd.server.daemons.push({ spec: parsed.spec, ignoredOptions: parsed.ignored });
}

/** WSGIHandlerScript name path [options] (wsgi_add_handler_script). */
export function addHandlerScript(cmd: C, raw: string): void {
  const [name, r1] = getwordConf(raw);
  if (name === '') throw cmd.fail('Name for handler script not supplied.');
  const [script, r2] = getwordConf(r1);
  if (script === '') throw cmd.fail('Location of handler script not supplied.');
  let processGroup: string | undefined;
  let applicationGroup: string | undefined;
  let passAuthorization: boolean | undefined;
  for (let rest = r2; rest.trim() !== '';) {
    const opt = parseOption(rest);
    if (opt === undefined) throw cmd.fail('Invalid option to WSGI handler script definition.');
    const v = opt.value;
    if (opt.name === 'process-group') {
      if (v === '') throw cmd.fail('Invalid name for WSGI process group.');
      processGroup = v;
    } else if (opt.name === 'application-group') {
      if (v === '') throw cmd.fail('Invalid name for WSGI application group.');
      applicationGroup = v;
    } else if (opt.name === 'pass-authorization') {
      if (!/^(on|off)$/i.test(v)) throw cmd.fail('Invalid value for authorization flag.');
      passAuthorization = v.toLowerCase() === 'on';
    } else {
      throw cmd.fail('Invalid option to WSGI handler script definition.');
    }
    rest = opt.rest;
  }
  const entry: WsgiHandlerScript = { script, processGroup, applicationGroup, passAuthorization };
  cmd.dir.handlerScripts = { ...cmd.dir.handlerScripts, [name]: entry };
}

/** WSGIDispatchScript path [application-group=] (wsgi_set_dispatch_script). */
export function setDispatchScript(cmd: C, raw: string): void {
  const [script, r1] = getwordConf(raw);
  if (script === '') throw cmd.fail('Location of dispatch script not supplied.');
  let applicationGroup: string | undefined;
  for (let rest = r1; rest.trim() !== '';) {
    const opt = parseOption(rest);
    if (opt === undefined || opt.name !== 'application-group')
      throw cmd.fail('Invalid option to WSGI dispatch script definition.');
    if (opt.value === '') throw cmd.fail('Invalid name for WSGI application group.');
    applicationGroup = opt.value;
    rest = opt.rest;
  }
  cmd.dir.dispatchScript = { script, applicationGroup };
}

/**
 * WSGIAccessScript / WSGIAuthUserScript / WSGIAuthGroupScript path [application-group=]
 * (wsgi_set_access_script, wsgi_set_auth_user_script, wsgi_set_auth_group_script).
 * `what` is the phrase of mod_wsgi's messages: 'access', 'auth user', 'auth group'.
 */
export function parseAuthScript(
  cmd: C,
  raw: string,
  what: 'access' | 'auth user' | 'auth group',
): WsgiAuthScript {
  const [script, r1] = getwordConf(raw);
  if (script === '') throw cmd.fail(`Location of ${what} script not supplied.`);
  let applicationGroup: string | undefined;
  for (let rest = r1; rest.trim() !== '';) {
    const opt = parseOption(rest);
    if (opt === undefined || opt.name !== 'application-group')
      throw cmd.fail(`Invalid option to WSGI ${what} script definition.`);
    if (opt.value === '') throw cmd.fail('Invalid name for WSGI application group.');
    applicationGroup = opt.value;
    rest = opt.rest;
  }
  return { script, applicationGroup };
}
