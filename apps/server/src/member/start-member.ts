import { Node, PeerTransport } from '@concord/kv';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildV2App } from '../app.ts';
import { ConcordMetrics } from '../metrics.ts';
import type { MemberInfo } from '../options.ts';
import { describeCluster } from './cluster-description.ts';
import { MemberConfigurationError } from './configuration-error.ts';
import type { MemberConfig } from './flags.ts';
import {
  becomeSoleMember,
  bootstrapVotersOf,
  loadOrCreateIdentity,
  type MemberIdentity,
} from './identity-file.ts';
import { loadMemberTls } from './member-tls.ts';

export const concordVersion = '0.1.0';

export interface RunningMember {
  readonly identity: MemberIdentity;
  readonly node: Node;
  /** Stops serving, finishes the write in progress, closes files and sockets. */
  close(): Promise<void>;
}

/** Starts one member: its data directory, Raft node, peer transport and client API. */
export async function startMember(
  config: MemberConfig,
  logger: Logger,
  onFatal: (error: Error) => void,
  /** The cluster removed this member: it must stop. */
  onRemoved: () => void = () => {},
): Promise<RunningMember> {
  const tls = await loadMemberTls(config);
  const loaded = await loadOrCreateIdentity(config, tls.peer);
  const { created } = loaded;
  let { identity } = loaded;
  if (config.forceNewCluster) {
    if (created) {
      throw new MemberConfigurationError(
        `--force-new-cluster needs a data directory with a member's data, and ${config.dataDirectory} has none`,
      );
    }
    identity = await becomeSoleMember(config, identity);
    logger.warn({ memberId: identity.memberId }, 'forcing a new one-member cluster from this data directory');
  }
  logger.info(
    {
      name: identity.name,
      memberId: identity.memberId,
      clusterId: identity.clusterId,
      dataDirectory: config.dataDirectory,
    },
    !created
      ? 'member restarting from its data directory'
      : config.initialClusterState === 'existing'
        ? 'new member joining a running cluster'
        : 'new member of a new cluster',
  );
  let node: Node | null = null;
  const transport = new PeerTransport({
    memberId: identity.memberId,
    clusterId: identity.clusterId,
    listenUrl: config.listenPeerUrls[0]!.href,
    peers: new Map(
      identity.initialMembers
        .filter((member) => member.id !== identity.memberId)
        .map((member) => [member.id, member.peerURLs[0]!]),
    ),
    onMessages: (messages) => node?.receive(messages),
    onUnreachable: (memberId) => node?.reportUnreachable(memberId),
    onPeerLost: (memberId) => node?.reportPeerLost(memberId),
    onSnapshotFailed: (memberId) => node?.reportSnapshotFailure(memberId),
    logger: logger.child({ component: 'transport' }),
    ...(tls.peer === undefined ? {} : { tls: tls.peer }),
    // Asked by members about to join; refused until this member's node is open.
    clusterInfo: () => {
      if (node === null) throw new Error('the member is still starting');
      return describeCluster(identity.clusterId, bootstrapVotersOf(identity), membersOf(node, identity));
    },
  });
  /** Dials a member at the peer URL the cluster knows it by (a runtime addition or update). */
  const followPeer = (memberId: string, peerURLs: readonly string[]) => {
    const url = peerURLs[0];
    if (memberId === identity.memberId || url === undefined) return;
    try {
      transport.updatePeer(memberId, url);
    } catch (error) {
      logger.warn({ memberId, url, err: error }, 'cannot dial the peer URL of a member');
    }
  };
  await transport.start();
  // One registry per member, shared by the Node and every client URL's app.
  const metrics = new ConcordMetrics();
  node = await Node.open({
    memberId: identity.memberId,
    dataDirectory: config.dataDirectory,
    initialMembers: [...bootstrapVotersOf(identity)],
    send: (messages) => transport.send(messages),
    heartbeatMs: config.heartbeatMs,
    electionMs: config.electionMs,
    snapshotEveryEntries: config.snapshotCount,
    logger: logger.child({ component: 'node' }),
    onFatal,
    onMemberPeersChange: followPeer,
    onMembershipChange: (change) => {
      if (change.type === 'addLearner') {
        followPeer(change.node, node?.members.get(change.node)?.peerURLs ?? []);
      }
      if (change.type !== 'remove') return;
      if (change.node === identity.memberId) {
        logger.warn({ memberId: identity.memberId }, 'this member was removed from the cluster; stopping');
        onRemoved();
      } else {
        // The leader keeps telling a removed member of its removal for a while (see the Raft
        // core): keep its link that long, then drop it.
        const timer = setTimeout(
          () => void transport.removePeer(change.node).catch(() => {}),
          config.electionMs * 10,
        );
        timer.unref();
      }
    },
    metrics: metrics.nodeMetrics,
    forceNewCluster: config.forceNewCluster,
  });
  // Members added or updated while this one was down, or before its snapshot: dial them too.
  for (const member of membersOf(node, identity)) followPeer(member.id, member.peerURLs);
  node.announce({
    id: identity.memberId,
    name: identity.name,
    peerURLs: [...config.initialAdvertisePeerUrls],
    clientURLs: [...config.advertiseClientUrls],
  });
  const runningNode = node;
  const apps: FastifyInstance[] = [];
  for (const url of config.listenClientUrls) {
    const app = buildV2App({
      node: runningNode,
      clusterId: identity.clusterId,
      memberName: identity.name,
      peerUrls: config.initialAdvertisePeerUrls,
      clientUrls: config.advertiseClientUrls,
      members: () => membersOf(runningNode, identity),
      peerStatistics: transport,
      version: concordVersion,
      metrics,
      tls:
        url.protocol === 'https:' && tls.client !== undefined
          ? { settings: tls.client, report: (reason) => logger.warn({ reason }, 'client refused') }
          : undefined,
      // One line per request is for debugging; etcd does not log requests either.
      logger: logger.child({ component: 'http' }, { level: logger.level === 'debug' ? 'debug' : 'warn' }),
    });
    await app.listen({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) });
    apps.push(app);
  }
  if (tls.autoClientCaFile !== undefined) {
    logger.info(
      { caFile: tls.autoClientCaFile },
      'auto TLS: clients can verify this member with this CA file',
    );
  }
  logger.info(
    { clientUrls: config.listenClientUrls.map((url) => url.href), peerUrl: config.listenPeerUrls[0]!.href },
    'serving clients',
  );
  return {
    identity,
    node: runningNode,
    async close() {
      await Promise.allSettled(apps.map((app) => app.close()));
      await runningNode.close();
      await transport.close();
    },
  };
}

/**
 * The cluster's members: those in the Raft configuration, with the name and URLs they
 * announced; a member that has not announced itself yet shows an empty name and no client
 * URLs, as etcd shows a member that has not started.
 */
function membersOf(node: Node, identity: MemberIdentity): MemberInfo[] {
  const { voters, learners } = node.raftStatus().config;
  return [...voters, ...learners].map((id) => {
    const announced = node.members.get(id);
    const initial = identity.initialMembers.find((member) => member.id === id);
    return {
      id,
      nodeId: id,
      name: announced?.name ?? '',
      peerURLs: announced?.peerURLs ?? initial?.peerURLs ?? [],
      clientURLs: announced?.clientURLs ?? [],
    };
  });
}
