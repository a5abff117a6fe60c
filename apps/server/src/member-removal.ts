import { MembershipError } from '@concord/kv';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { V2Context } from './context.ts';
import { sendHttpError } from './members-route.ts';

/** Marks a request one member forwarded to the leader, so that it is never forwarded twice. */
const forwardedHeader = 'x-concord-forwarded';

/**
 * `DELETE /v2/members/<id>`: removes a member through a Raft membership change. Any member
 * takes the request; a follower forwards it to the leader. Answers as etcd: 204 when removed,
 * 404 `No such member`; a removal that would leave too few active voters for a quorum, or that
 * comes while another change is in progress, is refused with 412 or 409 and a message saying why.
 */
export async function removeMember(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
): Promise<FastifyReply> {
  const target = context.options.members().find((member) => member.id === id);
  if (target === undefined) return sendHttpError(reply, 404, `No such member: ${id}`);
  try {
    await context.node.removeMember(target.nodeId);
    return reply.code(204).send();
  } catch (error) {
    if (!(error instanceof MembershipError)) {
      return sendHttpError(reply, 500, (error as Error).message);
    }
    switch (error.refusal) {
      case 'not-leader':
        return forwardToLeader(context, request, reply, id, error.leader);
      case 'not-found':
        return sendHttpError(reply, 404, `No such member: ${id}`);
      case 'in-progress':
        return sendHttpError(reply, 409, error.message);
      default:
        return sendHttpError(reply, 412, error.message);
    }
  }
}

async function forwardToLeader(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  leaderId: string,
): Promise<FastifyReply> {
  const leader = context.options.members().find((member) => member.nodeId === leaderId);
  const url = leader?.clientURLs[0];
  if (request.headers[forwardedHeader] !== undefined || url === undefined) {
    return sendHttpError(reply, 503, 'no leader is known at the moment; try again');
  }
  try {
    const response = await fetch(`${url}/v2/members/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      headers: { [forwardedHeader]: '1' },
      signal: AbortSignal.timeout(15_000),
    });
    const body = await response.text();
    reply.code(response.status);
    const contentType = response.headers.get('content-type');
    if (contentType !== null) reply.header('Content-Type', contentType);
    return reply.send(body === '' ? undefined : body);
  } catch (error) {
    return sendHttpError(reply, 503, `the leader could not be reached: ${(error as Error).message}`);
  }
}
