/**
 * How etcdctl 3.4 splits `exec-watch`'s arguments into a key and a command, reproduced
 * because scripts depend on it. Its argument library moves recognised flags to the front and
 * a following non-flag word with them, puts `--` and everything after it last, then Go's flag
 * parser drops that `--`. etcdctl then takes `KEY -- CMD...` when a `--` is still there, and
 * otherwise the LAST word as the key: `exec-watch /k -- cmd` watches `cmd`'s last word,
 * while `exec-watch --recursive /k -- cmd` and `exec-watch cmd /k` watch `/k`.
 */
export interface ExecWatchArguments {
  readonly afterIndex: number;
  readonly recursive: boolean;
  readonly key: string;
  readonly command: readonly string[];
}

const valueFlags = new Set(['after-index']);
const booleanFlags = new Set(['recursive', 'r']);

function flagName(word: string): string | undefined {
  if (word === '-' || word === '--' || !word.startsWith('-')) return undefined;
  const name = word.replace(/^--?/, '').split('=')[0]!;
  return valueFlags.has(name) || booleanFlags.has(name) ? name : undefined;
}

function reorder(words: readonly string[]): string[] {
  const flags: string[] = [];
  let remaining: string[] = [];
  let nextMayBeValue = false;
  for (let position = 0; position < words.length; position++) {
    const word = words[position]!;
    if (nextMayBeValue && flagName(word) === undefined) {
      nextMayBeValue = false;
      flags.push(word);
    } else if (word === '--') {
      remaining = ['--', ...remaining, ...words.slice(position + 1)];
      break;
    } else if (flagName(word) !== undefined) {
      flags.push(word);
      nextMayBeValue = !word.includes('=');
    } else {
      remaining.push(word);
    }
  }
  return [...flags, ...remaining];
}

/** Returns the parsed arguments, or an error message as etcdctl words it. */
export function parseExecWatchArguments(words: readonly string[]): ExecWatchArguments | string {
  const ordered = reorder(words);
  let afterIndex = 0;
  let recursive = false;
  let position = 0;
  while (position < ordered.length) {
    const word = ordered[position]!;
    if (word === '--') {
      position++;
      break;
    }
    const name = flagName(word);
    if (name === undefined) break;
    const inline = word.includes('=') ? word.slice(word.indexOf('=') + 1) : undefined;
    if (valueFlags.has(name)) {
      const text = inline ?? ordered[++position];
      if (text === undefined || !/^[-+]?\d+$/.test(text)) return `invalid value for flag -${name}`;
      afterIndex = Number(text);
    } else {
      recursive = inline === undefined ? true : inline === 'true' || inline === '1';
    }
    position++;
  }
  const values = ordered.slice(position);
  if (values.length < 2) return 'key and command to exec required';
  const separator = values.findIndex((word, index) => word === '--' && index !== 0);
  if (separator !== -1) return { afterIndex, recursive, key: values[0]!, command: values.slice(2) };
  return { afterIndex, recursive, key: values.at(-1)!, command: values.slice(0, -1) };
}
