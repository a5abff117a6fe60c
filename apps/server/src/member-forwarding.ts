import { MembershipError } from '@concord/kv';
import { EtcdError } from '@concord/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { V2Context } from './context.ts';
import { sendHttpError } from './members-route.ts';
import type { RequestBody } from './request-body.ts';

/** Marks a request one member forwarded to the leader, so that it is never forwarded twice. */
const forwardedHeader = 'x-concord-forwarded';

/**
 * Answers a failed membership change: a follower forwards it to the leader; a refusal gets
 * etcd's `{"message":…}` with 404 (unknown member), 409 (an id or peer URL in use, another
 * change in progress), 412 (a quorum would be lost) or 503 (no leader, a timeout).
 */
export function sendMembershipFailure(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply | Promise<FastifyReply> {
  if (error instanceof EtcdError) return sendHttpError(reply, 503, error.message);
  if (!(error instanceof MembershipError)) return sendHttpError(reply, 503, (error as Error).message);
  switch (error.refusal) {
    case 'not-leader':
      return forwardToLeader(context, request, reply, error.leader);
    case 'not-found':
      return sendHttpError(reply, 404, error.message);
    case 'in-progress':
    case 'url-in-use':
    case 'id-in-use':
      return sendHttpError(reply, 409, error.message);
    case 'quorum':
      return sendHttpError(reply, 412, error.message);
    default:
      return sendHttpError(reply, 503, error.message);
  }
}

/** Sends the same request to the leader's client URL and relays its answer. */
async function forwardToLeader(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
  leaderId: string,
): Promise<FastifyReply> {
  const leader = context.options.members().find((member) => member.nodeId === leaderId);
  const url = leader?.clientURLs[0];
  if (request.headers[forwardedHeader] !== undefined || url === undefined) {
    return sendHttpError(reply, 503, 'no leader is known at the moment; try again');
  }
  const body = request.body as RequestBody | undefined;
  const headers: Record<string, string> = { [forwardedHeader]: '1' };
  const contentType = request.headers['content-type'];
  if (contentType !== undefined) headers['content-type'] = contentType;
  try {
    const response = await fetch(`${url}${request.raw.url ?? ''}`, {
      method: request.method,
      headers,
      ...(body?.kind === 'json' ? { body: body.bytes } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const answer = await response.text();
    if (response.ok) {
      // Answer only once this member has applied the change too (as etcd, where the member
      // that took the request waits for its own apply), so that a listing asked of it next
      // shows the change: a linearizable read waits for everything committed so far.
      await context.node.read(() => undefined, { quorum: true }).catch(() => {});
    }
    reply.code(response.status);
    const answerType = response.headers.get('content-type');
    if (answerType !== null) reply.header('Content-Type', answerType);
    return reply.send(answer === '' ? undefined : answer);
  } catch (error) {
    return sendHttpError(reply, 503, `the leader could not be reached: ${(error as Error).message}`);
  }
}
