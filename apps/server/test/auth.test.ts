// v2 auth on a Concord member alone (auth-differential.test.ts compares with etcd): a user
// without permission can neither read, write nor watch outside its prefixes; root can do
// everything; refusals are error 110.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConcordMember, startConcordMember } from './concord-member.ts';
import { type RawResponse, sendRaw } from './raw-http.ts';

let member: ConcordMember;

const basic = (credentials: string) => ({
  authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
});
const root = basic('root:rootpw');
const worker = basic('worker:pw');

function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  return sendRaw(member.url, {
    method,
    path,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function expectRefused(response: RawResponse): void {
  expect(response.status).toBe(401);
  expect(JSON.parse(response.body)).toEqual({
    errorCode: 110,
    message: 'The request requires user authentication',
    cause: 'Insufficient credentials',
    index: 0,
  });
}

beforeAll(async () => {
  member = await startConcordMember();
  await call('PUT', '/v2/keys/jobs/1?value=queued');
  await call('PUT', '/v2/keys/secrets/db?value=hunter2');
  await call('PUT', '/v2/auth/users/root', {}, { user: 'root', password: 'rootpw' });
  await call(
    'PUT',
    '/v2/auth/roles/jobs',
    {},
    {
      role: 'jobs',
      permissions: { kv: { read: ['/jobs/*'], write: ['/jobs/*'] } },
    },
  );
  await call('PUT', '/v2/auth/users/worker', {}, { user: 'worker', password: 'pw', roles: ['jobs'] });
  expect((await call('PUT', '/v2/auth/enable')).status).toBe(200);
  const closed = await call('PUT', '/v2/auth/roles/guest', root, {
    role: 'guest',
    revoke: { kv: { read: ['/*'], write: ['/*'] } },
  });
  expect(closed.status).toBe(200);
}, 30_000);

afterAll(async () => {
  await member?.stop();
});

describe('v2 auth enforcement', () => {
  it('lets a user read and write inside its prefix', async () => {
    expect(JSON.parse((await call('GET', '/v2/keys/jobs/1', worker)).body).node.value).toBe('queued');
    expect((await call('PUT', '/v2/keys/jobs/2?value=new', worker)).status).toBe(201);
    expect((await call('GET', '/v2/keys/jobs/?recursive=true', worker)).status).toBe(200);
    expect((await call('DELETE', '/v2/keys/jobs/2', worker)).status).toBe(200);
  });

  it('refuses every read, write and watch outside it', async () => {
    expectRefused(await call('GET', '/v2/keys/secrets/db', worker));
    expect((await call('HEAD', '/v2/keys/secrets/db', worker)).status).toBe(401);
    expectRefused(await call('GET', '/v2/keys/?recursive=true', worker));
    expectRefused(await call('GET', '/v2/keys/jobs?recursive=true', worker));
    expectRefused(await call('PUT', '/v2/keys/secrets/db?value=stolen', worker));
    expectRefused(await call('POST', '/v2/keys/secrets?value=x', worker));
    expectRefused(await call('DELETE', '/v2/keys/secrets/db', worker));
    expectRefused(await call('GET', '/v2/keys/secrets/db?wait=true', worker));
    expectRefused(await call('GET', '/v2/keys/secrets?wait=true&recursive=true&stream=true', worker));
    expectRefused(await call('GET', '/v2/keys/?wait=true&recursive=true&waitIndex=1', worker));
    expect(JSON.parse((await call('GET', '/v2/keys/secrets/db', root)).body).node.value).toBe('hunter2');
  });

  it('refuses requests without credentials or with wrong ones, and management by non-root users', async () => {
    expectRefused(await call('GET', '/v2/keys/jobs/1'));
    expectRefused(await call('GET', '/v2/keys/jobs/1', basic('worker:wrong')));
    expectRefused(await call('GET', '/v2/keys/jobs/1', basic('ghost:pw')));
    for (const response of [
      await call('GET', '/v2/auth/users', worker),
      await call('DELETE', '/v2/auth/enable', worker),
      await call('PUT', '/v2/auth/users/worker', worker, { user: 'worker', grant: ['root'] }),
      await call('DELETE', '/v2/members/1234', worker),
    ]) {
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body)).toEqual({ message: 'Insufficient credentials' });
    }
  });

  it('lets root do everything', async () => {
    expect((await call('PUT', '/v2/keys/anywhere?value=1', root)).status).toBe(201);
    expect((await call('GET', '/v2/keys/?recursive=true', root)).status).toBe(200);
    expect((await call('DELETE', '/v2/keys/anywhere', root)).status).toBe(200);
    expect(JSON.parse((await call('GET', '/v2/auth/users', root)).body).users).toHaveLength(2);
  });

  it('applies a password change at once, whatever was verified before', async () => {
    expect((await call('GET', '/v2/keys/jobs/1', worker)).status).toBe(200);
    const changed = await call('PUT', '/v2/auth/users/worker', root, {
      user: 'worker',
      password: 'n3w-passw0rd',
    });
    expect(changed.status).toBe(200);
    expectRefused(await call('GET', '/v2/keys/jobs/1', worker));
    expect((await call('GET', '/v2/keys/jobs/1', basic('worker:n3w-passw0rd'))).status).toBe(200);
  });

  it('stores no password in the clear', () => {
    const stored = member.node.store.auth.user('worker')!.password;
    expect(stored).toMatch(/^scrypt\$/);
    expect(new TextDecoder().decode(member.node.store.snapshot())).not.toContain('n3w-passw0rd');
  });
});
