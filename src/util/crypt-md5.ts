// Poul-Henning Kamp's MD5-based crypt ("$1$", FreeBSD 2.0), as apr-util's
// crypto/apr_md5.c (apr_md5_encode, magic "$apr1$") and libxcrypt's crypt-md5.c ("$1$")
// implement it.
//
// The two variants differ only in the magic string mixed into the hash and printed in the
// result. The salt is the setting after the magic, up to the first '$' or 8 bytes. Also
// home of the crypt(3) base64 alphabet and its little-endian 24-bit encoder, shared with
// the SHA-crypt and DES-crypt modules.

import { createHash } from 'node:crypto';

/** The crypt(3) base64 alphabet: index 0 is '.', 63 is 'z'. */
export const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * crypt's to64 / b64_from_24bit: the 24-bit value (b2 << 16 | b1 << 8 | b0) as `n`
 * characters, least significant six bits first.
 */
export function encode24(b2: number, b1: number, b0: number, n: number): string {
  let v = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += CRYPT_ALPHABET[v & 0x3f]!;
    v >>>= 6;
  }
  return out;
}

/** The two spellings of MD5-crypt. */
export type Md5Magic = '$1$' | '$apr1$';

/** Result groups: three digest bytes per four characters, then byte 11 alone. */
const GROUPS: readonly (readonly [number, number, number])[] = [
  [0, 6, 12],
  [1, 7, 13],
  [2, 8, 14],
  [3, 9, 15],
  [4, 10, 5],
];

/**
 * MD5-crypt of `password` (raw bytes; ends at its first NUL) with the salt taken from
 * `setting`, which must start with `magic`. Returns the whole result as bytes —
 * magic, salt, '$', 22 characters — since APR copies the salt bytes through unchecked;
 * undefined when `setting` does not start with `magic`.
 */
export function md5Crypt(
  password: Uint8Array,
  setting: Uint8Array,
  magic: Md5Magic,
): Buffer | undefined {
  const magicBytes = Buffer.from(magic, 'latin1');
  if (!Buffer.from(setting.subarray(0, magicBytes.length)).equals(magicBytes)) return undefined;
  const nul = password.indexOf(0);
  const pw = nul < 0 ? password : password.subarray(0, nul);
  const rest = setting.subarray(magicBytes.length);
  let saltLen = 0;
  while (saltLen < 8 && saltLen < rest.length && rest[saltLen] !== 0x24 && rest[saltLen] !== 0)
    saltLen++;
  const salt = rest.subarray(0, saltLen);

  const alt = createHash('md5').update(pw).update(salt).update(pw).digest();
  const ctx = createHash('md5').update(pw).update(magicBytes).update(salt);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(16, left)));
  // The famous oddity: a NUL byte for each set bit of the length, the first password byte
  // for each clear one (the buffer meant to be mixed in had just been cleared).
  const zero = new Uint8Array(1);
  const first = pw.subarray(0, 1);
  for (let i = pw.length; i !== 0; i >>>= 1) ctx.update(i & 1 ? zero : first);
  let digest = ctx.digest();

  for (let i = 0; i < 1000; i++) {
    const h = createHash('md5');
    h.update(i & 1 ? pw : digest);
    if (i % 3) h.update(salt);
    if (i % 7) h.update(pw);
    h.update(i & 1 ? digest : pw);
    digest = h.digest();
  }

  let text = '$';
  for (const [a, b, c] of GROUPS) text += encode24(digest[a]!, digest[b]!, digest[c]!, 4);
  text += encode24(0, 0, digest[11]!, 2);
  return Buffer.concat([magicBytes, salt, Buffer.from(text, 'latin1')]);
}
