// invoke_cmd's arity checks and ap_check_cmd_context, driven by made-up directives for the
// arities no built-in module declares yet (NO_ARGS, TAKE3, TAKE13, TAKE123). The messages
// are httpd's server/config.c invoke_cmd texts: "<Name> takes three arguments, <help>".

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextError, globalOnlyError, invoke, makeCmd } from './build-cmd.js';
import type { Place } from './build-cmd.js';
import { ConfigError } from './errors.js';
import { Ctx, RSRC_CONF } from './directive.js';
import type { AnyDirective, ConfigContext } from './directive.js';
import { directiveBuilder } from './registry.js';
import { mergeBySpec } from './merge.js';
import type { MergeSpec } from './merge.js';
import { dirConfOf, moduleSlot, serverConfOf } from './slots.js';
import type { ServerIR } from './ir.js';

const d = directiveBuilder<unknown, unknown>();
const SERVER: Place = { context: { kind: 'server' }, parent: undefined };

/** Apply `spec` to a node with `args` at /etc/httpd.conf:7. */
function run(spec: AnyDirective<unknown, unknown>, args: string[]): void {
  const cmd = makeCmd(spec.name, {
    node: { name: spec.name, args, rawArgs: args.join(' '), file: '/etc/httpd.conf', line: 7 },
    place: SERVER,
    server: {},
    dir: {},
    serverRoot: '/srv',
    warnings: [],
  });
  invoke(spec, cmd);
}

/** The ConfigError message invoke throws for `args`. */
function failure(spec: AnyDirective<unknown, unknown>, args: string[]): string {
  try {
    run(spec, args);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
    return e.message;
  }
  assert.fail(`${spec.name} ${args.join(' ')} was accepted`);
}

const at7 = 'AH00526: Syntax error on line 7 of /etc/httpd.conf:\n';

describe('invoke (arity)', () => {
  it('NO_ARGS: runs the handler once without arguments, rejects any argument', () => {
    let calls = 0;
    const spec = d.noArgs('Stop', RSRC_CONF, 'stop it', () => {
      calls++;
    });
    run(spec, []);
    assert.equal(calls, 1);
    assert.equal(failure(spec, ['x']), `${at7}Stop takes no arguments`);
    assert.equal(calls, 1);
  });

  it('TAKE3: passes exactly three arguments, names the help text otherwise', () => {
    const got: string[][] = [];
    const spec = d.take3('Three', RSRC_CONF, 'a b and c', (_cmd, a, b, c) => {
      got.push([a, b, c]);
    });
    run(spec, ['1', '2', '3']);
    assert.deepEqual(got, [['1', '2', '3']]);
    for (const bad of [['1'], ['1', '2'], ['1', '2', '3', '4']]) {
      assert.equal(failure(spec, bad), `${at7}Three takes three arguments, a b and c`);
    }
  });

  it('TAKE13: one or three arguments, never two', () => {
    const got: (string | undefined)[][] = [];
    const spec = d.take13('OneOrThree', RSRC_CONF, 'help13', (_cmd, a, b, c) => {
      got.push([a, b, c]);
    });
    run(spec, ['a']);
    run(spec, ['a', 'b', 'c']);
    assert.deepEqual(got, [
      ['a', undefined, undefined],
      ['a', 'b', 'c'],
    ]);
    for (const bad of [[], ['a', 'b'], ['a', 'b', 'c', 'd']]) {
      assert.equal(failure(spec, bad), `${at7}OneOrThree takes one or three arguments, help13`);
    }
  });

  it('TAKE123: one to three arguments', () => {
    const got: (string | undefined)[][] = [];
    const spec = d.take123('Upto3', RSRC_CONF, 'help123', (_cmd, a, b, c) => {
      got.push([a, b, c]);
    });
    run(spec, ['a']);
    run(spec, ['a', 'b']);
    run(spec, ['a', 'b', 'c']);
    assert.deepEqual(got, [
      ['a', undefined, undefined],
      ['a', 'b', undefined],
      ['a', 'b', 'c'],
    ]);
    for (const bad of [[], ['a', 'b', 'c', 'd']]) {
      assert.equal(failure(spec, bad), `${at7}Upto3 takes one, two or three arguments, help123`);
    }
  });
});

describe('contextError / globalOnlyError (ap_check_cmd_context)', () => {
  const vhost: Place = { context: { kind: 'vhost' }, parent: 'VirtualHost' };
  const dir: ConfigContext = { kind: 'section', section: 'directory', pattern: '/x' };

  it('rejects a main-server-only directive (SERVER without VHOST) inside <VirtualHost>', () => {
    assert.equal(
      contextError('MainOnly', Ctx.SERVER, vhost),
      'MainOnly cannot occur within <VirtualHost> section',
    );
    assert.equal(contextError('Both', RSRC_CONF, vhost), undefined);
    assert.equal(contextError('MainOnly', Ctx.SERVER, SERVER), undefined);
  });

  it('spells a section directive with its angle brackets', () => {
    assert.equal(
      globalOnlyError('<Proxy', { kind: 'vhost' }),
      '<Proxy> cannot occur within <VirtualHost> section',
    );
  });

  it('names <Directory/Location/Files> for any per-dir context, nothing in the main server', () => {
    assert.equal(
      globalOnlyError('WSGIPythonHome', dir),
      'WSGIPythonHome cannot occur within <Directory/Location/Files> section',
    );
    assert.equal(
      globalOnlyError('WSGIPythonHome', { kind: 'htaccess', directory: '/x' }),
      'WSGIPythonHome cannot occur within <Directory/Location/Files> section',
    );
    assert.equal(globalOnlyError('WSGIPythonHome', { kind: 'server' }), undefined);
  });
});

describe('mergeBySpec (prepend/append with unset sides)', () => {
  interface C {
    pre?: string[];
    app?: string[];
  }
  const spec: MergeSpec<C> = { pre: 'prepend', app: 'append' };

  it('treats an unset list as empty on either side', () => {
    assert.deepEqual(mergeBySpec(spec, {}, { pre: ['o'], app: ['o'] }), {
      pre: ['o'],
      app: ['o'],
    });
    assert.deepEqual(mergeBySpec(spec, { pre: ['b'], app: ['b'] }, {}), {
      pre: ['b'],
      app: ['b'],
    });
    assert.deepEqual(mergeBySpec(spec, { pre: ['b'], app: ['b'] }, { pre: ['o'], app: ['o'] }), {
      pre: ['o', 'b'],
      app: ['b', 'o'],
    });
  });
});

describe('slots (ap_get_module_config)', () => {
  const srv = (server: Record<string, unknown>): ServerIR => ({
    addresses: [],
    origin: { file: 't', line: 1 },
    server,
    dirDefaults: {},
    sections: [],
  });

  it('refuses a module without the kind of config asked for', () => {
    assert.throws(() => serverConfOf({ name: 'nosrv' }, srv({})), {
      message: 'module nosrv has no server config',
    });
    assert.throws(() => dirConfOf({ name: 'nodir' }, {}), {
      message: 'module nodir has no per-dir config',
    });
  });

  it('moduleSlot binds both accessors: the stored slot, else fresh defaults', () => {
    const slot = moduleSlot<{ n: number }, { m: number }>({
      name: 'm',
      server: { create: () => ({ n: 0 }), merge: { n: 'override' } },
      dir: { create: () => ({ m: 0 }), merge: { m: 'override' } },
    });
    assert.deepEqual(slot.server(srv({ m: { n: 5 } })), { n: 5 });
    assert.deepEqual(slot.server(srv({})), { n: 0 });
    assert.deepEqual(slot.dir({ m: { m: 3 } }), { m: 3 });
    assert.deepEqual(slot.dir({}), { m: 0 });
  });
});
