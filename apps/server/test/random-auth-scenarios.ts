import { headersOf } from './auth-scenarios.ts';
import { seededRandom } from './random-scenarios.ts';
import type { RequestSpec, Scenario, Step } from './scenario-runner.ts';

/**
 * Seeded random sequences for the auth differential test: two users with a role each over
 * parts of the scenario's keys, auth enabled, then key requests with every kind of
 * credentials (root, either user, a wrong password, an unknown user, none) mixed with changes
 * to the roles and users while auth is on: permissions granted and revoked, roles granted to
 * and revoked from users, a password changed, the guest role's access taken away and given
 * back, listings. The scenario ends as every auth scenario does: auth disabled, its users, its
 * roles and root deleted, the guest role reset. `prefix` is the key prefix the runner puts the
 * scenario's `~` keys under, which the permissions name.
 */
export function randomAuthScenario(seed: number, length: number, prefix: string): Scenario {
  const random = seededRandom(seed);
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
  const patterns = ['a*', 'a/*', 'a', 'd/*', 'd', '*', 'b'].map((pattern) => `/${prefix}/${pattern}`);
  const passwords: Record<string, string> = { ua: 'pa', ud: 'pd' };
  const steps: Step[] = [
    authCall('PUT', '/v2/auth/users/root', undefined, { user: 'root', password: 'rootpw' }),
    authCall('PUT', '/v2/auth/roles/ra', undefined, {
      role: 'ra',
      permissions: { kv: { read: [`/${prefix}/a*`], write: [`/${prefix}/a*`] } },
    }),
    authCall('PUT', '/v2/auth/roles/rd', undefined, {
      role: 'rd',
      permissions: { kv: { read: [`/${prefix}/d/*`], write: [] } },
    }),
    authCall('PUT', '/v2/auth/users/ua', undefined, { user: 'ua', password: 'pa', roles: ['ra'] }),
    authCall('PUT', '/v2/auth/users/ud', undefined, { user: 'ud', password: 'pd', roles: ['rd'] }),
    authCall('PUT', '/v2/auth/enable', root),
  ];
  for (let step = 0; step < length; step++) {
    const credentials = pick([
      root,
      `ua:${passwords.ua}`,
      `ud:${passwords.ud}`,
      undefined,
      'ua:wrong',
      'ghost:x',
    ]);
    if (random() < 0.7) {
      steps.push(keyRequest(pick, credentials));
      continue;
    }
    const role = pick(['ra', 'rd', 'guest']);
    const user = pick(['ua', 'ud']);
    // Changes to auth, mostly by root; by anyone else they are refused.
    const by = random() < 0.8 ? root : credentials;
    const change = pick([
      () => authCall('PUT', `/v2/auth/roles/${role}`, by, { role, grant: permissions(pick, patterns) }),
      () => authCall('PUT', `/v2/auth/roles/${role}`, by, { role, revoke: permissions(pick, patterns) }),
      () => authCall('PUT', `/v2/auth/users/${user}`, by, { user, grant: [pick(['ra', 'rd', 'ghost'])] }),
      () => authCall('PUT', `/v2/auth/users/${user}`, by, { user, revoke: [pick(['ra', 'rd', 'ghost'])] }),
      () => {
        const password = pick(['pa', 'pd', 'new']);
        if (by === root) passwords[user] = password;
        return authCall('PUT', `/v2/auth/users/${user}`, by, { user, password });
      },
      () => authCall('GET', pick(['/v2/auth/users', '/v2/auth/roles', `/v2/auth/roles/${role}`]), by),
      () => authCall('GET', `/v2/auth/users/${user}`, by),
    ]);
    steps.push(change());
  }
  steps.push(
    authCall('GET', '/v2/auth/roles', root),
    authCall('DELETE', '/v2/auth/enable', root),
    request({ method: 'GET', path: '~', query: 'recursive=true&sorted=true' }),
    authCall('DELETE', '/v2/auth/users/ua'),
    authCall('DELETE', '/v2/auth/users/ud'),
    authCall('DELETE', '/v2/auth/roles/ra'),
    authCall('DELETE', '/v2/auth/roles/rd'),
    authCall('DELETE', '/v2/auth/users/root'),
    authCall('DELETE', '/v2/auth/roles/guest'),
  );
  return { name: `random auth, seed ${seed}`, steps };
}

type Draw = <T>(choices: readonly T[]) => T;

const root = 'root:rootpw';

const keys = ['a', 'a/x', 'a/x/y', 'ab', 'b', 'd', 'd/e', 'd/e/f'];

/** A key request as `credentials` would send it. */
function keyRequest(pick: Draw, credentials: string | undefined): Step {
  const path = `~/${pick(keys)}`;
  const spec: RequestSpec = pick<RequestSpec>([
    { method: 'PUT', path, form: `value=${pick(['p', 'q'])}` },
    { method: 'PUT', path, form: 'dir=true' },
    { method: 'PUT', path, form: 'value=p&prevExist=false' },
    { method: 'GET', path },
    { method: 'GET', path, query: 'recursive=true&sorted=true' },
    { method: 'GET', path, query: 'quorum=true' },
    { method: 'DELETE', path },
    { method: 'DELETE', path, query: 'recursive=true' },
    { method: 'POST', path, form: 'value=v' },
  ]);
  return request({ ...spec, ...headersOf(credentials) });
}

function permissions(pick: Draw, patterns: readonly string[]): { kv: { read: string[]; write: string[] } } {
  const some = () => (pick([true, false]) ? [pick(patterns)] : []);
  return { kv: { read: some(), write: some() } };
}

function authCall(method: string, path: string, credentials?: string, json?: unknown): Step {
  return request({
    method,
    path,
    ...headersOf(credentials),
    ...(json === undefined
      ? {}
      : { body: Buffer.from(JSON.stringify(json)), contentType: 'application/json' }),
  });
}

function request(spec: RequestSpec): Step {
  return { kind: 'request', request: spec };
}
