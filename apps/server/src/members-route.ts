import type { FastifyReply, FastifyRequest } from 'fastify';
import type { V2Context } from './context.ts';
import { bodyBytes, sendMethodNotAllowed, sendPlainError } from './go-http.ts';
import { goJson } from './go-json.ts';
import { addMember, updateMember } from './member-changes.ts';
import { removeMember } from './member-removal.ts';
import type { MemberInfo } from './options.ts';

export const membersPrefix = '/v2/members';

const memberMethods = ['GET', 'POST', 'DELETE', 'PUT'];

/** `/v2/members`, `/v2/members/leader`, `/v2/members/<id>`: etcd's membersHandler. */
export function handleMembers(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
): FastifyReply | Promise<FastifyReply> {
  if (!memberMethods.includes(request.method)) return sendMethodNotAllowed(reply, memberMethods);
  reply.header('X-Etcd-Cluster-Id', context.options.clusterId);
  const rest = trimSlashes(path.slice(membersPrefix.length));
  if (request.method !== 'GET') context.statistics.recordAuthenticationCheck();
  if (request.method === 'POST') return addMember(context, request, reply);
  if (request.method === 'DELETE' || request.method === 'PUT') {
    // etcd's getID: no id at all is Go's plain 405.
    if (rest === '') return sendPlainError(reply, 405, 'Method Not Allowed');
    if (request.method === 'DELETE') return removeMember(context, request, reply, rest);
    return updateMember(context, request, reply, rest);
  }
  const members = sortedMembers(context.options.members());
  if (rest === '') return sendJson(reply, 200, { members: members.map(memberJson) });
  if (rest !== 'leader') return sendHttpError(reply, 404, 'Not found');
  const leader = context.node.status().leader;
  const member = members.find((candidate) => candidate.nodeId === leader);
  if (leader === '' || member === undefined) return sendHttpError(reply, 503, 'During election');
  return sendJson(reply, 200, memberJson(member));
}

/** etcd lists members by id; its JSON field order is id, name, peerURLs, clientURLs. */
function sortedMembers(members: readonly MemberInfo[]): MemberInfo[] {
  return [...members].sort((left, right) => compareHexIds(left.id, right.id));
}

function compareHexIds(left: string, right: string): number {
  const difference = BigInt(`0x${left}`) - BigInt(`0x${right}`);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

function memberJson(member: MemberInfo) {
  return { id: member.id, name: member.name, peerURLs: member.peerURLs, clientURLs: member.clientURLs };
}

/** etcd's members encoder adds a newline (json.Encoder). */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header('Content-Type', 'application/json')
    .send(bodyBytes(`${goJson(body)}\n`));
}

/** etcd's `httptypes.HTTPError`: `{"message":…}`, no newline. */
export function sendHttpError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .header('Content-Type', 'application/json')
    .send(bodyBytes(goJson({ message })));
}

function trimSlashes(text: string): string {
  return text.replace(/^\/+|\/+$/g, '');
}
