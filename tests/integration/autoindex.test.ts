// mod_autoindex (httpd modules/generators/mod_autoindex.c): directory listings on a real
// server, raw HTTP. Byte-for-byte equality with Apache is checked in tests/differential;
// here every behaviour and error path is pinned on tswsgi alone.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { RawConnection, rawRequest } from '../support/raw-http.js';
import { listingDate } from '../../src/modules/autoindex/format.js';
import { execFileSync } from 'node:child_process';

const CONF = `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule alias_module modules/mod_alias.so
LoadModule autoindex_module modules/mod_autoindex.so
ServerName localhost
TypesConfig /etc/mime.types
AddEncoding x-gzip .gz
DocumentRoot @DIR@/htdocs
<Directory />
  Require all denied
</Directory>
<Directory @DIR@/htdocs>
  Require all granted
  Options Indexes
</Directory>
<Directory @DIR@/htdocs/d/secret>
  Require all denied
</Directory>
<Directory @DIR@/htdocs/lnk>
  Options +FollowSymLinks
</Directory>
<Directory @DIR@/htdocs/noindexes>
  Options None
</Directory>
<Directory @DIR@/htdocs/ht>
  AllowOverride Indexes
</Directory>
<Directory @DIR@/htdocs/htno>
  AllowOverride None
</Directory>
Alias /fancy/ @DIR@/htdocs/d/
<Location /fancy/>
  IndexOptions FancyIndexing SuppressDescription
  AddIcon /icons/folder.gif ^^DIRECTORY^^
  DefaultIcon /icons/unknown.gif
</Location>
# Icons apply to files under the section's path: in a <Location> that path is the URL,
# which no file name matches (only the ^^…^^ specials work there), as in httpd.
<Directory @DIR@/htdocs/d>
  AddIcon /icons/text.gif .txt
  AddIconByEncoding (CMP,/icons/compressed.gif) x-gzip
</Directory>
<Location /fancy/>
  AddIcon /icons/never.gif .bin
</Location>
Alias /table/ @DIR@/htdocs/d/
<Location /table/>
  IndexOptions HTMLTable FancyIndexing ShowForbidden TrackModified
  IndexIgnore *.gz
</Location>
<Location /gone>
  ErrorDocument 404 /d/
</Location>
Alias /hr/ @DIR@/htdocs/hr/
<Location /hr/>
  HeaderName HEADER.txt
  ReadmeName README.html
</Location>
`;

const T = new Date(2026, 0, 2, 3, 4, 5);
const DATE = listingDate(T.getTime(), false);
const get = (path: string, method = 'GET'): string =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

describe('mod_autoindex listings', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(CONF, {
      'htdocs/d/a.txt': 'hello\n',
      'htdocs/lnk/real.txt': 'r',
      'htdocs/d/b.bin': 'x'.repeat(5000),
      'htdocs/d/c.tar.gz': 'gz',
      'htdocs/d/we ird&<n>.txt': 'w',
      'htdocs/d/.hidden': 'h',
      'htdocs/d/sub/x': 'x',
      'htdocs/d/secret/s': 's',
      'htdocs/noindexes/x': 'x',
      'htdocs/withindex/index.html': '<p>index</p>\n',
      'htdocs/hr/HEADER.txt': 'Head <b> & co\n',
      'htdocs/hr/README.html': '<p>readme</p>\n',
      'htdocs/ht/.htaccess': 'IndexOptions +FancyIndexing +SuppressSize\nIndexIgnore *.skip\n',
      'htdocs/ht/a.txt': 'a',
      'htdocs/ht/b.skip': 'b',
      'htdocs/htno/.htaccess': 'IndexIgnore *.skip\n',
    });
    mkdirSync(join(h.dir, 'htdocs/big'));
    for (let i = 0; i < 150; i++)
      writeFileSync(join(h.dir, `htdocs/big/file-number-${i}.dat`), 'x');
    // Without FollowSymLinks the entry's sub-request is refused, so the link is not listed.
    symlinkSync(join(h.dir, 'htdocs/d/a.txt'), join(h.dir, 'htdocs/d/link.txt'));
    symlinkSync(join(h.dir, 'htdocs/d/a.txt'), join(h.dir, 'htdocs/lnk/link.txt'));
    symlinkSync(join(h.dir, 'nowhere'), join(h.dir, 'htdocs/lnk/dangling'));
    for (const f of ['a.txt', 'b.bin', 'c.tar.gz', 'we ird&<n>.txt', 'sub', 'secret', '.hidden'])
      utimesSync(join(h.dir, 'htdocs/d', f), T, T);
    utimesSync(join(h.dir, 'htdocs/d'), T, T);
  });
  after(() => h.stop());

  it('lists a directory as a plain <ul>, names escaped, with httpd’s headers', async () => {
    const res = await rawRequest(h.port, get('/d/'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.headerNames, [
      'connection',
      'content-length',
      'content-type',
      'date',
      'server',
    ]);
    assert.equal(res.headers['content-type'], 'text/html;charset=ISO-8859-1');
    assert.equal(res.headers['content-length'], String(res.body.length));
    assert.equal(
      res.body.toString(),
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n' +
        '<html>\n <head>\n  <title>Index of /d</title>\n </head>\n <body>\n<h1>Index of /d</h1>\n' +
        '<ul><li><a href="/"> Parent Directory</a></li>\n' +
        '<li><a href=".hidden"> .hidden</a></li>\n' +
        '<li><a href="a.txt"> a.txt</a></li>\n' +
        '<li><a href="b.bin"> b.bin</a></li>\n' +
        '<li><a href="c.tar.gz"> c.tar.gz</a></li>\n' +
        '<li><a href="sub/"> sub/</a></li>\n' +
        '<li><a href="we%20ird&amp;%3cn%3e.txt"> we ird&amp;&lt;n&gt;.txt</a></li>\n' +
        '</ul>\n</body></html>\n',
    );
  });

  it('reads and drops a request body, keeping the connection usable', async () => {
    const conn = await RawConnection.open(h.port);
    try {
      conn.send('GET /d/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello');
      const first = await conn.read();
      assert.equal(first.status, 200);
      conn.send(get('/d/?F=1'));
      const second = await conn.read();
      assert.equal(second.status, 200);
      assert.ok(second.body.toString().includes('<pre>'));
    } finally {
      conn.close();
    }
  });

  it('keeps the error status when an ErrorDocument names a directory', async () => {
    const res = await rawRequest(h.port, get('/gone'));
    assert.equal(res.statusLine, 'HTTP/1.1 404 Not Found');
    assert.ok(res.body.toString().includes('<title>Index of /d</title>'));
  });

  it('answers HEAD with the headers only', async () => {
    const res = await rawRequest(h.port, get('/d/', 'HEAD'), { head: true });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html;charset=ISO-8859-1');
    assert.equal(res.headers['content-length'], undefined);
    assert.equal(res.body.length, 0);
  });

  it('draws FancyIndexing columns with icons by name, encoding and default', async () => {
    const res = await rawRequest(h.port, get('/fancy/?C=S;O=D'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], undefined, 'an entry’s encoding stays its own');
    const body = res.body.toString();
    assert.ok(body.includes('<pre>      <a href="?C=N;O=A">Name</a>                    '));
    assert.ok(body.includes('<a href="?C=S;O=A">Size</a>  <hr>'), 'the active column reverses');
    assert.ok(
      body.includes(
        `<img src="/icons/unknown.gif" alt="[   ]"> <a href="b.bin">b.bin</a>${' '.repeat(19)}${DATE}  4.9K  \n`,
      ),
    );
    assert.ok(body.includes('<img src="/icons/compressed.gif" alt="[CMP]"> <a href="c.tar.gz">'));
    assert.ok(body.includes('<img src="/icons/folder.gif" alt="[DIR]"> <a href="sub/">sub/</a>'));
    assert.ok(body.includes('<img src="/icons/text.gif" alt="[   ]"> <a href="a.txt">'));
    const names = [...body.matchAll(/<a href="([^"?]+)">/g)].map((m) => m[1]);
    assert.deepEqual(names, [
      '/',
      'b.bin',
      'a.txt',
      'c.tar.gz',
      // equal sizes: the names decide, reversed too
      'we%20ird&amp;%3cn%3e.txt',
      '.hidden',
      'sub/',
    ]);
    assert.ok(!body.includes('secret'), 'a forbidden entry is left out');
  });

  it('builds an HTMLTable, shows forbidden entries under ShowForbidden, and tracks mtime', async () => {
    const res = await rawRequest(h.port, get('/table/?F=2&V=1'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['last-modified'], T.toUTCString());
    assert.match(res.headers['etag'] ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/);
    const body = res.body.toString();
    assert.ok(body.includes('<th><a href="?C=N;O=D;F=2;V=1">Name</a></th>'));
    assert.ok(body.includes('   <tr><th colspan="5"><hr></th></tr>\n'));
    assert.ok(body.includes('<td><a href="secret/">secret/</a>'));
    // httpd: IndexIgnore in a <Location> is scoped by the URL, which no file name matches.
    assert.ok(body.includes('c.tar.gz'), 'IndexIgnore *.gz of a <Location>');
    assert.ok(body.includes(`<td align="right">${DATE}  </td><td align="right">4.9K</td>`));
  });

  it('filters by ?P= and ignores everything after a bad argument', async () => {
    const res = await rawRequest(h.port, get('/d/?P=*.txt;C=X;O=D'));
    const names = [...res.body.toString().matchAll(/<li><a href="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(names, ['/', 'a.txt', 'we%20ird&amp;%3cn%3e.txt']);
  });

  it('includes a text HeaderName escaped in <pre>, and an HTML ReadmeName as it is', async () => {
    const res = await rawRequest(h.port, get('/hr/'));
    assert.equal(res.status, 200);
    // The HTML sub-request's output is passed down early: no Content-Length, chunked.
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(res.headers['content-length'], undefined);
    const body = res.body.toString();
    assert.ok(body.includes(' <body>\n<pre>\nHead &lt;b&gt; &amp; co\n</pre>\n<ul>'), body);
    assert.ok(!body.includes('<h1>'));
    assert.ok(body.endsWith('</ul>\n<p>readme</p>\n</body></html>\n'), body);
  });

  it('goes chunked once the page outgrows httpd’s 8000-byte write buffer', async () => {
    const res = await rawRequest(h.port, get('/big/'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.ok(res.body.length > 8000);
    assert.equal([...res.body.toString().matchAll(/<li>/g)].length, 151);
  });

  it('applies IndexOptions and IndexIgnore from .htaccess under AllowOverride Indexes', async () => {
    const res = await rawRequest(h.port, get('/ht/'));
    assert.equal(res.status, 200);
    const body = res.body.toString();
    assert.ok(body.includes('<pre>'));
    assert.ok(!body.includes('b.skip'));
    assert.ok(!body.includes('Size</a>'));
    const no = await rawRequest(h.port, get('/htno/'));
    assert.equal(no.status, 200, '.htaccess not read under AllowOverride None');
  });

  it('follows symbolic links where FollowSymLinks allows, dropping dangling ones', async () => {
    const res = await rawRequest(h.port, get('/lnk/'));
    const names = [...res.body.toString().matchAll(/<li><a href="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(names, ['/', 'link.txt', 'real.txt']);
  });

  it('refuses a directory without Options Indexes: 403 and AH01276', async () => {
    const res = await rawRequest(h.port, get('/noindexes/'));
    assert.equal(res.status, 403);
    assert.match(res.body.toString(), /<title>403 Forbidden<\/title>/);
    const line = h.errorLog().find((l) => l.includes('AH01276'));
    assert.ok(line !== undefined, h.errorLog().join('\n'));
    assert.ok(
      line.includes(`[autoindex:error]`) &&
        line.endsWith(
          `AH01276: Cannot serve directory ${h.dir}/htdocs/noindexes/: No matching DirectoryIndex (index.html) found, and server-generated directory index forbidden by Options directive`,
        ),
      line,
    );
  });

  it('leaves a DirectoryIndex, the slash redirect and other methods to their owners', async () => {
    const idx = await rawRequest(h.port, get('/withindex/'));
    assert.equal(idx.body.toString(), '<p>index</p>\n');
    const slash = await rawRequest(h.port, get('/d'));
    assert.equal(slash.status, 301);
    assert.equal(slash.headers['location'], 'http://localhost/d/');
    const post = await rawRequest(h.port, get('/d/', 'POST'));
    assert.equal(post.status, 404);
  });
});

describe('mod_autoindex without mod_mime', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule dir_module modules/mod_dir.so
LoadModule autoindex_module modules/mod_autoindex.so
ServerName localhost
DocumentRoot @DIR@/htdocs
<Directory @DIR@/htdocs>
  Require all granted
  Options Indexes
</Directory>
`,
      { 'htdocs/d/a.txt': 'a' },
    );
  });
  after(() => h.stop());

  it('still lists: mod_dir hands an untyped directory to httpd/unix-directory', async () => {
    const res = await rawRequest(h.port, get('/d/'));
    assert.equal(res.status, 200);
    assert.ok(res.body.toString().includes('<li><a href="a.txt"> a.txt</a></li>\n'));
  });
});

describe('mod_autoindex: header, readme and HTML entries that are FIFOs', () => {
  let h: Harness;
  before(async () => {
    h = await startServer(
      `${CONF}
Alias /fifo/ @DIR@/htdocs/fifo/
<Location /fifo/>
  IndexOptions FancyIndexing ScanHTMLTitles
  HeaderName HEADER.txt
  ReadmeName README.html
</Location>
`,
      { 'htdocs/fifo/real.html': '<title>Real title</title>\n' },
    );
    for (const f of ['HEADER.txt', 'README.html', 'pipe.html'])
      execFileSync('mkfifo', [join(h.dir, 'htdocs/fifo', f)]);
  });
  after(() => h.stop());

  it('lists the directory at once, without the FIFOs and without reading them', async () => {
    const res = await rawRequest(h.port, get('/fifo/'));
    assert.equal(res.status, 200);
    const body = res.body.toString();
    assert.ok(!body.includes('<pre>\n'), 'a FIFO header was included');
    assert.ok(body.includes('<h1>Index of /fifo</h1>'), body);
    // The regular HTML file's title is scanned; FIFOs are not entries (their sub-requests
    // do not map a file), nor are header and readme read from them.
    assert.match(body, /<a href="real\.html">real\.html<\/a> +\S+ \S+ +\S+ +Real title\n/);
    assert.ok(!body.includes('pipe.html') && !body.includes('README.html'), body);
  });
});
