// httpd: server/util.c (ap_pcfg_openfile: open, then APR_EBADF for anything but a regular
// file). Files of the served tree (type maps, autoindex headers and titles) are opened
// non-blocking: httpd's open() of a FIFO waits for a writer in one worker thread; here it
// would hold the event loop (or a thread-pool thread that no stop can get back), so a FIFO
// opens at once and is refused as httpd refuses it once open.

import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** What ap_pcfg_openfile returns for a file that is not a regular one (errno EBADF). */
export class NotRegularFileError extends Error {
  readonly code = 'EBADF';
  readonly errno = -9;
  readonly path: string;
  constructor(path: string) {
    super(`EBADF: not a regular file, open '${path}'`);
    this.path = path;
  }
}

/** Open `path` for reading without blocking; throws NotRegularFileError for a FIFO etc. */
export function openRegularSync(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (fstatSync(fd).isFile()) return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  closeSync(fd);
  throw new NotRegularFileError(path);
}

/** The whole content of the regular file `path` (errors as openRegularSync's). */
export function readRegularFileSync(path: string): Buffer {
  const fd = openRegularSync(path);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
