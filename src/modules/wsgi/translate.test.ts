// Tests for mod_wsgi's wsgi_hook_intercept, %{…} expansion and SCRIPT_NAME rules (reference §3.6, §4.4).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aliasMatches, compileAliases, translateWsgiAlias } from './translate.js';
import {
  expandApplicationGroup,
  expandCallableObject,
  expandProcessGroup,
  findPathInfoStart,
} from './app-group.js';
import type { WsgiAlias } from './config.js';
import { DECLINED, OK } from '../../request/hooks.js';

const alias = (location: string, target: string, extra: Partial<WsgiAlias> = {}): WsgiAlias => ({
  location,
  target,
  regex: false,
  processGroup: undefined,
  applicationGroup: undefined,
  callableObject: undefined,
  passAuthorization: undefined,
  origin: { file: 't.conf', line: 1 },
  ...extra,
});
const req = (uri: string) => ({
  uri,
  filename: undefined as string | undefined,
  fileHint: undefined as string | undefined,
  handler: undefined as string | undefined,
  notes: new Map<string, string>(),
});

describe('WSGIScriptAlias translate', () => {
  it('hints the script file to map_to_storage when path_info follows it, and only then', () => {
    const list = compileAliases([alias('/app', '/srv/app.wsgi'), alias('/dir', '/srv/dir/')]);
    const withInfo = req('/app/a/b');
    translateWsgiAlias(withInfo, list);
    assert.equal(withInfo.fileHint, '/srv/app.wsgi');
    const slash = req('/app/');
    translateWsgiAlias(slash, list);
    assert.equal(slash.fileHint, '/srv/app.wsgi');
    const exact = req('/app');
    translateWsgiAlias(exact, list);
    assert.equal(exact.fileHint, undefined, 'nothing follows: the whole path is the script');
    const dir = req('/dir/x.wsgi/p');
    translateWsgiAlias(dir, list);
    assert.equal(dir.filename, '/srv/dir//x.wsgi/p'); // canonical later (map_to_storage)
    assert.equal(dir.fileHint, undefined, 'a directory target names no script');
    const root = req('/a/b');
    translateWsgiAlias(root, compileAliases([alias('/', '/srv/app.wsgi')]));
    assert.equal(root.fileHint, '/srv/app.wsgi');
  });
  it('matches on path-segment boundaries only', () => {
    assert.equal(aliasMatches('/app', '/app'), 4);
    assert.equal(aliasMatches('/app/a', '/app'), 4);
    assert.equal(aliasMatches('/apple', '/app'), 0);
    assert.equal(aliasMatches('/ws', '/ws/'), 0);
  });
  it('lets a run of slashes in the alias match a run in the URI', () => {
    assert.equal(aliasMatches('//app///x', '/app'), 5);
  });
  it('sets filename, handler and option notes; first alias in config order wins', () => {
    const r = req('/app/a/b');
    const out = translateWsgiAlias(
      r,
      compileAliases([
        alias('/app', '/srv/app.wsgi', { processGroup: 'g', passAuthorization: true }),
        alias('/app/a', '/srv/other.wsgi'),
      ]),
    );
    assert.equal(out, OK);
    assert.equal(r.filename, '/srv/app.wsgi/a/b');
    assert.equal(r.handler, 'wsgi-script');
    assert.equal(r.notes.get('mod_wsgi.process_group'), 'g');
    assert.equal(r.notes.get('mod_wsgi.pass_authorization'), '1');
    assert.equal(r.notes.has('mod_wsgi.application_group'), false);
  });
  it("appends the whole URI for a mount at '/'", () => {
    const r = req('/a/b');
    translateWsgiAlias(r, compileAliases([alias('/', '/srv/app.wsgi')]));
    assert.equal(r.filename, '/srv/app.wsgi/a/b');
  });
  it('substitutes $1 for WSGIScriptAliasMatch and declines when nothing matches', () => {
    const list = compileAliases([alias('^/wsgi/([^/]+)', '/srv/$1.wsgi', { regex: true })]);
    const r = req('/wsgi/foo/bar');
    assert.equal(translateWsgiAlias(r, list), OK);
    assert.equal(r.filename, '/srv/foo.wsgi/bar');
    assert.equal(translateWsgiAlias(req('/other'), list), DECLINED);
  });
});

describe('application group expansion', () => {
  const base = {
    serverHostname: 'localhost',
    serverPort: 18931,
    hostname: '127.0.0.1',
    uri: '/MiXed//X',
    pathInfo: '/X',
    notes: new Map<string, string>(),
    env: new Map([
      ['G', 'fromenv'],
      ['T', '%{GLOBAL}'],
    ]),
    processEnv: {},
  };
  it('defaults to %{RESOURCE}: ServerName:port|script name, lower-cased as mod_wsgi 4.9 does', () => {
    assert.equal(expandApplicationGroup(base, undefined), 'localhost:18931|/mixed');
  });
  it('omits port 80/443 and gives "" for %{GLOBAL}', () => {
    assert.equal(expandApplicationGroup({ ...base, serverPort: 80 }, '%{SERVER}'), 'localhost');
    assert.equal(expandApplicationGroup(base, '%{GLOBAL}'), '');
    assert.equal(expandApplicationGroup(base, '%{HOST}'), '127.0.0.1:18931');
  });
  it('resolves %{ENV:x}, re-expands a token value, keeps an unresolved token literal', () => {
    assert.equal(expandProcessGroup(base, '%{ENV:G}'), 'fromenv');
    assert.equal(expandProcessGroup(base, '%{ENV:T}'), '');
    assert.equal(expandProcessGroup(base, '%{ENV:NOPE}'), '%{ENV:NOPE}');
    assert.equal(expandProcessGroup(base, undefined), '');
    assert.equal(expandCallableObject(base, '%{ENV:NOPE}'), 'application');
  });
  it('finds where path_info starts despite slash runs', () => {
    assert.equal(findPathInfoStart('/app//a///b', '/a/b'), 4);
    assert.equal(findPathInfoStart('/ws/name/extra', '/extra'), 8);
  });
});
