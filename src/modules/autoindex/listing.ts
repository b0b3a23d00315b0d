// httpd: modules/generators/mod_autoindex.c (emit_link, output_directories).
//
// The list part of the page: a <ul> (plain), a <pre> with padded columns (FancyIndexing)
// or a <table> (HTMLTable). Byte strings in, byte string out.

import type { AutoindexDirConf } from './config.js';
import type { Entry } from './entries.js';
import { findItem } from './entries.js';
import { escapeHtml, listingDate, osEscapePath, strfsize, terminateDescription } from './format.js';
import { DEFAULT_DESC_WIDTH, DEFAULT_NAME_WIDTH, Opt } from './options.js';

/** What the column headers link to and how the listing is sorted. */
export interface ListingView {
  readonly opts: number;
  readonly key: string;
  readonly direction: string;
  /** `;F=…;V=…;P=…` carried into the column links. */
  readonly colargs: string;
}

/** emit_link: a column header, a link that sorts by it (reversed if it is the key). */
function link(anchor: string, column: string, v: ListingView, nosort: boolean): string {
  if (nosort) return anchor;
  const dir = v.key === column && v.direction === 'A' ? 'D' : 'A';
  return `<a href="?C=${column};O=${dir}${v.colargs}">${anchor}</a>`;
}

/** ` width="N" height="N"` (and ` /` for XHTML) closing an <img>. */
function imgTail(d: AutoindexDirConf, opts: number): string {
  let s = '';
  if (d.iconWidth !== 0) s += ` width="${String(d.iconWidth)}"`;
  if (d.iconHeight !== 0) s += ` height="${String(d.iconHeight)}"`;
  if ((opts & Opt.EMIT_XHTML) !== 0) s += ' /';
  return s + '>';
}

/** Cut a name to `width` bytes ending in `..>` (httpd's name_scratch). */
function cutName(t: string, width: number): string {
  return t.length > width ? t.slice(0, width - 3) + '..>' : t;
}

/** output_directories. */
export function outputDirectories(
  ar: readonly Entry[],
  d: AutoindexDirConf,
  v: ListingView,
): string {
  const opts = v.opts;
  const has = (bit: number): boolean => (opts & bit) !== 0;
  const nosort = has(Opt.SUPPRESS_COLSORT);
  const css = d.styleSheet !== undefined;
  const nameAdjust = d.nameWidth?.adjust === true;
  const descAdjust = d.descWidth?.adjust === true;
  let nameWidth = d.nameWidth?.width ?? DEFAULT_NAME_WIDTH;
  let descWidth = d.descWidth?.width ?? DEFAULT_DESC_WIDTH;
  const oldDate = d.oldDateFormat === true;
  if ((opts & (Opt.FANCY_INDEXING | Opt.TABLE_INDEXING)) === Opt.FANCY_INDEXING) {
    if (nameAdjust) for (const e of ar) nameWidth = Math.max(nameWidth, e.name.length);
    if (descAdjust)
      for (const e of ar) if (e.desc !== undefined) descWidth = Math.max(descWidth, e.desc.length);
  }
  const pad = (n: number): string => ' '.repeat(Math.max(0, nameWidth - n));
  let out = '';
  let breakrow = '';
  const blank = findItem(undefined, undefined, '^^BLANKICON^^', d.icons, true);
  if (has(Opt.TABLE_INDEXING)) {
    let cols = 1;
    out += css ? '  <table id="indexlist">\n   <tr class="indexhead">' : '  <table>\n   <tr>';
    if (!has(Opt.SUPPRESS_ICON)) {
      out += css ? '<th class="indexcolicon">' : '<th valign="top">';
      out +=
        blank !== undefined
          ? `<img src="${escapeHtml(blank)}" alt="[ICO]"${imgTail(d, opts)}</th>`
          : '&nbsp;</th>';
      ++cols;
    }
    out += (css ? '<th class="indexcolname">' : '<th>') + link('Name', 'N', v, nosort);
    if (!has(Opt.SUPPRESS_LAST_MOD)) {
      out +=
        (css ? '</th><th class="indexcollastmod">' : '</th><th>') +
        link('Last modified', 'M', v, nosort);
      ++cols;
    }
    if (!has(Opt.SUPPRESS_SIZE)) {
      out += (css ? '</th><th class="indexcolsize">' : '</th><th>') + link('Size', 'S', v, nosort);
      ++cols;
    }
    if (!has(Opt.SUPPRESS_DESC)) {
      out +=
        (css ? '</th><th class="indexcoldesc">' : '</th><th>') +
        link('Description', 'D', v, nosort);
      ++cols;
    }
    if (!has(Opt.SUPPRESS_RULES))
      breakrow = `   <tr${css ? ' class="indexbreakrow"' : ''}><th colspan="${String(cols)}"><hr${has(Opt.EMIT_XHTML) ? ' /' : ''}></th></tr>\n`;
    out += '</th></tr>\n' + breakrow;
  } else if (has(Opt.FANCY_INDEXING)) {
    out += '<pre>';
    if (!has(Opt.SUPPRESS_ICON)) {
      out +=
        blank !== undefined
          ? `<img src="${escapeHtml(blank)}" alt="Icon "${imgTail(d, opts)} `
          : '      ';
    }
    out += link('Name', 'N', v, nosort) + pad(4) + ' ';
    if (!has(Opt.SUPPRESS_LAST_MOD)) out += link('Last modified', 'M', v, nosort) + '      ';
    if (!has(Opt.SUPPRESS_SIZE)) out += link('Size', 'S', v, nosort) + '  ';
    if (!has(Opt.SUPPRESS_DESC)) out += link('Description', 'D', v, nosort);
    out += has(Opt.SUPPRESS_RULES) ? '\n' : `<hr${has(Opt.EMIT_XHTML) ? ' /' : ''}>`;
  } else out += '<ul>';

  ar.forEach((e, x) => {
    const t = e.name;
    const anchor = escapeHtml(osEscapePath(t, false));
    const t2 = x === 0 && t.startsWith('/') ? 'Parent Directory' : t;
    const icon = e.icon ?? d.defaultIcon;
    const img =
      icon !== undefined
        ? `<img src="${escapeHtml(icon)}" alt="[${e.alt ?? '   '}]"${imgTail(d, opts)}`
        : undefined;
    if (has(Opt.TABLE_INDEXING)) {
      if (css) {
        const cls = x & 1 ? 'odd' : 'even';
        out +=
          e.alt !== undefined && has(Opt.ADDALTCLASS)
            ? `   <tr class="${cls}-${e.alt.replace(/[A-Z]/g, (c) => c.toLowerCase())}">`
            : `   <tr class="${cls}">`;
      } else out += '<tr>';
      if (!has(Opt.SUPPRESS_ICON)) {
        out += css ? '<td class="indexcolicon">' : '<td valign="top">';
        if (has(Opt.ICONS_ARE_LINKS)) out += `<a href="${anchor}">`;
        out += img ?? '&nbsp;';
        out += has(Opt.ICONS_ARE_LINKS) ? '</a></td>' : '</td>';
      }
      const td = css ? '<td class="indexcolname">' : '<td>';
      if (nameAdjust) out += `${td}<a href="${anchor}">${escapeHtml(t2)}</a>`;
      else {
        const shown = cutName(t2, nameWidth);
        out += `${td}<a href="${anchor}">${escapeHtml(shown)}</a>${pad(shown.length)}`;
      }
      if (!has(Opt.SUPPRESS_LAST_MOD)) {
        if (e.lm !== -1)
          out += `</td><td${css ? ' class="indexcollastmod">' : ' align="right">'}${listingDate(e.lm, oldDate)}  `;
        else out += css ? '</td><td class="indexcollastmod">&nbsp;' : '</td><td>&nbsp;';
      }
      if (!has(Opt.SUPPRESS_SIZE))
        out += `</td><td${css ? ' class="indexcolsize">' : ' align="right">'}${strfsize(e.size)}`;
      if (!has(Opt.SUPPRESS_DESC)) {
        const open = css ? '</td><td class="indexcoldesc">' : '</td><td>';
        if (e.desc !== undefined)
          out +=
            open +
            (descAdjust ? e.desc : terminateDescription(e.desc, descMax(d, opts, descWidth)));
        else out += open + '&nbsp;';
      }
      out += '</td></tr>\n';
    } else if (has(Opt.FANCY_INDEXING)) {
      if (!has(Opt.SUPPRESS_ICON)) {
        if (has(Opt.ICONS_ARE_LINKS)) out += `<a href="${anchor}">`;
        out += img ?? '     ';
        out += has(Opt.ICONS_ARE_LINKS) ? '</a> ' : ' ';
      }
      const shown = cutName(t2, nameWidth);
      out += `<a href="${anchor}">${escapeHtml(shown)}</a>${pad(shown.length)} `;
      if (!has(Opt.SUPPRESS_LAST_MOD))
        out += e.lm !== -1 ? `${listingDate(e.lm, oldDate)}  ` : ' '.repeat(19);
      if (!has(Opt.SUPPRESS_SIZE)) out += `${strfsize(e.size)}  `;
      if (!has(Opt.SUPPRESS_DESC) && e.desc !== undefined)
        out += terminateDescription(e.desc, descMax(d, opts, descWidth));
      out += '\n';
    } else out += `<li><a href="${anchor}"> ${escapeHtml(t2)}</a></li>\n`;
  });
  if (has(Opt.TABLE_INDEXING)) out += breakrow + '</table>\n';
  else if (has(Opt.FANCY_INDEXING))
    out += has(Opt.SUPPRESS_RULES) ? '</pre>\n' : `<hr${has(Opt.EMIT_XHTML) ? ' /' : ''}></pre>\n`;
  else out += '</ul>\n';
  return out;
}

/**
 * terminate_description's width: without any DescriptionWidth, the columns that are
 * suppressed give their room to the description.
 */
function descMax(d: AutoindexDirConf, opts: number, width: number): number {
  let max = width;
  if (d.descWidth === undefined) {
    if ((opts & Opt.SUPPRESS_ICON) !== 0) max += 6;
    if ((opts & Opt.SUPPRESS_LAST_MOD) !== 0) max += 19;
    if ((opts & Opt.SUPPRESS_SIZE) !== 0) max += 7;
  }
  return max;
}
