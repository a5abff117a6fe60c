import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords are stored as scrypt hashes, `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64). scrypt
 * rather than etcd's bcrypt: it is in Node's own crypto (no native add-on, no pure-JS bcrypt
 * that would hash on the event loop), it runs on libuv's thread pool so a hash never blocks
 * request handling, and it is memory-hard. N = 2^14, r = 8, p = 1 (16 MiB, tens of ms) is the
 * interactive-login setting its authors recommend.
 */
const cost = { N: 16_384, r: 8, p: 1 } as const;
const saltBytes = 16;
const hashBytes = 32;
/** Room for N·r·128 bytes and some slack; Node refuses parameters beyond `maxmem`. */
const memoryBytesMax = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, salt, hashBytes, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when `password` is the one `stored` was made from; false for any malformed `stored`. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (![N, r, p].every((value) => Number.isSafeInteger(value) && value > 0) || expected.length === 0) {
    return false;
  }
  try {
    const actual = await derive(password, salt, expected.length, { N, r, p });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { ...options, maxmem: memoryBytesMax }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}
