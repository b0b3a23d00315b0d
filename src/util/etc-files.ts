// The colon-separated account databases (/etc/passwd, /etc/group) as getpwnam/getgrnam and
// friends read them, for the few places that need a name, an id or a home directory.

import { readFileSync } from 'node:fs';

/** The rows of a colon-separated file, comments and blank lines skipped; [] if unreadable. */
export function colonRows(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

/** getpwuid / getgrgid's name: the first row whose id (third field) is `id`. */
export function nameById(file: string, id: number): string | undefined {
  const row = colonRows(file).find((f) => f[2] === String(id) && (f[0] ?? '') !== '');
  return row?.[0];
}
