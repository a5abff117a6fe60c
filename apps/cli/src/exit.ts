/** etcdctl v2's exit codes; scripts test them, so concordctl keeps the same numbers. */
export const exitCodes = {
  success: 0,
  badArguments: 1,
  badConnection: 2,
  serverError: 4,
  clusterNotHealthy: 5,
} as const;

/**
 * Thrown to end the command with an exit code once its output is written. Commands throw it
 * instead of calling `process.exit`, so that main can flush output and close connections.
 */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CliExit';
  }
}

export function writeOut(text: string): void {
  process.stdout.write(text);
}

export function writeError(text: string): void {
  process.stderr.write(text);
}
