import { Command, InvalidArgumentError } from 'commander';
import { CommandContext } from '../context.ts';
import { CliExit, exitCodes, writeError } from '../exit.ts';

/** A subcommand taking etcdctl's positional arguments (`<key> <value>`), checked by the command itself. */
export function defineCommand(name: string, summary: string, argumentsUsage: string): Command {
  return new Command(name)
    .description(summary)
    .usage(`[options] ${argumentsUsage}`)
    .argument('[arguments...]', argumentsUsage)
    .allowExcessArguments();
}

/** Runs a command body with a connected client, closing it afterwards. */
export async function withContext(
  command: Command,
  body: (context: CommandContext) => Promise<void>,
  synchronise = true,
): Promise<void> {
  const context = await CommandContext.connect(command, synchronise);
  try {
    await body(context);
  } finally {
    await context.close();
  }
}

/** etcdctl's missing-argument errors (`Error:  key required`), exit 1, before any request. */
export function badArguments(message: string): never {
  writeError(`Error:  ${message}\n`);
  throw new CliExit(exitCodes.badArguments);
}

/** An integer option as Go's `IntFlag` reads it. */
export function integer(text: string): number {
  const value = Number(text);
  if (!/^[-+]?\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(`invalid value "${text}": parse error`);
  }
  return value;
}
