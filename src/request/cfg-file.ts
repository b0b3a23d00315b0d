// httpd: server/util.c (ap_pcfg_openfile as a request's module calls it).
//
// A module's per-request read of a user or group file, with ap_pcfg_openfile's own log
// line (AH00554) for a file that is not a regular one. On failure `failed` is called with
// the APR status text to put before the module's message ("(2)No such file or
// directory"), and the result is undefined.

import { aprStatus, NOT_REGULAR_FILE } from '../util/apr-status.js';
import { readCfgLines } from '../util/cfg-file.js';
import type { RequestRecord } from './record.js';

export async function requestCfgLines(
  r: RequestRecord,
  file: string,
  failed: (status: string | undefined) => void,
  maxLine?: number,
): Promise<readonly string[] | undefined> {
  const got = await readCfgLines(file, maxLine);
  if ('lines' in got) return got.lines;
  if ('notRegular' in got) {
    r.generation.log.log(
      'error',
      'core',
      'AH00554',
      `Access to file ${file} denied by server: not a regular file`,
    );
    failed(NOT_REGULAR_FILE);
  } else failed(aprStatus(got.error));
  return undefined;
}
