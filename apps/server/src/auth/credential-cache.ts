import { createHmac, randomBytes } from 'node:crypto';

/** How long a verified user name and password are trusted without hashing again. */
export const credentialCacheTtlMs = 10_000;
export const credentialCacheEntriesMax = 1024;

interface Entry {
  /** The stored hash the password was verified against: a changed password misses. */
  readonly storedHash: string;
  readonly expiresAtMs: number;
}

/**
 * Verified credentials for a short while, so that a burst of requests from one client costs
 * one hash, not one each; concurrent checks of the same credentials share one hash too.
 * Keys are HMACs of user and password under a key made at start, so the cache holds no
 * password. Only successes are kept. Bounded: the oldest entry goes first.
 */
export class CredentialCache {
  private readonly secret = randomBytes(32);
  private readonly verified = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly verify: (password: string, storedHash: string) => Promise<boolean>,
    private readonly clock: () => number = Date.now,
  ) {}

  check(user: string, password: string, storedHash: string): Promise<boolean> {
    const key = createHmac('sha256', this.secret).update(user).update('\0').update(password).digest('base64');
    const entry = this.verified.get(key);
    if (entry !== undefined && entry.storedHash === storedHash && entry.expiresAtMs > this.clock()) {
      return Promise.resolve(true);
    }
    const flightKey = `${key}\0${storedHash}`;
    const pending = this.inFlight.get(flightKey);
    if (pending !== undefined) return pending;
    const verification = this.verify(password, storedHash)
      .then((ok) => {
        if (ok) this.remember(key, storedHash);
        return ok;
      })
      .finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, verification);
    return verification;
  }

  private remember(key: string, storedHash: string): void {
    this.verified.delete(key);
    if (this.verified.size >= credentialCacheEntriesMax) {
      const oldest = this.verified.keys().next().value as string;
      this.verified.delete(oldest);
    }
    this.verified.set(key, { storedHash, expiresAtMs: this.clock() + credentialCacheTtlMs });
  }
}
