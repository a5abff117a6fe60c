import type { FastifyReply, FastifyRequest } from 'fastify';
import type { V2Context } from './context.ts';
import { newMemberId } from './member/identity.ts';
import { sendMembershipFailure } from './member-forwarding.ts';
import { parseMemberId, parsePeerUrlsRequest } from './member-request.ts';
import { sendHttpError, sendJson } from './members-route.ts';

/**
 * `POST /v2/members {"peerURLs":[…]}`: adds a member, as a learner that the leader promotes to
 * a voter once it has caught up. Answers as etcd: 201 with the new member (no name and no
 * client URLs until it starts), 400 for bad JSON or URLs, 415 for another content type, 409
 * `membership: peerURL exists`; and 409 or 412 with a message when the change must wait.
 */
export async function addMember(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const peerURLs = parsePeerUrlsRequest(request);
  if (!Array.isArray(peerURLs)) return sendHttpError(reply, peerURLs.status, peerURLs.message);
  const members = context.options.members();
  if (members.some((member) => member.peerURLs.some((url) => peerURLs.includes(url)))) {
    return sendHttpError(reply, 409, 'membership: peerURL exists');
  }
  const id = newMemberId(peerURLs, context.options.clusterId);
  try {
    await context.node.addMember(id, peerURLs);
  } catch (error) {
    return sendMembershipFailure(context, request, reply, error);
  }
  return sendJson(reply, 201, { id, name: '', peerURLs, clientURLs: [] });
}

/**
 * `PUT /v2/members/<id> {"peerURLs":[…]}`: sets a member's peer URLs through the log; every
 * member then dials the new ones. Answers as etcd: 204, 404 `No such member: <id>`, 409
 * `membership: peerURL exists`, 400 and 415 as for POST.
 */
export async function updateMember(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
  idText: string,
): Promise<FastifyReply> {
  const peerURLs = parsePeerUrlsRequest(request);
  if (!Array.isArray(peerURLs)) return sendHttpError(reply, peerURLs.status, peerURLs.message);
  const id = parseMemberId(idText);
  const members = context.options.members();
  const target = members.find((member) => member.id === id);
  if (target === undefined) return sendHttpError(reply, 404, `No such member: ${id ?? idText}`);
  const owner = members.find(
    (member) => member !== target && member.peerURLs.some((url) => peerURLs.includes(url)),
  );
  if (owner !== undefined) return sendHttpError(reply, 409, 'membership: peerURL exists');
  try {
    await context.node.updateMemberPeers(target.nodeId, peerURLs);
    return reply.code(204).send();
  } catch (error) {
    return sendMembershipFailure(context, request, reply, error);
  }
}
