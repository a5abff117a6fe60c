import { describe, expect, it } from 'vitest';
import { parseBasicAuth } from './basic-auth.ts';
import { CredentialCache, credentialCacheTtlMs } from './credential-cache.ts';
import { hashPassword, verifyPassword } from './password.ts';

describe('passwords', () => {
  it('verifies the password a hash was made from, and nothing else', async () => {
    const hash = await hashPassword('s3cret');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain('s3cret');
    expect(await verifyPassword('s3cret', hash)).toBe(true);
    expect(await verifyPassword('s3cret!', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    for (const stored of [
      '',
      'bcrypt$x',
      'scrypt$0$8$1$AA==$AA==',
      'scrypt$16384$8$1$AA==$',
      'scrypt$a$b$c$d$e',
    ]) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });
});

describe('credential cache', () => {
  function counting(result = true) {
    const calls: string[] = [];
    const verify = async (password: string, stored: string) => {
      calls.push(`${password}/${stored}`);
      return result;
    };
    return { calls, verify };
  }

  it('hashes once for a burst of the same credentials', async () => {
    const { calls, verify } = counting();
    const cache = new CredentialCache(verify);
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.check('u', 'pw', 'h1')));
    expect(answers.every(Boolean)).toBe(true);
    expect(await cache.check('u', 'pw', 'h1')).toBe(true);
    expect(calls).toEqual(['pw/h1']);
  });

  it('checks again once the stored hash changed or the entry expired', async () => {
    let nowMs = 0;
    const { calls, verify } = counting();
    const cache = new CredentialCache(verify, () => nowMs);
    await cache.check('u', 'pw', 'h1');
    await cache.check('u', 'pw', 'h2');
    nowMs = credentialCacheTtlMs + 1;
    await cache.check('u', 'pw', 'h2');
    expect(calls).toEqual(['pw/h1', 'pw/h2', 'pw/h2']);
  });

  it('never keeps a failed check', async () => {
    const { calls, verify } = counting(false);
    const cache = new CredentialCache(verify);
    expect(await cache.check('u', 'bad', 'h1')).toBe(false);
    expect(await cache.check('u', 'bad', 'h1')).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('keeps a different password of the same user apart', async () => {
    const { calls, verify } = counting();
    const cache = new CredentialCache(verify);
    await cache.check('u', 'a', 'h');
    await cache.check('u', 'b', 'h');
    expect(calls).toEqual(['a/h', 'b/h']);
  });
});

describe('basic auth header', () => {
  const encode = (text: string) => Buffer.from(text).toString('base64');

  it('splits user and password at the first colon, in any case of the scheme', () => {
    expect(parseBasicAuth(`Basic ${encode('alice:pa:ss')}`)).toEqual({ user: 'alice', password: 'pa:ss' });
    expect(parseBasicAuth(`bAsIc ${encode('bob:')}`)).toEqual({ user: 'bob', password: '' });
  });

  it('refuses what Go refuses', () => {
    expect(parseBasicAuth('Bearer x')).toBeNull();
    expect(parseBasicAuth(`Basic ${encode('no colon')}`)).toBeNull();
    expect(parseBasicAuth('Basic !!!!')).toBeNull();
    expect(parseBasicAuth('Basic abc')).toBeNull();
  });
});
