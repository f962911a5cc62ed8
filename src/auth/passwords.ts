import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError, ErrorCode, badInput } from '../shared/errors.js';

// Passwords are hashed with scrypt (node:crypto, OpenSSL's implementation). The cost parameters are
// stored with each hash, so raising them later leaves older hashes verifiable.

/** N=2^15, r=8, p=3: one of OWASP's equivalent minimums for scrypt (32 MiB a hash) */
const cost = { N: 2 ** 15, r: 8, p: 3 };
const keyLength = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  const maxmem = 256 * options.N! * options.r! + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export const passwordRules = 'a password of 10 to 200 characters';

/** Refuses passwords too short to resist guessing, or too long to hash cheaply. */
export function checkPassword(password: string, field = 'password'): void {
  const length = [...password].length;
  if (length < 10 || length > 200) throw badInput(field, `must be ${passwordRules}`);
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Password checks at once in this process, and waiting beyond them: a burst of logins cannot take every core. */
export const verifyLimits = { running: 2, waiting: 32 };
let running = 0;
const queue: (() => void)[] = [];

/**
 * True when `password` is the one hashed; false for a wrong one or a hash this code cannot read.
 * Refused with TOO_MANY_REQUESTS when more checks wait than verifyLimits allows.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  if (running >= verifyLimits.running) {
    if (queue.length >= verifyLimits.waiting) {
      throw new AppError(ErrorCode.TooManyRequests, 'the hub is busy checking passwords: try again shortly', { retryAfterSeconds: 5 });
    }
    // woken with the slot of the check that ended: running stays as it is
    await new Promise<void>((resolve) => queue.push(resolve));
  } else {
    running += 1;
  }
  try {
    const expected = Buffer.from(hash, 'base64url');
    const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
    return key.length === expected.length && timingSafeEqual(key, expected);
  } finally {
    const next = queue.shift();
    if (next) next();
    else running -= 1;
  }
}

let decoy: Promise<string> | undefined;
/** A hash to verify against when the name is unknown, so a wrong name takes as long as a wrong password. */
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
