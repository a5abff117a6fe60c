import type { FastifyReply } from 'fastify';
import type { V2Context } from './context.ts';
import { formatGoDuration } from './go-duration.ts';
import { bodyBytes } from './go-http.ts';
import { goJson } from './go-json.ts';
import { sendHttpError } from './members-route.ts';

const raftStateNames = {
  follower: 'StateFollower',
  preCandidate: 'StatePreCandidate',
  candidate: 'StateCandidate',
  leader: 'StateLeader',
} as const;

/** `/v2/stats/store`: etcd's counters (no trailing newline, as etcd writes raw bytes). */
export function sendStoreStats(context: V2Context, reply: FastifyReply): FastifyReply {
  return sendRawJson(reply, context.statistics.toJSON(context.clientWatcherCount));
}

/**
 * `/v2/stats/self`. Concord does not count append requests or measure rates per member
 * yet: the counters are 0 and the rate fields are left out, as etcd leaves out zero rates.
 */
export function sendSelfStats(context: V2Context, reply: FastifyReply): FastifyReply {
  const status = context.node.status();
  const { leader, since } = context.leaderSince();
  const self = memberIdOf(context, status.memberId);
  return sendRawJson(reply, {
    name: context.options.memberName,
    id: self,
    state: raftStateNames[status.role],
    startTime: context.startedAt.toISOString(),
    leaderInfo: {
      leader: leader === '' ? '' : memberIdOf(context, leader),
      uptime: formatGoDuration(Date.now() - since.getTime()),
      startTime: since.toISOString(),
    },
    recvAppendRequestCnt: 0,
    sendAppendRequestCnt: 0,
  });
}

/**
 * `/v2/stats/leader`: 403 on a follower, as etcd answers. Followers' latencies are not
 * measured yet (zeros); counts are those of the leader's view of their progress.
 */
export function sendLeaderStats(context: V2Context, reply: FastifyReply): FastifyReply {
  const status = context.node.status();
  if (status.role !== 'leader') return sendHttpError(reply, 403, 'not current leader');
  const followers: Record<string, unknown> = {};
  for (const member of context.options.members()) {
    if (member.nodeId === status.memberId) continue;
    followers[member.id] = {
      latency: { current: 0, average: 0, standardDeviation: 0, minimum: 0, maximum: 0 },
      counts: { fail: 0, success: 0 },
    };
  }
  return sendRawJson(reply, { leader: memberIdOf(context, status.memberId), followers });
}

function memberIdOf(context: V2Context, nodeId: string): string {
  return context.options.members().find((member) => member.nodeId === nodeId)?.id ?? nodeId;
}

function sendRawJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply
    .code(200)
    .header('Content-Type', 'application/json')
    .send(bodyBytes(goJson(body)));
}
