/** All of standard input, as etcdctl reads a value that is not on the command line. */
export async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The argument at `position`, or standard input when it is missing; undefined when both are empty. */
export async function argumentOrStandardInput(
  values: readonly string[],
  position: number,
): Promise<string | undefined> {
  if (position < values.length) return values[position];
  const text = await readStandardInput();
  return text === '' ? undefined : text;
}

/** Asks for a password on standard error and reads one line of standard input. */
export async function promptPassword(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const text = await readStandardInput();
  return text.split('\n')[0] ?? '';
}
