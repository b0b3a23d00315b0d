// mod_alias translate: alias_matches segment rules and AliasMatch substitution.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aliasMatchLength, substitute, tryAliasList } from './translate.js';
import type { AliasEntry } from './config.js';

const entry = (fake: string, real: string, regex = false, script = false): AliasEntry => ({
  fake,
  real,
  regex,
  script,
  origin: { file: 't', line: 1 },
});

describe('aliasMatchLength', () => {
  it('matches whole segments: /static covers /static and /static/x, not /staticfoo', () => {
    assert.equal(aliasMatchLength('/static', '/static'), 7);
    assert.equal(aliasMatchLength('/static/x', '/static'), 7);
    assert.equal(aliasMatchLength('/staticfoo', '/static'), 0);
    assert.equal(aliasMatchLength('/staticfoo', '/static/'), 0);
  });
  it('lets runs of slashes match each other', () => {
    assert.equal(aliasMatchLength('//static//x', '/static/'), 10);
    assert.equal(aliasMatchLength('/a/b', '/a//b'), 4);
  });
  it('an alias ending in / needs the slash in the URI', () => {
    assert.equal(aliasMatchLength('/icons', '/icons/'), 0);
    assert.equal(aliasMatchLength('/icons/a.png', '/icons/'), 7);
  });
});

describe('tryAliasList', () => {
  it('maps the rest of the URI under the target, first match wins', () => {
    const list = [entry('/static/css', '/srv/css'), entry('/static', '/srv/static')];
    assert.deepEqual(tryAliasList(list, '/static/css/a.css')?.filename, '/srv/css/a.css');
    assert.deepEqual(tryAliasList(list, '/static/js/a.js')?.filename, '/srv/static/js/a.js');
    assert.equal(tryAliasList(list, '/other'), undefined);
  });
  it('substitutes $1 for AliasMatch', () => {
    const list = [entry('^/img/(.*)\\.png$', '/srv/img/$1.png', true)];
    assert.equal(tryAliasList(list, '/img/logo.png')?.filename, '/srv/img/logo.png');
  });
});

describe('substitute', () => {
  it('replaces $0-$9; & is literal and a backslash escapes the next character (2.4)', () => {
    // Checked on apache2 2.4.71: RedirectMatch ^/amp/(.*)$ "http://x/a&b$1\\$1\\&" sends
    // Location http://x/a&bzz$1& for /amp/zz (the config reader makes `\\` one backslash).
    const m = /a(b)(c)?/.exec('xabz');
    assert.ok(m !== null);
    assert.equal(substitute('[$0][$1][$2][&][\\$1][\\&][\\\\]', m), '[ab][b][][&][$1][&][\\]');
  });
});
