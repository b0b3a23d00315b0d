import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RSRC_CONF } from './directive.js';
import { moduleSourceName, Registry, resolveModuleName } from './registry.js';
import type { ModuleDef } from '../modules/module.js';

const mod = (name: string, ...directives: string[]): ModuleDef => ({
  name,
  directives: (d) => directives.map((n) => d.take1(n, RSRC_CONF, 'help', () => undefined)),
});

describe('Registry', () => {
  it('finds directives case-insensitively with their module', () => {
    const r = new Registry([mod('a', 'FooBar'), mod('b', 'Baz')]);
    assert.equal(r.lookup('foobar')?.spec.name, 'FooBar');
    assert.equal(r.lookup('FOOBAR')?.module.name, 'a');
    assert.equal(r.lookup('baz')?.module.name, 'b');
    assert.equal(r.lookup('nope'), undefined);
  });

  it('rejects a directive registered twice', () => {
    assert.throws(() => new Registry([mod('a', 'Same'), mod('b', 'SAME')]), {
      message: 'directive SAME of module b is already registered by module a',
    });
  });

  it('lets two modules that name each other share directives, the first loaded one answering', () => {
    const cgi = { ...mod('cgi', 'ScriptLog', 'CGIScriptTimeout'), sharesDirectivesWith: 'cgid' };
    const cgid = { ...mod('cgid', 'ScriptLog', 'ScriptSock'), sharesDirectivesWith: 'cgi' };
    const r = new Registry([cgi, cgid]);
    assert.equal(r.lookup('scriptlog')?.module.name, 'cgi');
    assert.equal(r.lookup('scriptlog', new Set(['cgid']))?.module.name, 'cgid');
    assert.equal(r.lookup('scriptlog', new Set(['cgi', 'cgid']))?.module.name, 'cgi');
    assert.equal(r.lookup('scriptlog', new Set(['alias']))?.module.name, 'cgi');
    assert.equal(r.all().filter((d) => d.spec.name === 'ScriptLog').length, 2);
    // Only with each other: a third module declaring it is still refused.
    assert.throws(() => new Registry([cgi, cgid, mod('other', 'ScriptLog')]), {
      message: 'directive ScriptLog of module other is already registered by module cgi',
    });
  });
  it('rejects a module registered twice', () => {
    assert.throws(() => new Registry([mod('a'), mod('a')]), {
      message: 'module a is registered twice',
    });
  });
});

describe('resolveModuleName', () => {
  const known = ['core', 'http', 'alias', 'mpm_event'];
  it('accepts source-file names and module identifiers as httpd does', () => {
    assert.equal(resolveModuleName('mod_alias.c', known), 'alias');
    assert.equal(resolveModuleName('alias_module', known), 'alias');
    assert.equal(resolveModuleName('core.c', known), 'core');
    assert.equal(resolveModuleName('http_core.c', known), 'http');
    assert.equal(resolveModuleName('event.c', known), 'mpm_event');
    assert.equal(resolveModuleName('mpm_event_module', known), 'mpm_event');
  });

  it('matches nothing for the bare mod_x form or unknown names', () => {
    assert.equal(resolveModuleName('mod_alias', known), undefined);
    assert.equal(resolveModuleName('mod_rewrite.c', known), undefined);
  });

  it('names sources like httpd', () => {
    assert.equal(moduleSourceName('wsgi'), 'mod_wsgi.c');
  });
});
