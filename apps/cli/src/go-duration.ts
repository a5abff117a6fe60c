const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration (`2s`, `500ms`, `1m30s`, `0`) into milliseconds, as etcdctl's flags take. */
export function parseGoDurationMs(text: string): number {
  if (text === '0') return 0;
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (match === null) throw new Error(`invalid duration "${text}"`);
  let totalMs = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    totalMs += Number(part[1]) * unitMs[part[2]!]!;
  }
  return match[1] === '-' ? -totalMs : totalMs;
}
