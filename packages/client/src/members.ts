import type { Cluster } from './cluster.ts';
import { InvalidResponseError } from './cluster-error.ts';
import { parseJson } from './replies.ts';
import type { HttpReply } from './transport.ts';

/** A cluster member as `/v2/members` describes it; `name` is empty while it has not started. */
export interface Member {
  readonly id: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
}

/** A refusal of the members API; the message is the server's (Go's `membersError`). */
export class MembersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MembersError';
  }
}

export interface MemberCallOptions {
  readonly signal?: AbortSignal;
}

export async function listMembers(cluster: Cluster, options: MemberCallOptions = {}): Promise<Member[]> {
  const reply = await cluster.call((endpoint) => ({ method: 'GET', url: `${endpoint}/v2/members` }), options);
  expectStatus(reply, [200]);
  return parseJson(reply.body, (value) => {
    const members = (value as { members?: unknown }).members;
    if (!Array.isArray(members)) throw new Error('no members');
    return members.map(toMember);
  });
}

export async function leaderMember(cluster: Cluster, options: MemberCallOptions = {}): Promise<Member> {
  const reply = await cluster.call(
    (endpoint) => ({ method: 'GET', url: `${endpoint}/v2/members/leader` }),
    options,
  );
  expectStatus(reply, [200]);
  return parseJson(reply.body, toMember);
}

export async function addMember(
  cluster: Cluster,
  peerUrl: string,
  options: MemberCallOptions = {},
): Promise<Member> {
  const reply = await cluster.call(
    (endpoint) => ({
      method: 'POST',
      url: `${endpoint}/v2/members`,
      body: JSON.stringify({ peerURLs: [peerUrl] }),
      contentType: 'application/json',
    }),
    options,
  );
  expectStatus(reply, [201, 409]);
  if (reply.status === 409) throw new MembersError(parseJson(reply.body, messageOf));
  return parseJson(reply.body, toMember);
}

/** Sets a member's peer URLs (etcd's member update): 204, or the server's message for 404 and 409. */
export async function updateMember(
  cluster: Cluster,
  id: string,
  peerUrls: readonly string[],
  options: MemberCallOptions = {},
): Promise<void> {
  const reply = await cluster.call(
    (endpoint) => ({
      method: 'PUT',
      url: `${endpoint}/v2/members/${encodeURIComponent(id)}`,
      body: JSON.stringify({ peerURLs: peerUrls }),
      contentType: 'application/json',
    }),
    options,
  );
  expectStatus(reply, [204, 404, 409]);
  if (reply.status !== 204) throw new MembersError(parseJson(reply.body, messageOf));
}

export async function removeMember(
  cluster: Cluster,
  id: string,
  options: MemberCallOptions = {},
): Promise<void> {
  const reply = await cluster.call(
    (endpoint) => ({ method: 'DELETE', url: `${endpoint}/v2/members/${encodeURIComponent(id)}` }),
    options,
  );
  expectStatus(reply, [204, 410]);
  if (reply.status === 410) throw new MembersError(parseJson(reply.body, messageOf));
}

/** Go's client wording for an answer with an unexpected status. */
function expectStatus(reply: HttpReply, expected: readonly number[]): void {
  if (!expected.includes(reply.status)) throw new MembersError(`unexpected status code ${reply.status}`);
}

function messageOf(value: unknown): string {
  const message = (value as { message?: unknown }).message;
  if (typeof message !== 'string') throw new InvalidResponseError('no message');
  return message;
}

function toMember(value: unknown): Member {
  const member = value as Partial<Record<keyof Member, unknown>>;
  if (typeof member.id !== 'string') throw new InvalidResponseError('member without id');
  return {
    id: member.id,
    name: typeof member.name === 'string' ? member.name : '',
    peerURLs: stringList(member.peerURLs),
    clientURLs: stringList(member.clientURLs),
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
