// output_directories on hand-made entries: every column switch of the three layouts.
// (Whole pages are compared with Apache in tests/differential.)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAutoindexDir } from './config.js';
import type { AiItem, AutoindexDirConf } from './config.js';
import type { Entry } from './entries.js';
import { listingDate } from './format.js';
import { outputDirectories } from './listing.js';
import { Opt } from './options.js';

const LM = new Date(2026, 0, 2, 3, 4, 5).getTime();
const DATE = listingDate(LM, false);
const ent = (name: string, o: Partial<Entry> = {}): Entry => ({
  name,
  icon: undefined,
  alt: undefined,
  desc: undefined,
  size: -1,
  lm: -1,
  isdir: false,
  ...o,
});
const ENTRIES: Entry[] = [
  ent('/up/', { alt: 'PARENTDIR', icon: '/i/back.gif' }),
  ent('a.txt', { size: 6, lm: LM, alt: 'TXT', icon: '/i/t.gif', desc: 'A <b>bold</b> text' }),
  ent('a-very-long-file-name-indeed.bin', { size: 5000, lm: LM }),
];
const blank: AiItem = {
  type: 'path',
  applyTo: '*^^BLANKICON^^',
  applyPath: '*',
  data: '/i/blank.gif',
};
const conf = (o: Partial<AutoindexDirConf> = {}): AutoindexDirConf => ({
  ...createAutoindexDir(),
  ...o,
});
const view = (opts: number, colargs = '') => ({ opts, key: 'N', direction: 'A', colargs });

describe('outputDirectories', () => {
  it('plain: a <ul> of links', () => {
    assert.equal(
      outputDirectories(ENTRIES, conf(), view(0)),
      '<ul><li><a href="/up/"> Parent Directory</a></li>\n' +
        '<li><a href="a.txt"> a.txt</a></li>\n' +
        '<li><a href="a-very-long-file-name-indeed.bin"> a-very-long-file-name-indeed.bin</a></li>\n' +
        '</ul>\n',
    );
  });

  it('fancy: padded columns, cut names, blank icon header, sort links', () => {
    const out = outputDirectories(
      ENTRIES,
      conf({ icons: [blank], defaultIcon: '/i/unknown.gif' }),
      view(Opt.FANCY_INDEXING, ';F=1'),
    );
    const lines = out.split('\n');
    assert.equal(
      lines[0],
      '<pre><img src="/i/blank.gif" alt="Icon "> <a href="?C=N;O=D;F=1">Name</a>' +
        ' '.repeat(19) +
        ' <a href="?C=M;O=A;F=1">Last modified</a>      <a href="?C=S;O=A;F=1">Size</a>  ' +
        '<a href="?C=D;O=A;F=1">Description</a><hr><img src="/i/back.gif" alt="[PARENTDIR]"> ' +
        '<a href="/up/">Parent Directory</a>' +
        ' '.repeat(8) +
        ' '.repeat(19) +
        '  -   ',
    );
    assert.equal(
      lines[1],
      `<img src="/i/t.gif" alt="[TXT]"> <a href="a.txt">a.txt</a>${' '.repeat(19)}${DATE}    6   A <b>bold</b> text`,
    );
    assert.equal(
      lines[2],
      `<img src="/i/unknown.gif" alt="[   ]"> <a href="a-very-long-file-name-indeed.bin">a-very-long-file-nam..&gt;</a> ${DATE}  4.9K  `,
    );
    assert.equal(lines[3], '<hr></pre>');
  });

  it('fancy: suppressed columns, rules and icons, IconsAreLinks, XHTML, sizes, widths', () => {
    const d = conf({ iconWidth: 20, iconHeight: 22, nameWidth: { width: 23, adjust: true } });
    const out = outputDirectories(
      ENTRIES,
      d,
      view(
        Opt.FANCY_INDEXING |
          Opt.SUPPRESS_RULES |
          Opt.ICONS_ARE_LINKS |
          Opt.EMIT_XHTML |
          Opt.SUPPRESS_LAST_MOD |
          Opt.SUPPRESS_SIZE |
          Opt.SUPPRESS_COLSORT,
      ),
    );
    assert.ok(out.startsWith('<pre>      Name' + ' '.repeat(28) + ' Description\n'), out);
    assert.ok(
      out.includes(
        '<a href="a.txt"><img src="/i/t.gif" alt="[TXT]" width="20" height="22" /></a> <a href="a.txt">a.txt</a>',
      ),
    );
    assert.ok(out.includes('a-very-long-file-name-indeed.bin</a>'), 'NameWidth=* does not cut');
    assert.ok(out.endsWith('</pre>\n'));
    const bare = outputDirectories(ENTRIES, conf(), view(Opt.FANCY_INDEXING | Opt.SUPPRESS_ICON));
    assert.ok(bare.startsWith('<pre><a href="?C=N;O=D">Name</a>'));
    assert.ok(bare.includes('\n<a href="a.txt">a.txt</a>'));
  });

  it('fancy: descriptions cut to the width, widened by suppressed columns', () => {
    const long = [ent('x', { desc: 'abcdefghijklmnopqrstuvwxyz0123456789', lm: LM, size: 1 })];
    const cut = outputDirectories(long, conf(), view(Opt.FANCY_INDEXING));
    assert.ok(cut.includes('  abcdefghijklmnopqrstuv>\n'), cut);
    const wide = outputDirectories(
      long,
      conf(),
      view(Opt.FANCY_INDEXING | Opt.SUPPRESS_ICON | Opt.SUPPRESS_SIZE),
    );
    assert.ok(wide.includes('abcdefghijklmnopqrstuvwxyz0123456789\n'), wide);
    const fixed = outputDirectories(
      long,
      conf({ descWidth: { width: 23, adjust: false } }),
      view(Opt.FANCY_INDEXING | Opt.SUPPRESS_ICON | Opt.SUPPRESS_SIZE),
    );
    assert.ok(fixed.includes('abcdefghijklmnopqrstuv>\n'), fixed);
    const adjust = outputDirectories(
      long,
      conf({ descWidth: { width: 23, adjust: true } }),
      view(Opt.FANCY_INDEXING),
    );
    assert.ok(adjust.includes('abcdefghijklmnopqrstuvwxyz0123456789\n'), adjust);
  });

  it('table: header row, break rows, right-aligned cells, &nbsp; for what is missing', () => {
    const out = outputDirectories(ENTRIES, conf(), view(Opt.FANCY_INDEXING | Opt.TABLE_INDEXING));
    assert.ok(
      out.startsWith(
        '  <table>\n   <tr><th valign="top">&nbsp;</th><th><a href="?C=N;O=D">Name</a></th>' +
          '<th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th>' +
          '<th><a href="?C=D;O=A">Description</a></th></tr>\n   <tr><th colspan="5"><hr></th></tr>\n',
      ),
      out,
    );
    assert.ok(
      out.includes(
        '<tr><td valign="top"><img src="/i/back.gif" alt="[PARENTDIR]"></td><td><a href="/up/">Parent Directory</a>       </td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>\n',
      ),
      out,
    );
    assert.ok(
      out.includes(
        `<td><a href="a.txt">a.txt</a>${' '.repeat(18)}</td><td align="right">${DATE}  </td><td align="right">  6 </td><td>A <b>bold</b> text</td></tr>`,
      ),
    );
    assert.ok(
      out.includes(
        '<td valign="top">&nbsp;</td><td><a href="a-very-long-file-name-indeed.bin">a-very-long-file-nam..&gt;</a></td>',
      ),
    );
    assert.ok(out.endsWith('   <tr><th colspan="5"><hr></th></tr>\n</table>\n'));
  });

  it('table with a style sheet: classes, odd/even rows, AddAltClass, XHTML, no rules', () => {
    const d = conf({
      styleSheet: '/s.css',
      icons: [blank],
      nameWidth: { width: 23, adjust: true },
      descWidth: { width: 23, adjust: true },
      iconWidth: 5,
    });
    const out = outputDirectories(
      ENTRIES,
      d,
      view(
        Opt.TABLE_INDEXING |
          Opt.ADDALTCLASS |
          Opt.EMIT_XHTML |
          Opt.ICONS_ARE_LINKS |
          Opt.SUPPRESS_LAST_MOD,
      ),
    );
    assert.ok(
      out.startsWith(
        '  <table id="indexlist">\n   <tr class="indexhead"><th class="indexcolicon"><img src="/i/blank.gif" alt="[ICO]" width="5" /></th>' +
          '<th class="indexcolname"><a href="?C=N;O=D">Name</a></th><th class="indexcolsize"><a href="?C=S;O=A">Size</a></th>' +
          '<th class="indexcoldesc"><a href="?C=D;O=A">Description</a></th></tr>\n' +
          '   <tr class="indexbreakrow"><th colspan="4"><hr /></th></tr>\n',
      ),
      out,
    );
    assert.ok(
      out.includes('   <tr class="even-parentdir"><td class="indexcolicon"><a href="/up/">'),
    );
    assert.ok(out.includes('   <tr class="odd-txt">'));
    assert.ok(
      out.includes(
        '   <tr class="even"><td class="indexcolicon"><a href="a-very-long-file-name-indeed.bin">&nbsp;</a></td>',
      ),
    );
    assert.ok(out.includes('<td class="indexcoldesc">A <b>bold</b> text</td>'));
    assert.ok(out.includes('<td class="indexcoldesc">&nbsp;</td>'));
    const plain = outputDirectories(
      ENTRIES,
      conf({ styleSheet: '/s.css' }),
      view(Opt.TABLE_INDEXING | Opt.SUPPRESS_RULES | Opt.SUPPRESS_ICON | Opt.SUPPRESS_DESC),
    );
    assert.ok(plain.includes('<td class="indexcollastmod">&nbsp;</td>'));
    assert.ok(plain.includes(`<td class="indexcollastmod">${DATE}  </td>`));
    assert.ok(plain.endsWith('</table>\n') && !plain.includes('<hr'));
  });
});
