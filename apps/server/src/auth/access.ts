import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { roleAllowsKey } from '@concord/kv';
import { type AuthUser, guestRoleName, rootRoleName, UnauthorizedError } from '@concord/protocol';
import type { FastifyReply } from 'fastify';
import type { V2Context } from '../context.ts';
import { sendEtcdError } from '../etcd-reply.ts';
import { sendHttpError } from '../members-route.ts';
import type { V2Reply, V2Request } from '../reply.ts';
import { parseBasicAuth } from './basic-auth.ts';

/** Who a request is: no credentials (the guest role applies), a user, or refused credentials. */
type Identity =
  | { readonly kind: 'guest' }
  | { readonly kind: 'user'; readonly user: AuthUser }
  | { readonly kind: 'refused' };

/**
 * etcd's `userFromBasicAuth`. An `Authorization` header that is not valid Basic auth, names no
 * user, or has the wrong password is refused outright: it does not fall back to the guest role.
 * Without the header, on a member that verifies client certificates (`--client-cert-auth`),
 * the common name of the client's certificate (or of a certificate above it in its verified
 * chain) that names a user makes the request that user's, as etcd's `userFromClientCertificate`.
 */
async function identify(context: V2Context, request: V2Request): Promise<Identity> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    const user = context.options.tls?.settings.verifyClients
      ? userFromClientCertificate(context, request)
      : null;
    return user === null ? { kind: 'guest' } : { kind: 'user', user };
  }
  const credentials = parseBasicAuth(header);
  if (credentials === null) return { kind: 'refused' };
  const auth = context.node.store.auth;
  const user = auth.user(credentials.user);
  if (user === undefined) return { kind: 'refused' };
  const verified = await context.credentials.check(credentials.user, credentials.password, user.password);
  if (!verified) return { kind: 'refused' };
  // The user may have changed while the password was hashed: judge by what holds now.
  const current = auth.user(credentials.user);
  return current?.password === user.password ? { kind: 'user', user: current } : { kind: 'refused' };
}

function userFromClientCertificate(context: V2Context, request: V2Request): AuthUser | null {
  const socket = request.raw.socket as Partial<TLSSocket>;
  // Only a certificate the TLS handshake verified against --trusted-ca-file counts.
  if (socket.authorized !== true || socket.getPeerCertificate === undefined) return null;
  const auth = context.node.store.auth;
  let certificate: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<DetailedPeerCertificate>();
  while (certificate !== undefined && certificate.subject !== undefined && !seen.has(certificate)) {
    seen.add(certificate);
    const commonName = certificate.subject.CN;
    const user = typeof commonName === 'string' ? auth.user(commonName) : undefined;
    if (user !== undefined) return user;
    // The root of the chain is its own issuer.
    certificate = certificate.issuerCertificate;
  }
  return null;
}

/** etcd's `hasRootAccess`: auth disabled, or a user with the root role. */
export async function hasRootAccess(context: V2Context, request: V2Request): Promise<boolean> {
  if (!context.node.store.auth.enabled) return true;
  const identity = await identify(context, request);
  return identity.kind === 'user' && (identity.user.roles ?? []).includes(rootRoleName);
}

/**
 * etcd's `hasKeyPrefixAccess`: reads (GET, HEAD, and so watches) need read permission on the
 * key, every other method write permission; a recursive request needs a star pattern. Without
 * credentials the guest role decides, by its exact rules (never recursively).
 */
export async function hasKeyAccess(
  context: V2Context,
  request: V2Request,
  key: string,
  recursive: boolean,
): Promise<boolean> {
  const auth = context.node.store.auth;
  if (!auth.enabled) return true;
  const write = request.method !== 'GET' && request.method !== 'HEAD';
  const identity = await identify(context, request);
  if (identity.kind === 'refused') return false;
  if (identity.kind === 'guest') {
    const guest = auth.role(guestRoleName);
    return guest !== undefined && roleAllowsKey(guest, key, write, false);
  }
  return (identity.user.roles ?? []).some((name) => {
    const role = auth.role(name);
    return role !== undefined && roleAllowsKey(role, key, write, recursive);
  });
}

/** etcd's `writeNoAuth` on /v2/auth and /v2/members: 401 `{"message":"Insufficient credentials"}`. */
export function sendNoAuth(reply: FastifyReply): FastifyReply {
  return sendHttpError(reply, 401, 'Insufficient credentials');
}

/** etcd's `writeKeyNoAuth` on /v2/keys: error 110 with index 0. */
export function sendKeyNoAuth<R extends V2Reply>(reply: R): R {
  return sendEtcdError(reply, new UnauthorizedError('Insufficient credentials', 0));
}
