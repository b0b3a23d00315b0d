// httpd: server/util.c (ap_pcfg_openfile, ap_cfg_getline / ap_varbuf_cfg_getline).
//
// Reading a text file the way httpd modules read their user and group files: the file
// must be a regular file (or /dev/null), each line loses the white space around it, and
// the bytes are kept as latin1 characters, one per byte.

import { open } from 'node:fs/promises';

/** The file's lines, or why it could not be read ('notRegular' is httpd's APR_EBADF). */
export type CfgLines =
  | { readonly lines: readonly string[] }
  | { readonly error: unknown }
  | { readonly notRegular: true };

/** White space as C's isspace in the C locale. */
const EDGES = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;

/**
 * Read `file`'s lines. `maxLine` is ap_cfg_getline's buffer: a longer line ends the
 * read there, as in httpd (the lines before it are kept).
 */
export async function readCfgLines(file: string, maxLine = Infinity): Promise<CfgLines> {
  let text: string;
  try {
    const fh = await open(file, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile() && file !== '/dev/null') return { notRegular: true };
      text = await fh.readFile('latin1');
    } finally {
      await fh.close();
    }
  } catch (error) {
    return { error };
  }
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    if (raw.length > maxLine) break;
    lines.push(raw.replace(EDGES, ''));
  }
  return { lines };
}
