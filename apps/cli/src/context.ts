import {
  ClusterError,
  ConcordClient,
  MembersError,
  NoEndpointsError,
  TotalTimeoutError,
} from '@concord/client';
import { EtcdError, type KvResult } from '@concord/protocol';
import { TlsConfigurationError } from '@concord/tls';
import type { Command } from 'commander';
import { CliExit, exitCodes, writeError, writeOut } from './exit.ts';
import { clientOptions, EndpointParseError, type GlobalFlags, usernameFlag } from './global-options.ts';
import { goQuote } from './go-json.ts';
import { printResponseKey } from './print-response.ts';
import { promptPassword } from './standard-input.ts';

/** What every command needs: the global flags, a connected client, and etcdctl's error output. */
export class CommandContext {
  private constructor(
    readonly flags: GlobalFlags,
    readonly client: ConcordClient,
  ) {}

  get output(): string {
    return this.flags.output;
  }

  /** etcdctl's `mustNewClient`: a client, synchronised with the cluster's member list unless `--no-sync`. */
  static async connect(command: Command, synchronise = true): Promise<CommandContext> {
    const flags = command.optsWithGlobals() as GlobalFlags;
    const debug = flags.debug === true;
    const client = await createClient(flags);
    const context = new CommandContext(flags, client);
    if (synchronise && flags.sync !== false) {
      if (debug) writeError(`start to sync cluster using endpoints(${client.endpoints().join(',')})\n`);
      if (debug) enableCurlDebug(client);
      await context.synchronise();
      if (debug) writeError(`got endpoints(${client.endpoints().join(',')}) after sync\n`);
      if (debug) writeError(`Cluster-Endpoints: ${client.endpoints().join(', ')}\n`);
    } else if (debug) {
      writeError(`Cluster-Endpoints: ${client.endpoints().join(', ')}\n`);
      enableCurlDebug(client);
    }
    return context;
  }

  private async synchronise(): Promise<void> {
    try {
      await this.client.sync();
    } catch (error) {
      if (error instanceof NoEndpointsError) {
        writeError('etcd cluster has no published client endpoints.\n');
        writeError(
          `Try '--no-sync' if you want to access non-published client endpoints(${this.client.endpoints().join(',')}).\n`,
        );
        this.fail(exitCodes.serverError, error);
      }
      const connectionFailure =
        (error instanceof ClusterError && error.isConnectionFailure()) || error instanceof TotalTimeoutError;
      if (connectionFailure) this.fail(exitCodes.badConnection, error);
      // Any other failure (an old server without /v2/members, say) keeps the given endpoints.
    }
  }

  /** etcdctl's `handleError`: `Error:  <error>` on stderr, the per-endpoint detail, then exit. */
  fail(exitCode: number, error: unknown): never {
    writeError(`Error:  ${describeError(error)}\n`);
    if (error instanceof ClusterError) writeError(`${error.detail()}\n`);
    throw new CliExit(exitCode);
  }

  /** A failed key request: etcdctl exits 4 whatever the failure. */
  failRequest(error: unknown): never {
    if (error instanceof CliExit) throw error;
    this.fail(exitCodes.serverError, error);
  }

  print(result: KvResult): void {
    printResponseKey(result, this.output);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

async function createClient(flags: GlobalFlags): Promise<ConcordClient> {
  const username = usernameFlag(flags, process.env);
  let credentials: { username: string; password: string } | undefined;
  if (username !== undefined) {
    const colon = username.indexOf(':');
    credentials =
      colon === -1
        ? { username, password: await promptPassword('Password: ') }
        : { username: username.slice(0, colon), password: username.slice(colon + 1) };
  }
  try {
    return new ConcordClient(clientOptions(flags, process.env, credentials));
  } catch (error) {
    if (error instanceof EndpointParseError) {
      writeError(`${error.message}\n`);
      throw new CliExit(exitCodes.badArguments);
    }
    if (error instanceof TlsConfigurationError) {
      writeError(`Error:  ${error.message}\n`);
      throw new CliExit(exitCodes.badArguments);
    }
    throw error;
  }
}

/** `--debug` prints every request as the curl command that would repeat it, as etcdctl does. */
function enableCurlDebug(client: ConcordClient): void {
  client.setRequestListener((request) => {
    let command = `curl -X ${request.method} ${request.url}`;
    if (request.body !== undefined) command += ` -d ${goQuote(request.body)}`;
    writeError(`cURL Command: ${command}\n`);
  });
}

/** The text Go's v2 client gives for an error; etcd errors read `100: Key not found (/a) [7]`. */
export function describeError(error: unknown): string {
  if (error instanceof EtcdError)
    return `${error.errorCode}: ${error.message} (${error.cause ?? ''}) [${error.index}]`;
  if (error instanceof MembersError || error instanceof Error) return error.message;
  return String(error);
}

export { writeOut };
