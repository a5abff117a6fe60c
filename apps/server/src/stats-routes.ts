import { followerWithoutAppends } from '@concord/kv';
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
 * `/v2/stats/self`: append requests received (from the leader) and sent (as leader) since the
 * member started, and their rates over the latest 200 of each, left out once the latest is
 * more than a second old, as etcd leaves out a zero rate.
 */
export function sendSelfStats(context: V2Context, reply: FastifyReply): FastifyReply {
  const status = context.node.status();
  const { leader, sinceMs } = context.node.leaderSince();
  const self = memberIdOf(context, status.memberId);
  const traffic = context.options.peerStatistics?.appendTraffic();
  return sendRawJson(reply, {
    name: context.options.memberName,
    id: self,
    state: raftStateNames[status.role],
    startTime: context.startedAt.toISOString(),
    leaderInfo: {
      leader: leader === '' ? '' : memberIdOf(context, leader),
      uptime: formatGoDuration(Date.now() - sinceMs),
      startTime: new Date(sinceMs).toISOString(),
    },
    recvAppendRequestCnt: traffic?.receivedAppends ?? 0,
    recvPkgRate: traffic?.receiveRates?.appendsPerSecond,
    recvBandwidthRate: traffic?.receiveRates?.bytesPerSecond,
    sendAppendRequestCnt: traffic?.sentAppends ?? 0,
    sendPkgRate: traffic?.sendRates?.appendsPerSecond,
    sendBandwidthRate: traffic?.sendRates?.bytesPerSecond,
  });
}

/**
 * `/v2/stats/leader`: 403 on a follower, as etcd answers. For each follower, `counts` are the
 * appends written to its connection (success) and those dropped on the way (fail), as etcd
 * counts them; `latency` (milliseconds) is the time from writing an append to the follower's
 * acknowledgement of it, the round trip the etcd v2 documentation describes (etcd 3.4 itself
 * times only the write to its stream). The figures count from the member's start, whichever
 * member led then. `minimum` is etcd's starting value, 2^63, until a first acknowledgement.
 */
export function sendLeaderStats(context: V2Context, reply: FastifyReply): FastifyReply {
  const status = context.node.status();
  if (status.role !== 'leader') return sendHttpError(reply, 403, 'not current leader');
  const followers: Record<string, unknown> = {};
  const { peerStatistics } = context.options;
  for (const member of context.options.members()) {
    if (member.nodeId === status.memberId) continue;
    followers[member.id] = peerStatistics?.followerAppends(member.nodeId) ?? followerWithoutAppends;
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
