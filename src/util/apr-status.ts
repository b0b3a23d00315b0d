// APR: misc/unix/errorcodes.c (apr_strerror) and httpd's `%pm` / ap_log_rerror status.
//
// The `(errno)Text` prefix httpd puts before a log message for a failed system call, e.g.
// `(13)Permission denied`, from a node ErrnoException.

const TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  EMFILE: 'Too many open files',
  EBADF: 'Bad file descriptor',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out',
  EPIPE: 'Broken pipe',
};

/** `(13)Permission denied` for an errno error; undefined for anything else. */
export function aprStatus(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const err = e as NodeJS.ErrnoException;
  if (err.errno === undefined || err.code === undefined) return undefined;
  const t = TEXT[err.code];
  return t === undefined ? undefined : `(${String(Math.abs(err.errno))})${t}`;
}

/** APR_EBADF as httpd logs it for a file that is not a regular file (ap_pcfg_openfile). */
export const NOT_REGULAR_FILE = '(9)Bad file descriptor';
