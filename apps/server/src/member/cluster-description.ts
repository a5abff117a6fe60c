import { z } from 'zod';
import type { MemberInfo } from '../options.ts';

/**
 * What a running member tells a member about to join (over the peer protocol, see
 * `requestClusterInfo`): the cluster id, the voters the cluster was bootstrapped with (the
 * joining member starts from the same configuration and replays the log, or receives a
 * snapshot), and the members with their URLs, as `/v2/members` lists them.
 */
export interface ClusterDescription {
  readonly clusterId: string;
  readonly bootstrapVoters: readonly string[];
  readonly members: readonly {
    readonly id: string;
    readonly name: string;
    readonly peerURLs: readonly string[];
    readonly clientURLs: readonly string[];
  }[];
}

const hexId = z.string().regex(/^[0-9a-f]{1,16}$/);

const descriptionSchema = z.object({
  clusterId: hexId,
  bootstrapVoters: z.array(hexId).min(1),
  members: z.array(
    z.object({
      id: hexId,
      name: z.string(),
      peerURLs: z.array(z.string()),
      clientURLs: z.array(z.string()),
    }),
  ),
});

export function describeCluster(
  clusterId: string,
  bootstrapVoters: readonly string[],
  members: readonly MemberInfo[],
): string {
  const description: ClusterDescription = {
    clusterId,
    bootstrapVoters,
    members: members.map(({ id, name, peerURLs, clientURLs }) => ({ id, name, peerURLs, clientURLs })),
  };
  return JSON.stringify(description);
}

/** The description a member answered, or a sentence saying what is wrong with it. */
export function parseClusterDescription(text: string): ClusterDescription | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'its answer is not JSON';
  }
  const result = descriptionSchema.safeParse(value);
  return result.success
    ? result.data
    : `its answer is not a cluster description (${result.error.issues[0]?.message})`;
}
