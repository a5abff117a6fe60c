import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransportTlsOptions } from '@concord/kv';
import { z } from 'zod';
import { MemberConfigurationError } from './configuration-error.ts';
import type { MemberConfig } from './flags.ts';
import { clusterIdOf, memberIdOf } from './identity.ts';
import { joinCluster } from './join.ts';

/**
 * Who this member is, fixed when its data directory is first created: later starts read it
 * back, so that changed flags cannot give a member with data a new identity.
 */
export interface MemberIdentity {
  readonly name: string;
  readonly memberId: string;
  readonly clusterId: string;
  /**
   * The members of the cluster as it was bootstrapped (id → name and peer URLs), or, for a
   * member that joined a running cluster, as they were when it joined.
   */
  readonly initialMembers: readonly { id: string; name: string; peerURLs: string[] }[];
  /**
   * The voters the cluster was bootstrapped with, for a member that joined a running cluster;
   * absent for the cluster's first members, whose bootstrap voters are `initialMembers`.
   */
  readonly bootstrapVoters?: readonly string[];
}

/** The Raft configuration every member of the cluster starts from, before its log. */
export function bootstrapVotersOf(identity: MemberIdentity): readonly string[] {
  return identity.bootstrapVoters ?? identity.initialMembers.map((member) => member.id);
}

const identitySchema = z.object({
  name: z.string(),
  memberId: z.string().regex(/^[0-9a-f]{1,16}$/),
  clusterId: z.string().regex(/^[0-9a-f]{1,16}$/),
  initialMembers: z.array(z.object({ id: z.string(), name: z.string(), peerURLs: z.array(z.string()) })),
  bootstrapVoters: z.array(z.string().regex(/^[0-9a-f]{1,16}$/)).optional(),
});

const fileName = 'member.json';

export async function loadOrCreateIdentity(
  config: MemberConfig,
  /** The member's peer TLS, with which a joining member asks the running ones. */
  peerTls?: TransportTlsOptions,
): Promise<{ identity: MemberIdentity; created: boolean }> {
  await mkdir(config.dataDirectory, { recursive: true });
  const path = join(config.dataDirectory, fileName);
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null) return { identity: parseIdentity(existing, path), created: false };
  if (config.initialClusterState === 'existing') {
    const joined = await joinCluster(config, peerTls);
    await writeDurably(path, `${JSON.stringify(joined, null, 2)}\n`);
    return { identity: joined, created: true };
  }
  const initialMembers = [...config.initialCluster].map(([name, peerURLs]) => ({
    id: memberIdOf(peerURLs, config.initialClusterToken),
    name,
    peerURLs: [...peerURLs],
  }));
  const identity: MemberIdentity = {
    name: config.name,
    memberId: initialMembers.find((member) => member.name === config.name)!.id,
    clusterId: clusterIdOf(initialMembers.map((member) => member.id)),
    initialMembers,
  };
  await writeDurably(path, `${JSON.stringify(identity, null, 2)}\n`);
  return { identity, created: true };
}

/** After --force-new-cluster the member is the only one: later starts must not dial the old peers. */
export async function becomeSoleMember(
  config: MemberConfig,
  identity: MemberIdentity,
): Promise<MemberIdentity> {
  const self = identity.initialMembers.find((member) => member.id === identity.memberId);
  const { bootstrapVoters: _formerVoters, ...rest } = identity;
  const sole: MemberIdentity = {
    ...rest,
    initialMembers: [
      {
        id: identity.memberId,
        name: identity.name,
        peerURLs: self?.peerURLs ?? [...config.initialAdvertisePeerUrls],
      },
    ],
  };
  await writeDurably(join(config.dataDirectory, fileName), `${JSON.stringify(sole, null, 2)}\n`);
  return sole;
}

function parseIdentity(text: string, path: string): MemberIdentity {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MemberConfigurationError(
      `${path} is not valid JSON; restore it from a backup or move the data directory away`,
    );
  }
  const result = identitySchema.safeParse(parsed);
  if (!result.success) {
    throw new MemberConfigurationError(
      `${path} is damaged (${result.error.issues[0]?.message}); restore it from a backup`,
    );
  }
  return result.data;
}

async function writeDurably(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}
