import { describeError } from '../context.ts';
import { CliExit, exitCodes, writeError } from '../exit.ts';

/** The user, role and auth commands print the bare error on standard error and exit 1. */
export function failAuth(message: string): never {
  writeError(`${message}\n`);
  throw new CliExit(exitCodes.badArguments);
}

/** Use as `.catch(failWith)`: a refusal's message, or the client's description of the failure. */
export function failWith(error: unknown): never {
  if (error instanceof CliExit) throw error;
  return failAuth(describeError(error));
}
