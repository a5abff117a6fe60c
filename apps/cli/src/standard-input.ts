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

/**
 * etcdctl's password prompt (speakeasy): the prompt on standard output, then one line read
 * without echo from the terminal, or from standard input when it is not a terminal, then a
 * newline. Only the first line is taken; end of input gives an empty password.
 */
export async function promptPassword(prompt: string): Promise<string> {
  process.stdout.write(prompt);
  const input = process.stdin;
  const terminal = input.isTTY === true;
  if (terminal) input.setRawMode(true);
  try {
    return await readLine(input, terminal);
  } finally {
    if (terminal) input.setRawMode(false);
    input.pause();
    process.stdout.write('\n');
  }
}

/** Ctrl+C in raw mode arrives as a byte, not a signal: it ends the command as a signal would. */
const interruptByte = 0x03;

/** What was read past a password's line: the next prompt's (etcdctl reads byte by byte). */
let pendingBytes: Buffer = Buffer.alloc(0);
let inputEnded = false;

function readLine(input: NodeJS.ReadStream, terminal: boolean): Promise<string> {
  return new Promise((resolve) => {
    const bytes: number[] = [];
    const finish = () => {
      input.off('data', onData);
      input.off('end', onEnd);
      resolve(Buffer.from(bytes).toString('utf8'));
    };
    const onEnd = () => {
      inputEnded = true;
      finish();
    };
    /** True once the line is complete. */
    const take = (chunk: Buffer): boolean => {
      for (const [position, byte] of chunk.entries()) {
        if (terminal && byte === interruptByte) process.kill(process.pid, 'SIGINT');
        if (byte === 0x0a || (terminal && byte === 0x0d)) {
          pendingBytes = chunk.subarray(position + 1);
          return true;
        }
        // A terminal's backspace (DEL or BS) removes the last character typed.
        if (terminal && (byte === 0x7f || byte === 0x08)) bytes.pop();
        else bytes.push(byte);
      }
      pendingBytes = Buffer.alloc(0);
      return false;
    };
    const onData = (chunk: Buffer) => {
      if (take(chunk)) finish();
    };
    if (take(pendingBytes) || inputEnded) return finish();
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
