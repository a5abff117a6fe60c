import { requestClusterInfo, type TransportTlsOptions } from '@concord/kv';
import { type ClusterDescription, parseClusterDescription } from './cluster-description.ts';
import { MemberConfigurationError } from './configuration-error.ts';
import type { MemberConfig } from './flags.ts';
import type { MemberIdentity } from './identity-file.ts';

/**
 * `--initial-cluster-state existing` with an empty data directory: asks the members named in
 * --initial-cluster (other than this one) who the cluster is, and finds this member in its
 * member list by peer URL, where `concordctl member add` (POST /v2/members) put it. Any
 * mismatch stops the start with one line that says what to do.
 */
export async function joinCluster(
  config: MemberConfig,
  /** The member's peer TLS, to ask members whose peer URLs are https. */
  peerTls?: TransportTlsOptions,
): Promise<MemberIdentity> {
  const ownUrls = new Set(config.initialAdvertisePeerUrls);
  const others = [...config.initialCluster]
    .filter(([name]) => name !== config.name)
    .flatMap(([, urls]) => urls)
    .filter((url) => !ownUrls.has(url));
  if (others.length === 0) {
    throw new MemberConfigurationError(
      '--initial-cluster-state existing needs --initial-cluster to name the running members as well as this one',
    );
  }
  const description = await askAny(others, peerTls);
  const self = description.members.find((member) => member.peerURLs.some((url) => ownUrls.has(url)));
  const ownUrl = config.initialAdvertisePeerUrls[0]!;
  if (self === undefined) {
    throw new MemberConfigurationError(
      `this member (peer URL ${ownUrl}) is not in the member list of cluster ${description.clusterId}; add it first with "concordctl member add ${config.name} ${ownUrl}", then start it again`,
    );
  }
  if (self.name !== '') {
    throw new MemberConfigurationError(
      `member ${self.id} (peer URL ${ownUrl}) has already started once, as "${self.name}", and its data directory ${config.dataDirectory} is empty; to join again with no data, remove it ("concordctl member remove ${self.id}") and add it again`,
    );
  }
  return {
    name: config.name,
    memberId: self.id,
    clusterId: description.clusterId,
    initialMembers: description.members.map(({ id, name, peerURLs }) => ({
      id,
      name,
      peerURLs: [...peerURLs],
    })),
    bootstrapVoters: [...description.bootstrapVoters],
  };
}

async function askAny(
  peerUrls: readonly string[],
  peerTls: TransportTlsOptions | undefined,
): Promise<ClusterDescription> {
  const problems: string[] = [];
  for (const url of peerUrls) {
    try {
      const description = parseClusterDescription(
        await requestClusterInfo(url, {
          timeoutMs: 3000,
          ...(peerTls === undefined ? {} : { tls: peerTls }),
        }),
      );
      if (typeof description !== 'string') return description;
      problems.push(`${url}: ${description}`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  throw new MemberConfigurationError(
    `--initial-cluster-state existing: no running member answered (${problems.join('; ')}); start with --initial-cluster naming running members`,
  );
}
