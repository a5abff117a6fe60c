import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for test servers that bind a moment after the port is chosen (a member process, a
 * reference etcd, a peer that comes up later).
 *
 * Asking the OS for port 0 and closing the socket is racy twice over: the port comes from the
 * ephemeral range, where any process's next outgoing connection may take it before the server
 * binds; and two such calls may return the same port. Under a full test run (many processes
 * connecting, test files in parallel) both happen. So ports come from below the ephemeral
 * range, which outgoing connections never use, in a slice of their own for each test worker,
 * handed out in turn, each checked free by binding it.
 */

/** Below this, ports belong to services a developer may run (etcd on 2379, …). */
const lowestPort = 10_000;
const slices = 32;

const range = testPortRange();
const sliceSize = Math.floor((range.end - range.start) / slices);
const slice = workerSlice();
const sliceStart = range.start + slice * sliceSize;
/** Where in its slice this process starts: random, so that a later file in the same worker does not reuse the ports just freed. */
let next = Math.floor(Math.random() * sliceSize);

/** The first port of Linux's ephemeral range (32768 unless configured otherwise). */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > 0 ? port : 32_768;
  } catch {
    return 32_768; // not Linux: IANA's dynamic range starts at 49152, so this stays below it too
  }
}

function testPortRange(): { start: number; end: number } {
  const end = ephemeralRangeStart();
  if (end - lowestPort < slices * 16)
    throw new Error(`the ephemeral port range starts at ${end}: no room below it for test ports`);
  return { start: lowestPort, end };
}

/** Vitest numbers its workers 1…maxWorkers; other processes (a CLI run of a test helper) go by pid. */
function workerSlice(): number {
  const pool = Number(process.env.VITEST_POOL_ID);
  return (Number.isInteger(pool) && pool > 0 ? pool : process.pid) % slices;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback port that is free now and that no other test worker or outgoing connection will take. */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < sliceSize; tried++) {
    const port = sliceStart + (next % sliceSize);
    next = (next + 1) % sliceSize;
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${sliceStart}-${sliceStart + sliceSize - 1}`);
}
