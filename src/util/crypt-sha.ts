// Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512" (2007/2008 specification),
// with the setting checks of libxcrypt's crypt-sha256.c / crypt-sha512.c.
//
// SHA-crypt for `$5$` (SHA-256) and `$6$` (SHA-512): optional `rounds=N$` (default 5000,
// clamped to 1000..999999999 as the specification says; a custom count is echoed in the
// result, so a stored hash with an out-of-range count never matches — libxcrypt rejects
// those settings outright, with the same outcome for verification), then a salt of up to
// 16 characters ending at '$'. The round loop yields to the event loop every few
// milliseconds, since the count comes from the stored hash and may be huge.

import { createHash, hash } from 'node:crypto';
import { setImmediate as yieldImmediate } from 'node:timers/promises';
import { encode24 } from './crypt-md5.js';

const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;

/** Longest run of the round loop between yields to the event loop, in milliseconds. */
const SLICE_MS = 3;

/** Result byte order: triples encoded as four characters, then the tail. */
const SHA256_GROUPS: readonly (readonly [number, number, number])[] = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
];
const SHA512_GROUPS: readonly (readonly [number, number, number])[] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

/** `bytes` repeated to exactly `length` bytes. */
function repeatTo(bytes: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += bytes.length) out.set(bytes.subarray(0, length - i), i);
  return out;
}

/** A parsed `$5$`/`$6$` setting. */
interface ShaSetting {
  readonly algorithm: 'sha256' | 'sha512';
  readonly prefix: '$5$' | '$6$';
  /** Clamped round count, and whether the setting named one (then it is printed). */
  readonly rounds: number;
  readonly customRounds: boolean;
  readonly salt: string;
}

function parseSetting(setting: string): ShaSetting | undefined {
  const prefix = setting.startsWith('$5$') ? '$5$' : setting.startsWith('$6$') ? '$6$' : undefined;
  if (prefix === undefined) return undefined;
  let rest = setting.slice(3);
  let rounds = ROUNDS_DEFAULT;
  let customRounds = false;
  if (rest.startsWith('rounds=')) {
    const m = /^rounds=([0-9]+)\$/.exec(rest);
    if (!m) return undefined; // libxcrypt: "rounds=" must be a number ended by '$'
    rounds = Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, Number(m[1])));
    customRounds = true;
    rest = rest.slice(m[0].length);
  }
  const end = rest.indexOf('$');
  const salt = (end < 0 ? rest : rest.slice(0, end)).slice(0, 16);
  return { algorithm: prefix === '$5$' ? 'sha256' : 'sha512', prefix, rounds, customRounds, salt };
}

/**
 * Whether libxcrypt accepts the setting's round count: absent, or written in decimal
 * without leading zeros and within 1000..999999999. A count that fails this cannot
 * match a stored hash (the result would print the clamped count), so a verifier can
 * refuse it without running up to a billion rounds first.
 */
export function shaRoundsCanonical(setting: string): boolean {
  const m = /^\$[56]\$rounds=([^$]*)(\$?)/.exec(setting);
  if (!m) return true;
  const n = Number(m[1]);
  return m[2] === '$' && /^[1-9][0-9]*$/.test(m[1]!) && n >= ROUNDS_MIN && n <= ROUNDS_MAX;
}

/**
 * SHA-crypt of `password` (raw bytes; ends at its first NUL) with the `$5$`/`$6$`
 * `setting`: the result string (`$5$[rounds=N$]salt$hash`), or undefined when the
 * setting has another prefix or a `rounds=` that is not a number followed by '$'.
 * The salt is used as written (the caller checks its characters).
 */
export async function shaCrypt(password: Uint8Array, setting: string): Promise<string | undefined> {
  const parsed = parseSetting(setting);
  if (!parsed) return undefined;
  const { algorithm, rounds } = parsed;
  const nul = password.indexOf(0);
  const key = nul < 0 ? password : password.subarray(0, nul);
  const salt = Buffer.from(parsed.salt, 'latin1');
  const size = algorithm === 'sha256' ? 32 : 64;

  const b = createHash(algorithm).update(key).update(salt).update(key).digest();
  const actx = createHash(algorithm).update(key).update(salt).update(repeatTo(b, key.length));
  for (let n = key.length; n > 0; n >>>= 1) actx.update(n & 1 ? b : key);
  const a = actx.digest();

  const dpCtx = createHash(algorithm);
  for (let i = 0; i < key.length; i++) dpCtx.update(key);
  const p = repeatTo(dpCtx.digest(), key.length);

  const dsCtx = createHash(algorithm);
  for (let i = 0; i < 16 + a[0]!; i++) dsCtx.update(salt);
  const s = dsCtx.digest().subarray(0, salt.length);

  // Each round hashes at most C + S' + P' + P' (or P' + S' + P' + C): one reusable buffer.
  const buf = Buffer.alloc(2 * size + salt.length + 2 * key.length);
  let c = a;
  let sliceStart = performance.now();
  for (let i = 0; i < rounds; i++) {
    let n = (i & 1 ? p : c).copy(buf, 0);
    if (i % 3) n += s.copy(buf, n);
    if (i % 7) n += p.copy(buf, n);
    n += (i & 1 ? c : p).copy(buf, n);
    c = hash(algorithm, buf.subarray(0, n), 'buffer');
    if ((i & 15) === 15 && performance.now() - sliceStart >= SLICE_MS) {
      await yieldImmediate();
      sliceStart = performance.now();
    }
  }

  let out = parsed.prefix;
  if (parsed.customRounds) out += `rounds=${rounds}$`;
  out += `${parsed.salt}$`;
  for (const [x, y, z] of size === 32 ? SHA256_GROUPS : SHA512_GROUPS)
    out += encode24(c[x]!, c[y]!, c[z]!, 4);
  out += size === 32 ? encode24(0, c[31]!, c[30]!, 3) : encode24(0, 0, c[63]!, 2);
  return out;
}
