// .htaccess files (httpd: ap_directory_walk + ap_parse_htaccess). Each case below was sent
// to apache2 2.4 with the same files and AllowOverride lines first; status and the log line
// here are what it answered. The differential suite compares a subset byte for byte.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';
import type { RawResponse } from '../support/raw-http.js';
import { WSGI_PREAMBLE, app } from '../support/wsgi.js';

const CONF = `${WSGI_PREAMBLE}
LoadModule dir_module modules/mod_dir.so
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Options FollowSymLinks
  AllowOverride All
  Require all granted
</Directory>
<Directory @DIR@/htdocs/fileinfo>
  AllowOverride FileInfo
</Directory>
<Directory @DIR@/htdocs/optlist>
  AllowOverride Options=Indexes
</Directory>
<Directory @DIR@/htdocs/optall>
  AllowOverride Options
</Directory>
<Directory @DIR@/htdocs/nonfatal>
  AllowOverride Nonfatal=All FileInfo
</Directory>
<Directory @DIR@/htdocs/none>
  AllowOverride None
</Directory>
<Directory @DIR@/htdocs/auth>
  AllowOverride AuthConfig
</Directory>
<Directory @DIR@/htdocs/listed>
  AllowOverride None
  AllowOverrideList SetEnv
</Directory>
`;

/** Directory → .htaccess text; each directory also gets x.txt ("<dir> x") and y.txt. */
const ACCESS: Readonly<Record<string, string>> = {
  deny: 'Require all denied\n',
  bogus: '# a comment\nBogus x\n',
  fileinfo: 'Options -Indexes\n',
  optlist: 'Options FollowSymLinks\n',
  optall: 'Options +MultiViews\n',
  files: '<Files x.txt>\n  Require all denied\n</Files>\n',
  nonfatal: 'Bogus x\nRequire all denied\nSetEnv A b\n',
  none: 'Require all denied\n',
  auth: 'Require all denied\n',
  'auth/in': 'Require all granted\n',
  listed: 'SetEnv FOO bar\nRedirect /listed/x.txt /x\n',
  section: '<Directory /tmp>\n</Directory>\n',
  include: 'Include /etc/hostname\n',
  define: 'Define X 1\n',
  unclosed: '<Files a>\nRequire all denied\n',
  allowoverride: 'AllowOverride None\n',
  args: 'SetEnv\n',
  undef: 'SetEnv A ${TSWSGI_HT_UNDEFINED}\nRequire all denied\n',
  ifmodule:
    '<IfModule mod_nothere.c>\nBogus\n</IfModule>\n<IfModule mod_env.c>\nRequire all denied\n</IfModule>\n',
  index: 'DirectoryIndex y.txt\n',
  app: 'SetHandler wsgi-script\nOptions +ExecCGI\nSetEnv HT_VAR from-htaccess\n',
  nolinks: 'Options -FollowSymLinks\n',
  change: 'Require all denied\n',
};

const files = (): Record<string, string> => {
  const out: Record<string, string> = { 'htdocs/plain.txt': 'plain\n' };
  for (const [d, text] of Object.entries(ACCESS)) {
    out[`htdocs/${d}/.htaccess`] = text;
    out[`htdocs/${d}/x.txt`] = `${d} x\n`;
    out[`htdocs/${d}/y.txt`] = `${d} y\n`;
  }
  out['htdocs/app/dump.wsgi'] = app('dump.wsgi');
  return out;
};

const get = (h: Harness, path: string): Promise<RawResponse> =>
  rawRequest(h.port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);

/** The error-log line matching `re`, or a failure listing the log. */
function logged(h: Harness, re: RegExp): string {
  const line = h.errorLog().find((l) => re.test(l));
  assert.ok(line !== undefined, `no log line ${String(re)} in:\n${h.errorLog().join('\n')}`);
  return line;
}

describe('.htaccess files', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, files());
    symlinkSync(join(h.dir, 'htdocs/plain.txt'), join(h.dir, 'htdocs/nolinks/link.txt'));
    mkdirSync(join(h.dir, 'htdocs/notfile/.htaccess'), { recursive: true });
    writeFileSync(join(h.dir, 'htdocs/notfile/x.txt'), 'notfile x\n');
  });
  after(() => h.stop());

  it('applies Require from the file: 403, and the file is never served', async () => {
    const res = await get(h, '/deny/x.txt');
    assert.equal(res.statusLine, 'HTTP/1.1 403 Forbidden');
    assert.doesNotMatch(res.body.toString(), /deny x/);
    logged(
      h,
      /\[authz_core:error\] .*AH01630: client denied by server configuration: \S*\/htdocs\/deny\/x\.txt$/,
    );
  });

  it('answers 500 for an unknown directive, logging the file and httpd message at alert', async () => {
    const res = await get(h, '/bogus/x.txt');
    assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error');
    logged(
      h,
      /\[core:alert\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] \S*\/htdocs\/bogus\/\.htaccess: Invalid command 'Bogus', perhaps misspelled or defined by a module not included in the server configuration$/,
    );
  });

  it('refuses a directive whose class AllowOverride does not grant (Options under FileInfo)', async () => {
    assert.equal(
      (await get(h, '/fileinfo/x.txt')).statusLine,
      'HTTP/1.1 500 Internal Server Error',
    );
    logged(h, /\S*\/htdocs\/fileinfo\/\.htaccess: Options not allowed here$/);
  });

  it('limits Options to the AllowOverride Options=… list', async () => {
    assert.equal((await get(h, '/optlist/x.txt')).statusLine, 'HTTP/1.1 500 Internal Server Error');
    logged(h, /\/htdocs\/optlist\/\.htaccess: Option FollowSymLinks not allowed here$/);
  });

  it('takes a bare AllowOverride Options as Options=All, which leaves MultiViews out', async () => {
    assert.equal((await get(h, '/optall/x.txt')).statusLine, 'HTTP/1.1 500 Internal Server Error');
    logged(h, /\/htdocs\/optall\/\.htaccess: Option MultiViews not allowed here$/);
  });

  it('applies <Files> sections written in the file to the file walk', async () => {
    assert.equal((await get(h, '/files/x.txt')).statusLine, 'HTTP/1.1 403 Forbidden');
    const y = await get(h, '/files/y.txt');
    assert.equal(y.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(y.body.toString(), 'files y\n');
  });

  it('logs and skips what Nonfatal=All covers, applying the rest', async () => {
    const res = await get(h, '/nonfatal/x.txt');
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'nonfatal x\n');
    logged(
      h,
      /\[core:warn\] \[pid \d+:tid \d+\] AH02296: Unknown directive bogus perhaps misspelled or defined by a module not included in the server configuration$/,
    );
    logged(
      h,
      /\[core:warn\] \[pid \d+:tid \d+\] AH02295: Require in \.htaccess forbidden by AllowOverride$/,
    );
  });

  it('does not read the file where AllowOverride is None', async () => {
    const res = await get(h, '/none/x.txt');
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'none x\n');
  });

  it('merges a deeper file over a shallower one', async () => {
    assert.equal((await get(h, '/auth/x.txt')).statusLine, 'HTTP/1.1 403 Forbidden');
    const inner = await get(h, '/auth/in/x.txt');
    assert.equal(inner.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(inner.body.toString(), 'auth/in x\n');
  });

  it('allows what AllowOverrideList names and nothing else', async () => {
    assert.equal((await get(h, '/listed/x.txt')).statusLine, 'HTTP/1.1 500 Internal Server Error');
    logged(h, /\/htdocs\/listed\/\.htaccess: Redirect not allowed here$/);
  });

  it('refuses sections, read-time and server-only directives with httpd messages', async () => {
    const cases: [string, RegExp][] = [
      ['section', /\/htdocs\/section\/\.htaccess: <Directory not allowed here$/],
      ['include', /\/htdocs\/include\/\.htaccess: Include not allowed here$/],
      ['define', /\/htdocs\/define\/\.htaccess: Define not allowed here$/],
      ['allowoverride', /\/htdocs\/allowoverride\/\.htaccess: AllowOverride not allowed here$/],
      [
        'unclosed',
        /\/htdocs\/unclosed\/\.htaccess: \S*\/htdocs\/unclosed\/\.htaccess:1: <Files> was not closed\.$/,
      ],
      [
        'args',
        /\/htdocs\/args\/\.htaccess: SetEnv takes 1-2 arguments, an environment variable name and optional value to pass to CGI\.$/,
      ],
    ];
    for (const [d, re] of cases) {
      const res = await get(h, `/${d}/x.txt`);
      assert.equal(res.statusLine, 'HTTP/1.1 500 Internal Server Error', d);
      assert.doesNotMatch(res.body.toString(), new RegExp(`${d} x`));
      logged(h, re);
    }
  });

  it('warns on an undefined ${VAR} (AH00111) and applies the rest', async () => {
    assert.equal((await get(h, '/undef/x.txt')).statusLine, 'HTTP/1.1 403 Forbidden');
    logged(h, /\[core:warn\] .*AH00111: Config variable \$\{TSWSGI_HT_UNDEFINED\} is not defined$/);
  });

  it('evaluates <IfModule> against the modules the server loaded', async () => {
    assert.equal((await get(h, '/ifmodule/x.txt')).statusLine, 'HTTP/1.1 403 Forbidden');
  });

  it('takes DirectoryIndex from the file', async () => {
    const res = await get(h, '/index/');
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(res.body.toString(), 'index y\n');
  });

  it('runs a WSGI script that SetHandler and Options +ExecCGI in the file allow, with SetEnv', async () => {
    const res = await get(h, '/app/dump.wsgi/more?q=1');
    assert.equal(res.statusLine, 'HTTP/1.1 200 OK');
    const env = (JSON.parse(res.body.toString()) as { environ: Record<string, unknown> }).environ;
    assert.equal(env['HT_VAR'], 'from-htaccess');
    assert.equal(env['SCRIPT_NAME'], '/app/dump.wsgi');
    assert.equal(env['PATH_INFO'], '/more');
    assert.equal(env['QUERY_STRING'], 'q=1');
  });

  it('applies Options -FollowSymLinks from the file to the links below it', async () => {
    const res = await get(h, '/nolinks/link.txt');
    assert.equal(res.statusLine, 'HTTP/1.1 403 Forbidden');
    assert.doesNotMatch(res.body.toString(), /plain/);
    logged(
      h,
      /AH00037: Symbolic link not allowed or link target not accessible: \S*\/htdocs\/nolinks\/link\.txt$/,
    );
  });

  it('answers 403 with AH00529 when the access file is not a regular file', async () => {
    const res = await get(h, '/notfile/x.txt');
    assert.equal(res.statusLine, 'HTTP/1.1 403 Forbidden');
    assert.doesNotMatch(res.body.toString(), /notfile x/);
    logged(
      h,
      /\[core:error\] .*AH00554: Access to file \S*\/htdocs\/notfile\/\.htaccess denied by server: not a regular file$/,
    );
    logged(
      h,
      /\[core:crit\] \[pid \d+:tid \d+\] \(9\)Bad file descriptor: \[client 127\.0\.0\.1:\d+\] AH00529: \S*\/htdocs\/notfile\/\.htaccess pcfg_openfile: unable to check htaccess file, ensure it is readable and that '\S*\/htdocs\/notfile\/' is executable$/,
    );
  });

  it('sees an edited or removed file on the next request', async () => {
    const file = join(h.dir, 'htdocs/change/.htaccess');
    assert.equal((await get(h, '/change/x.txt')).statusLine, 'HTTP/1.1 403 Forbidden');
    writeFileSync(file, '# now open\nRequire all granted\n');
    const open = await get(h, '/change/x.txt');
    assert.equal(open.statusLine, 'HTTP/1.1 200 OK');
    assert.equal(open.body.toString(), 'change x\n');
    writeFileSync(file, 'Bogus\n');
    assert.equal((await get(h, '/change/x.txt')).statusLine, 'HTTP/1.1 500 Internal Server Error');
    rmSync(file);
    assert.equal((await get(h, '/change/x.txt')).statusLine, 'HTTP/1.1 200 OK');
  });
});

describe('AccessFileName', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${WSGI_PREAMBLE}
AccessFileName .acl .htaccess
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  AllowOverride AuthConfig
  Require all granted
</Directory>
`,
      {
        'htdocs/first/.acl': 'Require all denied\n',
        'htdocs/first/.htaccess': 'Require all granted\n',
        'htdocs/first/x.txt': 'first\n',
        'htdocs/second/.htaccess': 'Require all denied\n',
        'htdocs/second/x.txt': 'second\n',
      },
    );
  });
  after(() => h.stop());

  it('reads the first name that exists, and only that one', async () => {
    assert.equal((await get(h, '/first/x.txt')).statusLine, 'HTTP/1.1 403 Forbidden');
    assert.equal((await get(h, '/second/x.txt')).statusLine, 'HTTP/1.1 403 Forbidden');
  });
});
