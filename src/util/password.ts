// apr-util: crypto/apr_passwd.c (apr_password_validate) and crypto/apr_md5.c
// (apr_md5_encode, apr_sha1_base64); for the crypt(3) fallback, libxcrypt's crypt.c
// (setting checks and hash-method table) as on a current Linux system.
//
// Checks a password against the hash stored in an htpasswd line, dispatching as APR does:
// `$2a$`/`$2y$` → bcrypt, `$apr1$` → APR's MD5-crypt, `{SHA}` → base64(SHA-1), anything
// else → what libxcrypt's crypt(3) computes, compared with the stored string. In that
// crypt(3) branch: `$1$` MD5-crypt, `$2b$`/`$2x$` bcrypt, `$5$`/`$6$` SHA-crypt, and
// traditional DES for a two-character salt are computed here; libxcrypt's other methods
// are reported as unsupported; anything else fails as crypt(3) does. Plaintext hashes are
// never accepted (APR only does that on Windows and NetWare). Like the C code, password
// and hash end at their first NUL.

import { createHash, timingSafeEqual } from 'node:crypto';
import { bcryptHash } from './bcrypt.js';
import { desCrypt } from './crypt-des.js';
import { md5Crypt } from './crypt-md5.js';
import { shaCrypt, shaRoundsCanonical } from './crypt-sha.js';

/** The result of a check: a match or not, or a hash format this library cannot compute. */
export type PasswordCheck = { readonly ok: boolean } | { readonly unsupported: string };

/** libxcrypt methods recognised by prefix but not implemented here, with their names. */
const UNSUPPORTED: readonly (readonly [prefix: string, name: string])[] = [
  ['$y$', 'yescrypt ($y$)'],
  ['$gy$', 'gost-yescrypt ($gy$)'],
  ['$7$', 'scrypt ($7$)'],
  ['$3$', 'NT hash ($3$)'],
  ['$sha1', 'SHA1-crypt ($sha1$)'],
  ['$md5', 'Sun MD5-crypt ($md5$)'],
  ['_', 'BSDi extended DES (_)'],
];

/** Printable bytes libxcrypt refuses in a setting: ! * : ; \\ */
const BAD_SETTING_CHARS: readonly number[] = [0x21, 0x2a, 0x3a, 0x3b, 0x5c];

/** Bytes up to the first NUL, as C string functions see them. */
function cString(bytes: Uint8Array): Buffer {
  const nul = bytes.indexOf(0);
  return Buffer.from(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/**
 * The hash as bytes: a string is taken one byte per character (latin1, as httpd reads the
 * file) when every character fits in a byte, else as UTF-8.
 */
function hashBytes(hash: string | Uint8Array): Buffer {
  if (typeof hash !== 'string') return cString(hash);
  // eslint-disable-next-line no-control-regex
  return cString(Buffer.from(hash, /^[\u0000-\u00ff]*$/.test(hash) ? 'latin1' : 'utf8'));
}

/** Constant-time equality of the computed and stored hash (different lengths: false). */
function same(computed: Uint8Array | string | undefined, stored: Buffer): PasswordCheck {
  if (computed === undefined) return { ok: false };
  const c = typeof computed === 'string' ? Buffer.from(computed, 'latin1') : computed;
  return { ok: c.length === stored.length && timingSafeEqual(c, stored) };
}

/**
 * libxcrypt rejects any setting with a control character, space, DEL, a byte >= 0x80,
 * or one of `! * : ; \` anywhere in it.
 */
function hasBadSettingByte(h: Buffer): boolean {
  return h.some((b) => b <= 0x20 || b >= 0x7f || BAD_SETTING_CHARS.includes(b));
}

/** crypt(passwd, hash) compared with hash, as libxcrypt would compute it. */
async function cryptCheck(pw: Buffer, h: Buffer): Promise<PasswordCheck> {
  if (h.length === 0 || hasBadSettingByte(h)) return { ok: false };
  const setting = h.toString('latin1');
  if (setting.startsWith('$1$')) return same(md5Crypt(pw, h, '$1$'), h);
  if (/^\$2[abxy]\$/.test(setting)) return same(await bcryptHash(pw, setting), h);
  if (setting.startsWith('$5$') || setting.startsWith('$6$')) {
    if (!shaRoundsCanonical(setting)) return { ok: false };
    return same(await shaCrypt(pw, setting), h);
  }
  for (const [prefix, name] of UNSUPPORTED)
    if (setting.startsWith(prefix)) return { unsupported: name };
  if (setting.startsWith('$')) return { ok: false }; // no such method: crypt(3) fails
  return same(desCrypt(pw, setting), h);
}

/**
 * apr_password_validate: does `password` match `hash`, the second field of an htpasswd
 * line? A string password is encoded as UTF-8; bytes are used as given. A string hash is
 * read one byte per character (latin1) when it can be, else as UTF-8. A malformed hash of
 * a known format gives `{ ok: false }`; a format libxcrypt knows but this library does
 * not compute gives `{ unsupported: name }`. The expensive formats (bcrypt, SHA-crypt)
 * yield to the event loop while they run.
 */
export async function passwordValidate(
  password: string | Uint8Array,
  hash: string | Uint8Array,
): Promise<PasswordCheck> {
  const pw = cString(typeof password === 'string' ? Buffer.from(password, 'utf8') : password);
  const h = hashBytes(hash);
  const head = h.subarray(0, 6).toString('latin1');
  if (head.startsWith('$2a$') || head.startsWith('$2y$'))
    return same(await bcryptHash(pw, h.toString('latin1')), h);
  if (head === '$apr1$') return same(md5Crypt(pw, h, '$apr1$'), h);
  if (head.startsWith('{SHA}'))
    return same(`{SHA}${createHash('sha1').update(pw).digest('base64')}`, h);
  return cryptCheck(pw, h);
}
