// NIST FIPS 46-3, "Data Encryption Standard (DES)"; Robert Morris and Ken Thompson,
// "Password Security: A Case History" (1979) for the traditional Unix crypt(3) built on it,
// with libxcrypt's crypt-des.c setting checks.
//
// Traditional DES crypt: a 13-character result, the 2-character salt (from the crypt(3)
// alphabet ./0-9A-Za-z) then 11 characters. The key is the first 8 password bytes, each
// shifted left one bit (so only 7 bits of each count and bytes past the 8th are ignored);
// the 12 salt bits swap pairs of outputs of the E expansion; a zero block is encrypted 25
// times. DES is written out here on bit arrays: node's OpenSSL 3 may lack DES, and the
// salted E expansion needs the cipher's insides anyway. It runs 25 blocks per check, so
// clarity wins over speed.

import { CRYPT_ALPHABET } from './crypt-md5.js';

/** Initial permutation (1-based bit positions, as printed in FIPS 46-3). */
const IP: readonly number[] = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64,
  56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53,
  45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];

/** Final permutation IP⁻¹, derived from IP. */
const FP: readonly number[] = (() => {
  const fp = new Array<number>(64).fill(0);
  IP.forEach((p, i) => (fp[p - 1] = i + 1));
  return fp;
})();

/** E bit-selection: row r of six takes bits 4r .. 4r+5 of R (1-based, wrapping 32 → 1). */
const E: readonly number[] = Array.from({ length: 48 }, (_, i) => {
  const r = Math.floor(i / 6);
  return ((4 * r + (i % 6) - 1 + 32) % 32) + 1;
});

/** Permutation P applied to the S-box outputs. */
const P: readonly number[] = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13,
  30, 6, 22, 11, 4, 25,
];

/** Permuted choice 1: the 56 key bits (parity bits 8, 16, … dropped) into C and D. */
const PC1: readonly number[] = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60,
  52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21,
  13, 5, 28, 20, 12, 4,
];

/** Permuted choice 2: 48 subkey bits from C‖D. */
const PC2: readonly number[] = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52,
  31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];

/** Left rotations of C and D before each round. */
const SHIFTS: readonly number[] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

/** S-boxes S1..S8, each 4 rows of 16 (row from the outer bits, column from the inner four). */
export const DES_SBOXES: readonly (readonly number[])[] = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11,
    9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5,
    11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10,
    6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2,
    11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12,
    11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4,
    15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1,
    10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9,
    4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10,
    3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6,
    15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14,
    0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10,
    11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12,
    2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9,
    5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11,
    0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13,
    15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

/** The bits of `bytes`, most significant first, one per element. */
function toBits(bytes: Uint8Array): Uint8Array {
  const bits = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < bits.length; i++) bits[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return bits;
}

/** Packs bits (most significant first) into bytes. */
function fromBits(bits: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(bits.length / 8);
  for (let i = 0; i < bits.length; i++) bytes[i >> 3]! |= bits[i]! << (7 - (i & 7));
  return bytes;
}

/** Selects bits of `from` by 1-based positions. */
function permute(from: Uint8Array, table: readonly number[]): Uint8Array {
  return Uint8Array.from(table, (p) => from[p - 1]!);
}

/** The 16 round subkeys (48 bits each) of an 8-byte key. */
function keySchedule(key: Uint8Array): Uint8Array[] {
  const cd = permute(toBits(key), PC1);
  let c = cd.subarray(0, 28);
  let d = cd.subarray(28);
  const rotate = (h: Uint8Array, n: number): Uint8Array => {
    const out = new Uint8Array(28);
    out.set(h.subarray(n));
    out.set(h.subarray(0, n), 28 - n);
    return out;
  };
  return SHIFTS.map((n) => {
    c = rotate(c, n);
    d = rotate(d, n);
    const joined = new Uint8Array(56);
    joined.set(c);
    joined.set(d, 28);
    return permute(joined, PC2);
  });
}

/** One DES encryption of a 64-bit block (as bits) with an E table (possibly salted). */
function encryptBits(block: Uint8Array, subkeys: Uint8Array[], e: readonly number[]): Uint8Array {
  const ip = permute(block, IP);
  let l = ip.subarray(0, 32);
  let r = ip.subarray(32);
  const sOut = new Uint8Array(32);
  for (const k of subkeys) {
    const x = permute(r, e);
    for (let i = 0; i < 48; i++) x[i]! ^= k[i]!;
    for (let b = 0; b < 8; b++) {
      const six = x.subarray(b * 6, b * 6 + 6);
      const row = (six[0]! << 1) | six[5]!;
      const col = (six[1]! << 3) | (six[2]! << 2) | (six[3]! << 1) | six[4]!;
      const v = DES_SBOXES[b]![row * 16 + col]!;
      for (let j = 0; j < 4; j++) sOut[b * 4 + j] = (v >> (3 - j)) & 1;
    }
    const f = permute(sOut, P);
    const next = l.map((bit, i) => bit ^ f[i]!);
    l = r;
    r = next;
  }
  const pre = new Uint8Array(64);
  pre.set(r);
  pre.set(l, 32);
  return permute(pre, FP);
}

/** Plain DES: encrypts one 8-byte block with an 8-byte key (parity bits ignored). */
export function desEncrypt(key: Uint8Array, block: Uint8Array): Uint8Array {
  return fromBits(encryptBits(toBits(block), keySchedule(key), E));
}

/**
 * Traditional DES crypt(3) of `password` (raw bytes; ends at its first NUL) with the
 * salt in the first two characters of `setting`: the 13-character result, or undefined
 * when `setting` is shorter than two characters or either salt character is outside
 * ./0-9A-Za-z (libxcrypt fails such settings). Characters after the salt are ignored.
 */
export function desCrypt(password: Uint8Array, setting: string): string | undefined {
  if (setting.length < 2) return undefined;
  const s0 = CRYPT_ALPHABET.indexOf(setting[0]!);
  const s1 = CRYPT_ALPHABET.indexOf(setting[1]!);
  if (s0 < 0 || s1 < 0) return undefined;
  const key = new Uint8Array(8);
  for (let i = 0; i < 8 && i < password.length && password[i] !== 0; i++)
    key[i] = (password[i]! << 1) & 0xff;
  // Salt bit j of character i swaps E outputs 6i + j and 6i + j + 24.
  const e = [...E];
  const saltBits = s0 | (s1 << 6);
  for (let i = 0; i < 12; i++) {
    if (saltBits & (1 << i)) [e[i], e[i + 24]] = [e[i + 24]!, e[i]!];
  }
  const subkeys = keySchedule(key);
  let block: Uint8Array = new Uint8Array(64);
  for (let n = 0; n < 25; n++) block = encryptBits(block, subkeys, e);
  let out = setting.slice(0, 2);
  for (let i = 0; i < 66; i += 6) {
    let v = 0;
    for (let j = 0; j < 6; j++) v = (v << 1) | (block[i + j] ?? 0);
    out += CRYPT_ALPHABET[v]!;
  }
  return out;
}
