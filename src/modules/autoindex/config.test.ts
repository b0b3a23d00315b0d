// mod_autoindex's directives read from real httpd.conf text, and merged as
// merge_autoindex_configs does.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { mergeBySpec } from '../../config/merge.js';
import { MODULES } from '../index.js';
import { autoindexDirMerge, createAutoindexDir } from './config.js';
import type { AutoindexDirConf } from './config.js';
import { Opt } from './options.js';

/** The autoindex slot of the server defaults and of each section, from conf text. */
function load(conf: string): { main: AutoindexDirConf; sections: AutoindexDirConf[] } {
  const dir = mkdtempSync(join(tmpdir(), 'autoindex-conf-'));
  try {
    writeFileSync(
      join(dir, 'httpd.conf'),
      `LoadModule autoindex_module modules/mod_autoindex.so\n${conf}`,
    );
    const ir = loadConfig({ file: join(dir, 'httpd.conf'), serverRoot: dir, modules: MODULES });
    const slot = (s: Record<string, unknown>): AutoindexDirConf =>
      (s['autoindex'] as AutoindexDirConf | undefined) ?? createAutoindexDir();
    return { main: slot(ir.main.dirDefaults), sections: ir.main.sections.map((s) => slot(s.dir)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const merge = (a: AutoindexDirConf, b: AutoindexDirConf): AutoindexDirConf =>
  mergeBySpec(autoindexDirMerge, a, b);

describe('AddIcon / AddAlt and friends', () => {
  it('records items with the section path, *name for plain names, and (ALT,icon) alts', () => {
    const { main, sections } = load(
      [
        'AddIcon (SND,/icons/sound2.gif) .ogg',
        'AddIcon /icons/folder.gif ^^DIRECTORY^^ **DIRECTORY**',
        'AddIconByType (TXT,/icons/text.gif) text/*',
        'AddIconByEncoding /icons/c.gif X-GZIP',
        '<Directory "/srv/www">',
        '  AddAlt "Pic" *.png',
        '</Directory>',
      ].join('\n'),
    );
    assert.deepEqual(
      main.icons.map((i) => [i.type, i.applyTo, i.applyPath, i.data]),
      [
        ['path', '*.ogg', '*', '/icons/sound2.gif'],
        ['path', '*^^DIRECTORY^^', '*', '/icons/folder.gif'],
        ['path', '*^^DIRECTORY^^', '*', '/icons/folder.gif'],
        ['type', 'text/*', '*', '/icons/text.gif'],
        ['encoding', 'x-gzip', '*', '/icons/c.gif'],
      ],
    );
    assert.deepEqual(
      main.alts.map((i) => [i.type, i.applyTo, i.data]),
      [
        ['path', '*.ogg', 'SND'],
        ['type', 'text/*', 'TXT'],
      ],
    );
    assert.deepEqual(
      sections[0]?.alts.map((i) => [i.applyTo, i.applyPath, i.data]),
      [['*.png', '/srv/www/*', 'Pic']],
    );
  });
  it('takes odd (ALT…) forms as add_icon does', () => {
    const { main } = load('AddIcon (ALT) .a\nAddIcon (A,,/i.gif) .b\n');
    assert.deepEqual(
      main.icons.map((i) => i.data),
      ['', '/i.gif'],
    );
    assert.deepEqual(
      main.alts.map((i) => i.data),
      ['ALT)', 'A'],
    );
  });
});

describe('the section path of an item (cmd->path)', () => {
  it('is a <Directory>’s canonical path with a slash, or any other section’s pattern', () => {
    const { sections } = load(
      [
        '<Directory /srv//www/../x>',
        '  IndexIgnore a',
        '</Directory>',
        '<Directory ~ "^/re">',
        '  IndexIgnore b',
        '</Directory>',
        '<DirectoryMatch "^/m">',
        '  IndexIgnore c',
        '</DirectoryMatch>',
        '<Location /url>',
        '  IndexIgnore d',
        '</Location>',
        '<Files "*.x">',
        '  IndexIgnore e',
        '</Files>',
      ].join('\n'),
    );
    assert.deepEqual(
      sections.map((s) => s.ignore.items[0]?.applyPath),
      ['/srv/x/*', '^/re*', '^/m*', '/url*', '*.x*'],
    );
  });
});

describe('AddDescription', () => {
  it('wraps patterns in *, a path pattern in */…*, and keeps plain names', () => {
    const { main } = load(
      'AddDescription "Plain" a.txt\nAddDescription "Glob" *.c\nAddDescription "Path" sub/x\n',
    );
    assert.deepEqual(
      main.descs.map((d) => [d.pattern, d.fullPath, d.wildcards]),
      [
        ['a.txt', false, false],
        ['**.c*', false, true],
        ['*/sub/x*', true, true],
      ],
    );
  });
});

describe('IndexIgnore / IndexIgnoreReset', () => {
  it('adds the inner list before the outer one, or replaces it under IndexIgnoreReset On', () => {
    const { main, sections } = load(
      [
        'IndexIgnore .??* *~',
        '<Directory /a>',
        '  IndexIgnore *.bak',
        '</Directory>',
        '<Directory /b>',
        '  IndexIgnoreReset On',
        '  IndexIgnore *.tmp',
        '</Directory>',
      ].join('\n'),
    );
    const [a, b] = sections;
    assert.ok(a !== undefined && b !== undefined);
    assert.deepEqual(
      merge(main, a).ignore.items.map((i) => [i.applyTo, i.applyPath]),
      [
        ['*.bak', '/a/*'],
        ['.??*', '*'],
        ['*~', '*'],
      ],
    );
    const mb = merge(main, b);
    assert.deepEqual(
      mb.ignore.items.map((i) => i.applyTo),
      ['*.tmp'],
    );
    assert.equal(mb.ignore.reset, false);
  });
});

describe('IndexOptions merging', () => {
  it('inherits incremental settings and lets absolute ones replace them', () => {
    const { main, sections } = load(
      [
        'IndexOptions FancyIndexing HTMLTable NameWidth=* Charset=UTF-8 IconHeight=9',
        '<Directory /a>',
        '  IndexOptions -HTMLTable +FoldersFirst',
        '</Directory>',
        '<Directory /b>',
        '  IndexOptions SuppressSize +IgnoreCase',
        '</Directory>',
        '<Directory /c>',
        '  IndexOptions None',
        '</Directory>',
      ].join('\n'),
    );
    const [a, b, c] = sections.map((s) => merge(main, s));
    const U = Opt.OPTION_UNSET;
    assert.equal(a?.bits.opts, U | Opt.FANCY_INDEXING | Opt.FOLDERS_FIRST);
    assert.deepEqual(a?.nameWidth, { width: 23, adjust: true });
    assert.equal(a?.charset, 'UTF-8');
    assert.equal(a?.iconHeight, 9);
    // httpd drops the +IgnoreCase of a line that also has absolute keywords.
    assert.equal(b?.bits.opts, U | Opt.SUPPRESS_SIZE);
    assert.equal(c?.bits.opts, Opt.NO_OPTIONS);
  });
  it('keeps IndexOrderDefault, HeaderName and the strings unless set again', () => {
    const { main, sections } = load(
      [
        'IndexOrderDefault Descending Date',
        'HeaderName HEADER.html',
        'IndexStyleSheet /s.css',
        '<Directory /a>',
        '  IndexOrderDefault ascending size',
        '  ReadmeName README',
        '  DefaultIcon /i.gif',
        '  IndexHeadInsert "<meta>"',
        '</Directory>',
      ].join('\n'),
    );
    assert.deepEqual([main.defaultDirection, main.defaultKey], ['D', 'M']);
    const a = merge(main, sections[0] ?? createAutoindexDir());
    assert.deepEqual(
      [
        a.defaultDirection,
        a.defaultKey,
        a.header,
        a.readme,
        a.styleSheet,
        a.defaultIcon,
        a.headInsert,
      ],
      ['A', 'S', 'HEADER.html', 'README', '/s.css', '/i.gif', '<meta>'],
    );
  });
});
