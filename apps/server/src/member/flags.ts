import { Command, CommanderError, Option } from 'commander';
import { MemberConfigurationError } from './configuration-error.ts';
import { checkPeerSchemes, type MemberTlsFlags, parseTlsFlags, tlsFlagDefinitions } from './tls-flags.ts';

/** A member's settings, from etcd's flags or their `CONCORD_*` environment variables. */
export interface MemberConfig {
  readonly name: string;
  readonly dataDirectory: string;
  readonly listenClientUrls: readonly URL[];
  readonly advertiseClientUrls: readonly string[];
  readonly listenPeerUrls: readonly URL[];
  readonly initialAdvertisePeerUrls: readonly string[];
  /** name → peer URLs of every member of a new cluster. */
  readonly initialCluster: ReadonlyMap<string, readonly string[]>;
  readonly initialClusterState: 'new' | 'existing';
  readonly initialClusterToken: string;
  readonly heartbeatMs: number;
  readonly electionMs: number;
  readonly snapshotCount: number;
  readonly forceNewCluster: boolean;
  readonly logLevel: string;
  /** Certificates for https client and peer URLs (files are read when the member starts). */
  readonly tls: MemberTlsFlags;
}

/** The flags, their environment variables and defaults, as etcd has them. */
function flagDefinitions(): Option[] {
  const flag = (flags: string, description: string, defaultValue?: string) => {
    const option = new Option(flags, description).env(envName(flags));
    return defaultValue === undefined ? option : option.default(defaultValue);
  };
  return [
    flag('--name <name>', 'human-readable name of this member', 'default'),
    flag('--data-dir <path>', 'where the member keeps its log and snapshots (default: NAME.concord)'),
    flag('--listen-client-urls <urls>', 'URLs to serve clients on', 'http://127.0.0.1:2379'),
    flag(
      '--advertise-client-urls <urls>',
      'client URLs to tell the rest of the cluster',
      'http://127.0.0.1:2379',
    ),
    flag('--listen-peer-urls <urls>', 'URLs to talk to the other members on', 'http://127.0.0.1:2380'),
    flag(
      '--initial-advertise-peer-urls <urls>',
      'peer URLs to tell the rest of the cluster',
      'http://127.0.0.1:2380',
    ),
    flag(
      '--initial-cluster <members>',
      'the members of a new cluster: name=peerURL,... (default: NAME=PEER_URL)',
    ),
    flag('--initial-cluster-state <state>', 'new, or existing to join a running cluster', 'new'),
    flag('--initial-cluster-token <token>', 'makes ids unique to one cluster', 'concord-cluster'),
    flag('--heartbeat-interval <ms>', 'time between heartbeats, in milliseconds', '100'),
    flag('--election-timeout <ms>', 'time without a leader before an election, in milliseconds', '1000'),
    flag('--snapshot-count <n>', 'applied entries between snapshots', '100000'),
    new Option('--force-new-cluster', 'start a one-member cluster from this data directory').env(
      'CONCORD_FORCE_NEW_CLUSTER',
    ),
    flag('--log-level <level>', 'debug, info, warn or error', 'info'),
    ...tlsFlagDefinitions(envName),
  ];
}

function envName(flags: string): string {
  const long = flags.split(' ')[0]!.replace(/^--/, '');
  return `CONCORD_${long.toUpperCase().replaceAll('-', '_')}`;
}

/** Parses the member's flags; any problem is one `MemberConfigurationError` saying how to fix it. */
export function parseMemberFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): MemberConfig {
  const command = new Command('concord')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
    .allowExcessArguments(false);
  for (const option of flagDefinitions()) command.addOption(option);
  const savedEnv = process.env;
  process.env = env; // commander reads process.env for .env() options
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError)
      throw new MemberConfigurationError(error.message.replace(/^error: /, ''));
    throw error;
  } finally {
    process.env = savedEnv;
  }
  return validate(command.opts());
}

export function memberHelp(): string {
  const command = new Command('concord').description('Start a Concord member.');
  for (const option of flagDefinitions()) command.addOption(option);
  return command.helpInformation();
}

function validate(raw: Record<string, string | boolean | undefined>): MemberConfig {
  const name = String(raw.name);
  if (name === '') throw new MemberConfigurationError('--name must not be empty');
  const initialAdvertisePeerUrls = urlList(
    String(raw.initialAdvertisePeerUrls),
    '--initial-advertise-peer-urls',
  );
  const initialCluster = parseInitialCluster(
    raw.initialCluster === undefined
      ? `${name}=${initialAdvertisePeerUrls.join(',')}`
      : String(raw.initialCluster),
  );
  const ownPeerUrls = initialCluster.get(name);
  if (ownPeerUrls === undefined) {
    throw new MemberConfigurationError(
      `--initial-cluster has no member named "${name}"; add ${name}=${initialAdvertisePeerUrls[0]} to it or fix --name`,
    );
  }
  if ([...ownPeerUrls].sort().join(',') !== initialAdvertisePeerUrls.map(withoutSlash).sort().join(',')) {
    throw new MemberConfigurationError(
      `--initial-cluster has ${name}=${ownPeerUrls.join(',')} but --initial-advertise-peer-urls is ${initialAdvertisePeerUrls.map((url) => url.href).join(',')}; make them the same`,
    );
  }
  const state = String(raw.initialClusterState);
  if (state !== 'new' && state !== 'existing') {
    throw new MemberConfigurationError(`--initial-cluster-state must be "new" or "existing", not "${state}"`);
  }
  const heartbeatMs = positiveInteger(raw.heartbeatInterval, '--heartbeat-interval');
  const electionMs = positiveInteger(raw.electionTimeout, '--election-timeout');
  if (electionMs < heartbeatMs * 5) {
    throw new MemberConfigurationError(
      `--election-timeout (${electionMs} ms) must be at least 5 times --heartbeat-interval (${heartbeatMs} ms)`,
    );
  }
  const listenClientUrls = urlList(String(raw.listenClientUrls), '--listen-client-urls');
  const listenPeerUrls = urlList(String(raw.listenPeerUrls), '--listen-peer-urls');
  checkPeerSchemes(listenPeerUrls, initialCluster);
  return {
    name,
    dataDirectory: raw.dataDir === undefined ? `${name}.concord` : String(raw.dataDir),
    listenClientUrls,
    advertiseClientUrls: urlList(String(raw.advertiseClientUrls), '--advertise-client-urls').map(
      withoutSlash,
    ),
    listenPeerUrls,
    initialAdvertisePeerUrls: initialAdvertisePeerUrls.map(withoutSlash),
    initialCluster,
    initialClusterState: state,
    initialClusterToken: String(raw.initialClusterToken),
    heartbeatMs,
    electionMs,
    snapshotCount: positiveInteger(raw.snapshotCount, '--snapshot-count'),
    forceNewCluster: raw.forceNewCluster === true || raw.forceNewCluster === 'true',
    logLevel: String(raw.logLevel),
    tls: parseTlsFlags(raw, listenClientUrls, listenPeerUrls),
  };
}

function urlList(text: string, flag: string): URL[] {
  const parts = text.split(',').filter((part) => part.trim() !== '');
  if (parts.length === 0) throw new MemberConfigurationError(`${flag} needs at least one URL`);
  return parts.map((part) => parseUrl(part.trim(), flag));
}

function parseUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MemberConfigurationError(
      `${flag}: "${text}" is not a URL (expected e.g. http://127.0.0.1:2379)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MemberConfigurationError(`${flag}: "${text}" must start with http:// or https://`);
  }
  if (url.port === '') throw new MemberConfigurationError(`${flag}: "${text}" needs a port`);
  return url;
}

/** `name1=http://a:2380,name2=http://b:2380` (a name may repeat for several URLs, as in etcd). */
function parseInitialCluster(text: string): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const part of text.split(',').filter((item) => item.trim() !== '')) {
    const separator = part.indexOf('=');
    if (separator <= 0) {
      throw new MemberConfigurationError(`--initial-cluster: "${part}" is not name=peerURL`);
    }
    const name = part.slice(0, separator).trim();
    const url = withoutSlash(parseUrl(part.slice(separator + 1).trim(), '--initial-cluster'));
    members.set(name, [...(members.get(name) ?? []), url]);
  }
  if (members.size === 0) throw new MemberConfigurationError('--initial-cluster names no member');
  return members;
}

function positiveInteger(value: unknown, flag: string): number {
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new MemberConfigurationError(`${flag} must be a positive whole number, not "${text}"`);
  }
  return Number(text);
}

function withoutSlash(url: URL): string {
  return url.href.replace(/\/$/, '');
}
