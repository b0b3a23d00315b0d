// mod_autoindex's part of the differential suite: the conf block, the directory tree
// (fixed mtimes, since listings show them) and the cases. Kept in one file so the shared
// apache.ts / cases.ts only gain one line each.
import assert from 'node:assert/strict';
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { header, type RawResponse } from './raw-client.js';

/**
 * Sections for @HTDOCS@/ai. /ai/deb/ carries Debian's mods-available/autoindex.conf
 * (IndexOptions, the AddIcon* table, DefaultIcon, HeaderName/ReadmeName, IndexIgnore), and
 * /icons/ is Debian's alias.conf.
 */
export const AUTOINDEX_CONF = `
# --- mod_autoindex (tests/differential/autoindex.ts) ---
Alias /icons/ "/usr/share/apache2/icons/"
<Directory "/usr/share/apache2/icons">
    Options FollowSymlinks
    AllowOverride None
    Require all granted
</Directory>
<Directory "@HTDOCS@/ai">
    Options Indexes
</Directory>
<Directory "@HTDOCS@/ai/plain/denied">
    Require all denied
</Directory>
<Directory "@HTDOCS@/ai/noidx">
    Options None
    DirectoryIndex index.html index.htm
</Directory>
<Directory "@HTDOCS@/ai/deb">
    IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* DescriptionWidth=* Charset=UTF-8
    AddIconByEncoding (CMP,/icons/compressed.gif) x-compress x-gzip x-bzip2
    AddIconByType (TXT,/icons/text.gif) text/*
    AddIconByType (IMG,/icons/image2.gif) image/*
    AddIconByType (SND,/icons/sound2.gif) audio/*
    AddIconByType (VID,/icons/movie.gif) video/*
    AddIcon /icons/binary.gif .bin .exe
    AddIcon /icons/binhex.gif .hqx
    AddIcon /icons/tar.gif .tar
    AddIcon /icons/world2.gif .wrl .wrl.gz .vrml .vrm .iv
    AddIcon /icons/compressed.gif .Z .z .tgz .gz .zip
    AddIcon /icons/a.gif .ps .ai .eps
    AddIcon /icons/layout.gif .html .shtml .htm .pdf
    AddIcon /icons/text.gif .txt
    AddIcon /icons/c.gif .c
    AddIcon /icons/p.gif .pl .py
    AddIcon /icons/f.gif .for
    AddIcon /icons/dvi.gif .dvi
    AddIcon /icons/uuencoded.gif .uu
    AddIcon /icons/script.gif .conf .sh .shar .csh .ksh .tcl
    AddIcon /icons/tex.gif .tex
    AddIcon /icons/bomb.gif /core
    AddIcon (SND,/icons/sound2.gif) .ogg
    AddIcon (VID,/icons/movie.gif) .ogm
    AddIcon /icons/back.gif ..
    AddIcon /icons/hand.right.gif README
    AddIcon /icons/folder.gif ^^DIRECTORY^^
    AddIcon /icons/blank.gif ^^BLANKICON^^
    AddIcon /icons/odf6odt-20x22.png .odt
    DefaultIcon /icons/unknown.gif
    ReadmeName README.html
    HeaderName HEADER.html
    IndexIgnore .??* *~ *# RCS CVS *,v *,t
    AddEncoding x-gzip .gz
</Directory>
<Directory "@HTDOCS@/ai/opts">
    IndexOptions FancyIndexing SuppressRules IconsAreLinks XHTML IconWidth IconHeight=16
    IndexOptions ScanHTMLTitles FoldersFirst IgnoreCase UseOldDateFormat NameWidth=12
    IndexStyleSheet "/style.css"
    IndexHeadInsert "<meta name=\\"robots\\" content=\\"noindex\\">"
    AddDescription "The <b>first</b> one" a.txt
    AddDescription "C source" *.c
    AddIcon /icons/text.gif .txt
    AddIcon /icons/folder.gif ^^DIRECTORY^^
    AddAlt "Text!" *.txt
    HeaderName HEADER.txt
    ReadmeName FOOTER.txt
    IndexOrderDefault Descending Name
</Directory>
<Directory "@HTDOCS@/ai/forbid">
    IndexOptions HTMLTable ShowForbidden AddAltClass SuppressLastModified IgnoreClient
    IndexStyleSheet /s.css
    AddAlt "Txt" *.txt
    IndexOrderDefault Descending Size
</Directory>
<Location /ai-missing>
    ErrorDocument 404 /ai/plain/
</Location>
<Directory "@HTDOCS@/ai/forbid/no">
    Require all denied
</Directory>
`;

/** Files under @HTDOCS@/ai (path → content); directories come from the paths. */
const AI_FILES: Readonly<Record<string, string>> = {
  'plain/a.txt': 'hello\n',
  'plain/b.bin': 'x'.repeat(5000),
  'plain/file9.txt': '9',
  'plain/file10.txt': '10',
  'plain/File2.TXT': 'F',
  'plain/we ird&<n>.txt': 'w',
  'plain/a:b.txt': 'colon',
  'plain/caf\u00e9.txt': 'utf-8 name',
  'plain/.hidden': 'h',
  'plain/sub/x': 'x',
  'plain/denied/x': 'd',
  'noidx/x.txt': 'x',
  'deb/README.html': '<p>The readme.</p>\n',
  'deb/HEADER.html': '<h2>Debian-style header &amp; more</h2>\n',
  'deb/notes.txt': 'notes\n',
  'deb/pkg.tar.gz': 'gz',
  'deb/image.png': 'png',
  'deb/tool.bin': 'b'.repeat(123456),
  'deb/doc.odt': 'odt',
  'deb/script.sh': '#!/bin/sh\n',
  'deb/v1.10.tar': 't',
  'deb/v1.9.tar': 't',
  'deb/backup~': 'ignored',
  'deb/.hidden': 'ignored',
  'deb/sub/y': 'y',
  'opts/a.txt': 'a',
  'opts/B.txt': 'b',
  'opts/main.c': 'int main;',
  'opts/page.html': '<html><head><title>A\nTitled Page</title></head></html>',
  'opts/a-rather-long-file-name.txt': 'long',
  'opts/HEADER.txt': 'Header <text> & more\n',
  'opts/FOOTER.txt': 'Footer line\n',
  'opts/zdir/z': 'z',
  'forbid/a.txt': 'aaaa',
  'forbid/b.txt': 'b',
  'forbid/no/x': 'x',
};

/** Build @HTDOCS@/ai: files 644, dirs 755, every mtime fixed (deepest first). */
export async function prepareAutoindexTree(htdocs: string): Promise<void> {
  const root = join(htdocs, 'ai');
  const dirs = new Set<string>([root]);
  for (const [rel, text] of Object.entries(AI_FILES)) {
    const p = join(root, rel);
    for (let d = dirname(p); d.startsWith(root); d = dirname(d)) dirs.add(d);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, text, { mode: 0o644 });
    await chmod(p, 0o644);
  }
  await symlink('a.txt', join(root, 'plain', 'link.txt')); // no FollowSymLinks: not listed
  const t = new Date('2026-01-02T03:04:05Z');
  const later = new Date('2026-02-03T04:05:06Z');
  for (const rel of Object.keys(AI_FILES)) await utimes(join(root, rel), t, t);
  // Different dates for ?C=M.
  await utimes(join(root, 'deb', 'notes.txt'), later, later);
  await utimes(join(root, 'opts', 'B.txt'), later, later);
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    await chmod(d, 0o755);
    await utimes(d, t, t);
  }
}

const html = (r: RawResponse): string => r.body.toString('latin1');

/** The differential cases for mod_autoindex (appended to CASES). */
export const AUTOINDEX_CASES = [
  {
    name: 'autoindex: GET /ai/plain/ lists as a <ul>: escaped names, forbidden entry and link left out',
    path: '/ai/plain/',
    expectStatus: 200,
    check: (r: RawResponse) => {
      assert.equal(header(r, 'Content-Type'), 'text/html;charset=ISO-8859-1');
      assert.match(
        html(r),
        /<li><a href="we%20ird&amp;%3cn%3e.txt"> we ird&amp;&lt;n&gt;.txt<\/a><\/li>/,
      );
      assert.match(html(r), /<a href="\.\/a:b.txt">/);
      assert.doesNotMatch(html(r), /denied|link\.txt/);
    },
  },
  {
    name: 'autoindex: GET /ai/plain/?C=N;O=D sorts by name, descending',
    path: '/ai/plain/?C=N;O=D',
    expectStatus: 200,
  },
  {
    name: 'autoindex: GET /ai/plain/?F=1&V=1 is FancyIndexing with version sort',
    path: '/ai/plain/?F=1&V=1',
    expectStatus: 200,
    check: (r: RawResponse) => {
      assert.match(html(r), /<pre>/);
      assert.ok(html(r).indexOf('file9.txt') < html(r).indexOf('file10.txt'));
    },
  },
  {
    name: 'autoindex: GET /ai/plain/?F=2;C=S;O=D is an HTMLTable by size, descending',
    path: '/ai/plain/?F=2;C=S;O=D',
    expectStatus: 200,
    check: (r: RawResponse) => {
      assert.match(html(r), /<table>/);
    },
  },
  {
    name: 'autoindex: GET /ai/plain/?P=*.txt&F=1 lists only what the pattern matches',
    path: '/ai/plain/?P=*.txt&F=1',
    expectStatus: 200,
  },
  {
    name: 'autoindex: HEAD /ai/plain/ answers the headers only',
    method: 'HEAD',
    path: '/ai/plain/',
    expectStatus: 200,
  },
  {
    name: 'autoindex: GET /ai/deb/ with Debian’s autoindex.conf: icons, ignores, header and readme',
    path: '/ai/deb/',
    expectStatus: 200,
    check: (r: RawResponse) => {
      assert.equal(header(r, 'Content-Type'), 'text/html;charset=UTF-8');
      // The HTML Header/Readme ran as sub-requests: the page went out chunked.
      assert.equal(header(r, 'Transfer-Encoding'), 'chunked');
      assert.match(html(r), /<img src="\/icons\/compressed.gif" alt="\[CMP\]">/);
      assert.match(html(r), /<img src="\/icons\/back.gif" alt="\[PARENTDIR\]">/);
      assert.match(html(r), /<h2>Debian-style header &amp; more<\/h2>/);
      assert.doesNotMatch(html(r), /backup~|\.hidden|<h1>/);
    },
  },
  {
    name: 'autoindex: GET /ai/deb/?C=M;O=D sorts the Debian table by date',
    path: '/ai/deb/?C=M;O=D',
    expectStatus: 200,
  },
  {
    name: 'autoindex: GET /ai/opts/ with ScanHTMLTitles, descriptions, XHTML and text header/footer',
    path: '/ai/opts/',
    expectStatus: 200,
    check: (r: RawResponse) => {
      assert.match(html(r), /<pre>\nHeader &lt;text&gt; &amp; more\n<\/pre>/);
      assert.match(html(r), /A Titled Page/);
    },
  },
  {
    name: 'autoindex: GET /ai/forbid/ shows the forbidden entry under ShowForbidden, ignores the client',
    path: '/ai/forbid/?C=N;O=A',
    expectStatus: 200,
    check: (r: RawResponse) => {
      assert.match(html(r), /<a href="no\/">no\/<\/a>/);
      assert.match(html(r), /<tr class="odd-txt">/);
    },
  },
  {
    name: 'autoindex: GET /ai/noidx/ without Options Indexes is 403 (AH01276)',
    path: '/ai/noidx/',
    expectStatus: 403,
    logs: [
      /\[autoindex:error\].*AH01276: Cannot serve directory \S*\/ai\/noidx\/: No matching DirectoryIndex \(index.html,index.htm\) found, and server-generated directory index forbidden by Options directive/,
    ],
  },
  {
    name: 'autoindex: GET /icons/ (Debian: Options FollowSymlinks only) is 403',
    path: '/icons/',
    expectStatus: 403,
    logs: [
      /AH01276: Cannot serve directory \/usr\/share\/apache2\/icons\/: No matching DirectoryIndex \(index.html\)/,
    ],
  },
  {
    name: 'autoindex: GET /icons/folder.gif serves the icon through Debian’s Alias',
    path: '/icons/folder.gif',
    expectStatus: 200,
  },
  {
    name: 'autoindex: GET /ai-missing: an ErrorDocument listing a directory keeps the 404',
    path: '/ai-missing',
    expectStatus: 404,
    check: (r: RawResponse) => {
      assert.match(html(r), /<title>Index of \/ai\/plain<\/title>/);
    },
  },
  {
    name: 'autoindex: GET /ai/plain redirects to the slash first (mod_dir)',
    path: '/ai/plain',
    expectStatus: 301,
  },
  {
    name: 'autoindex: POST /ai/plain/ is not listed (the default handler answers 404)',
    method: 'POST',
    path: '/ai/plain/',
    body: 'x=1',
    expectStatus: 404,
  },
];
