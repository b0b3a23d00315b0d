// Niels Provos and David Mazières, "A Future-Adaptable Password Scheme" (USENIX 1999):
// EksBlowfish / bcrypt, with the `$2a$`/`$2b$`/`$2x$`/`$2y$` variants as Openwall's
// crypt_blowfish defines them (used by apr-util's apr_password_validate and by libxcrypt);
// Bruce Schneier, "Description of a New Variable-Length Key, 64-Bit Block Cipher (Blowfish)".
//
// Computes the bcrypt string for a password and a setting (`$2y$10$<22-char salt>...`).
// The key is the password bytes plus their terminating NUL, repeated cyclically and cut
// at 72 bytes (so bytes past the 72nd are ignored). `$2b$` and `$2y$` hash the same;
// `$2x$` reproduces crypt_blowfish's pre-1.1 sign-extension bug for bytes >= 0x80; `$2a$`
// is the correct algorithm plus crypt_blowfish's countermeasure that keeps the rare
// passwords the bug mapped to the correct key from colliding with `$2x$`.
//
// The 2^cost loop is cooperative: it yields to the event loop (setImmediate) whenever a
// slice has run for SLICE_MS, so a verification never blocks other connections for long.
//
// The Blowfish initial state (P-array then S-boxes, 1042 words) is the fractional part of
// pi in hexadecimal. It is computed once with BigInt (Machin's formula) on first use and
// cached in `piCache`, the module's only mutable state.

import { setImmediate as yieldImmediate } from 'node:timers/promises';

/** The bcrypt base64 alphabet (not the crypt(3) one: `./` then A–Z, a–z, 0–9). */
const BF_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Words in the Blowfish state: 18 P entries then four 256-entry S-boxes. */
const STATE_WORDS = 18 + 4 * 256;
const S0 = 18;
const S1 = S0 + 256;
const S2 = S1 + 256;
const S3 = S2 + 256;

/** Longest run of the cost loop between yields to the event loop, in milliseconds. */
const SLICE_MS = 3;

/** "OrpheanBeholderScryDoubt" as six big-endian words: the block bcrypt encrypts. */
const MAGIC_TEXT = 'OrpheanBeholderScryDoubt';

let piCache: Int32Array | undefined;

/**
 * The first 1042 32-bit words of the hexadecimal fraction of pi (Blowfish's initial
 * P-array, then S-boxes 0–3). Computed on first call with Machin's formula,
 * pi = 16·atan(1/5) − 4·atan(1/239), in fixed point with 64 guard bits; then cached.
 * The returned array is shared: callers copy it, never write to it.
 */
export function blowfishPiWords(): Int32Array {
  if (piCache) return piCache;
  const bits = STATE_WORDS * 32;
  const guard = 64;
  const one = 1n << BigInt(bits + guard);
  const atanInv = (x: bigint): bigint => {
    const x2 = x * x;
    let term = one / x;
    let sum = 0n;
    let k = 1n;
    let negative = false;
    while (term !== 0n) {
      const t = term / k;
      sum = negative ? sum - t : sum + t;
      negative = !negative;
      k += 2n;
      term /= x2;
    }
    return sum;
  };
  const pi = 4n * (4n * atanInv(5n) - atanInv(239n));
  const fraction = (pi - (3n << BigInt(bits + guard))) >> BigInt(guard);
  const hex = fraction.toString(16).padStart(bits / 4, '0');
  const words = new Int32Array(STATE_WORDS);
  for (let i = 0; i < STATE_WORDS; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  piCache = words;
  return words;
}

/**
 * Encrypts the (L, R) chain through the whole state, replacing P and then the S-boxes
 * with successive ciphertexts. With `salt`, each block is first XORed with the next two
 * salt words (cycling through the four); without, the plain Blowfish key schedule.
 * encryptBlock's rounds are written out again here rather than called: this loop runs
 * 2^cost × 521 times per check.
 */
function expandState(s: Int32Array, salt: Int32Array | undefined): void {
  let l = 0;
  let r = 0;
  for (let i = 0; i < STATE_WORDS; i += 2) {
    if (salt) {
      l ^= salt[i & 3]!;
      r ^= salt[(i & 3) + 1]!;
    }
    l ^= s[0]!;
    for (let j = 1; j < 17; j += 2) {
      r ^=
        (((s[S0 + (l >>> 24)]! + s[S1 + ((l >>> 16) & 0xff)]!) ^ s[S2 + ((l >>> 8) & 0xff)]!) +
          s[S3 + (l & 0xff)]!) ^
        s[j]!;
      l ^=
        (((s[S0 + (r >>> 24)]! + s[S1 + ((r >>> 16) & 0xff)]!) ^ s[S2 + ((r >>> 8) & 0xff)]!) +
          s[S3 + (r & 0xff)]!) ^
        s[j + 1]!;
    }
    const t = r ^ s[17]!;
    r = l;
    l = t;
    s[i] = l;
    s[i + 1] = r;
  }
}

/** Blowfish-encrypts words[at], words[at + 1] in place with state `s`. */
function encryptBlock(s: Int32Array, words: Int32Array, at: number): void {
  let l = words[at]! ^ s[0]!;
  let r = words[at + 1]!;
  for (let j = 1; j < 17; j += 2) {
    r ^=
      (((s[S0 + (l >>> 24)]! + s[S1 + ((l >>> 16) & 0xff)]!) ^ s[S2 + ((l >>> 8) & 0xff)]!) +
        s[S3 + (l & 0xff)]!) ^
      s[j]!;
    l ^=
      (((s[S0 + (r >>> 24)]! + s[S1 + ((r >>> 16) & 0xff)]!) ^ s[S2 + ((r >>> 8) & 0xff)]!) +
        s[S3 + (r & 0xff)]!) ^
      s[j + 1]!;
  }
  words[at] = r ^ s[17]!;
  words[at + 1] = l;
}

/** XORs the 18 P entries with `key`, cycling through it. */
function xorP(s: Int32Array, key: Int32Array): void {
  for (let i = 0; i < 18; i++) s[i] = s[i]! ^ key[i % key.length]!;
}

/** Encodes bytes in bcrypt's base64 (most significant bits first, no padding). */
function encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    out += BF_ALPHABET[b0 >> 2]! + BF_ALPHABET[((b0 & 3) << 4) | (b1 >> 4)]!;
    if (i + 1 < bytes.length) out += BF_ALPHABET[((b1 & 0xf) << 2) | (b2 >> 6)]!;
    if (i + 2 < bytes.length) out += BF_ALPHABET[b2 & 0x3f]!;
  }
  return out;
}

/** Decodes the 22-character salt to 16 bytes, or undefined on a character outside the alphabet. */
function decodeSalt(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  let acc = 0;
  let nbits = 0;
  let n = 0;
  for (const ch of text) {
    const v = BF_ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffff;
    nbits += 6;
    if (nbits >= 8 && n < 16) {
      nbits -= 8;
      out[n++] = (acc >> nbits) & 0xff;
    }
  }
  return out;
}

/**
 * The 18 key words from the password: its bytes and terminating NUL repeated, first 72
 * bytes, big-endian. `signExtend` builds them as crypt_blowfish's `$2x$` bug did (ORing
 * each byte sign-extended). `safety` applies the `$2a$` countermeasure: bit 16 of the
 * first word is flipped when a byte >= 0x80 after the first of a word left the buggy and
 * correct keys identical. That flip applies only to the first XOR into the initial
 * P-array (`first`); the 2^cost loop uses the unflipped words (`words`).
 */
function keyWords(
  password: Uint8Array,
  signExtend: boolean,
  safety: boolean,
): { readonly first: Int32Array; readonly words: Int32Array } {
  const words = new Int32Array(18);
  let pos = 0;
  let differs = false;
  let highAfterFirst = false;
  for (let i = 0; i < 18; i++) {
    let good = 0;
    let bug = 0;
    for (let j = 0; j < 4; j++) {
      const b = pos < password.length ? password[pos]! : 0;
      good = (good << 8) | b;
      bug = (bug << 8) | ((b << 24) >> 24);
      if (j > 0 && b >= 0x80) highAfterFirst = true;
      pos = pos < password.length ? pos + 1 : 0;
    }
    if (good !== bug) differs = true;
    words[i] = signExtend ? bug : good;
  }
  const first = Int32Array.from(words);
  if (safety && highAfterFirst && !differs) first[0] = first[0]! ^ 0x10000;
  return { first, words };
}

/** A parsed bcrypt setting. */
interface BcryptSetting {
  readonly variant: 'a' | 'b' | 'x' | 'y';
  readonly cost: number;
  readonly salt: Uint8Array;
}

/** Parses `$2?$NN$` + 22 salt characters (anything after them is ignored, as crypt(3) does). */
function parseSetting(setting: string): BcryptSetting | undefined {
  const m = /^\$2([abxy])\$([0-3][0-9])\$([./A-Za-z0-9]{22})/.exec(setting);
  if (!m) return undefined;
  const cost = Number(m[2]);
  if (cost < 4 || cost > 31) return undefined;
  const salt = decodeSalt(m[3]!);
  if (!salt) return undefined;
  return { variant: m[1] as BcryptSetting['variant'], cost, salt };
}

/**
 * bcrypt(password, setting): the 60-character hash string, e.g.
 * `$2y$05$<22 salt chars><31 hash chars>`, or undefined when the setting is malformed
 * (unknown variant, cost outside 04–31, salt shorter than 22 characters or outside the
 * alphabet). The password is raw bytes; it ends at its first NUL as a C string would.
 * The salt in the result is re-encoded from its 128 bits, so a setting whose 22nd salt
 * character carries non-zero unused bits yields a different (canonical) string.
 * Yields to the event loop every few milliseconds of the 2^cost loop.
 */
export async function bcryptHash(
  password: Uint8Array,
  setting: string,
): Promise<string | undefined> {
  const parsed = parseSetting(setting);
  if (!parsed) return undefined;
  const nul = password.indexOf(0);
  const pw = nul < 0 ? password : password.subarray(0, nul);
  const key = keyWords(pw, parsed.variant === 'x', parsed.variant === 'a');
  const salt = new Int32Array(4);
  for (let i = 0; i < 4; i++) {
    const o = i * 4;
    salt[i] =
      (parsed.salt[o]! << 24) |
      (parsed.salt[o + 1]! << 16) |
      (parsed.salt[o + 2]! << 8) |
      parsed.salt[o + 3]!;
  }

  const s = Int32Array.from(blowfishPiWords());
  xorP(s, key.first);
  expandState(s, salt);
  const rounds = 2 ** parsed.cost;
  let sliceStart = performance.now();
  for (let i = 0; i < rounds; i++) {
    xorP(s, key.words);
    expandState(s, undefined);
    xorP(s, salt);
    expandState(s, undefined);
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldImmediate();
      sliceStart = performance.now();
    }
  }

  const text = new Int32Array(6);
  for (let i = 0; i < 6; i++) {
    let w = 0;
    for (let j = 0; j < 4; j++) w = (w << 8) | MAGIC_TEXT.charCodeAt(i * 4 + j);
    text[i] = w;
  }
  for (let n = 0; n < 64; n++) for (let b = 0; b < 6; b += 2) encryptBlock(s, text, b);
  const out = new Uint8Array(24);
  for (let i = 0; i < 6; i++) {
    const w = text[i]!;
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = (w >>> 16) & 0xff;
    out[i * 4 + 2] = (w >>> 8) & 0xff;
    out[i * 4 + 3] = w & 0xff;
  }
  const costText = String(parsed.cost).padStart(2, '0');
  return `$2${parsed.variant}$${costText}$${encode(parsed.salt)}${encode(out.subarray(0, 23))}`;
}
