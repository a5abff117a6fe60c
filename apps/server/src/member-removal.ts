import type { FastifyReply, FastifyRequest } from 'fastify';
import type { V2Context } from './context.ts';
import { sendMembershipFailure } from './member-forwarding.ts';
import { parseMemberId } from './member-request.ts';
import { sendHttpError } from './members-route.ts';

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
  idText: string,
): Promise<FastifyReply> {
  const id = parseMemberId(idText);
  const target = context.options.members().find((member) => member.id === id);
  if (target === undefined) return sendHttpError(reply, 404, `No such member: ${id ?? idText}`);
  try {
    await context.node.removeMember(target.nodeId);
    return reply.code(204).send();
  } catch (error) {
    return sendMembershipFailure(context, request, reply, error);
  }
}
