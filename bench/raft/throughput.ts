/**
 * Raft core throughput: entries committed per second by an in-process 3-member cluster with a
 * zero-latency network and no disk, proposals batched between Ready cycles. This measures the
 * consensus core alone (log, replication, commit), not I/O. Not a test: run `pnpm bench:raft`.
 *
 *   pnpm bench:raft [--seconds 5] [--batch 1000] [--bytes 100]
 */
import { parseArgs } from 'node:util';
import { type Message, Raft, type RestoredState } from '../../packages/raft/src/index.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '1000' },
    bytes: { type: 'string', default: '100' },
  },
});
const seconds = Number(values.seconds);
const batch = Number(values.batch);
const payload = new Uint8Array(Number(values.bytes)).fill(7);

const ids = ['m1', 'm2', 'm3'];
const initial: RestoredState = {
  hardState: { term: 0, vote: '', commit: 0 },
  snapshot: null,
  entries: [],
  initialConfig: { voters: ids, learners: [] },
};
let seed = 1;
const members = new Map(
  ids.map((id) => [
    id,
    new Raft(
      {
        id,
        electionTicks: 10,
        heartbeatTicks: 1,
        random: () => (seed = (seed * 16807) % 2147483647) / 2147483647,
      },
      initial,
    ),
  ]),
);
let applied = 0;

/** Runs every member's Ready until nothing is left to do; messages are delivered at once. */
function settle(): void {
  let busy = true;
  while (busy) {
    busy = false;
    const outbox: Message[] = [];
    for (const [id, raft] of members) {
      if (!raft.hasReady()) continue;
      busy = true;
      const ready = raft.ready();
      outbox.push(...ready.messages);
      outbox.push(...raft.advance(ready));
      if (id === 'm1') applied += ready.committedEntries.length;
    }
    for (const message of outbox) members.get(message.to)!.step(message);
  }
}

const leader = members.get('m1')!;
while (leader.softState().role !== 'leader') {
  leader.tick();
  settle();
}
settle();
applied = 0;
const started = process.hrtime.bigint();
const deadline = started + BigInt(seconds * 1e9);
let proposed = 0;
while (process.hrtime.bigint() < deadline) {
  for (let i = 0; i < batch; i++) {
    const result = leader.propose(payload);
    if (result.status !== 'appended') throw new Error(`proposal refused: ${JSON.stringify(result)}`);
  }
  proposed += batch;
  settle();
}
const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const rate = Math.round(applied / elapsedSeconds);
console.log(
  `raft core, 3 members, in-process, batch ${batch}, ${payload.length}-byte entries: ` +
    `${applied} of ${proposed} entries committed in ${elapsedSeconds.toFixed(2)} s = ${rate.toLocaleString('en-US')} entries/s`,
);
console.log(`target >= 100,000 entries/s: ${rate >= 100_000 ? 'met' : 'NOT met'}`);
