import type { SeededRandom } from './random.ts';

/**
 * The fault mix of one run, drawn from its seed (swarm testing): each seed stresses a
 * different combination, some calm, some hostile.
 */
export interface FaultProfile {
  readonly dropProbability: number;
  readonly duplicateProbability: number;
  readonly delayMsMin: number;
  readonly delayMsJitter: number;
  /** Mean time between changes of the network's partition shape; 0 for none. */
  readonly partitionEveryMs: number;
  /** Mean time between crashes of some member; 0 for none. */
  readonly crashEveryMs: number;
  readonly restartAfterMsMax: number;
  /** Of the crashes, the share that take down every member at once (a power failure). */
  readonly powerFailureProbability: number;
  /** Of the writes in flight at a crash, the chance that a prefix of them survives torn. */
  readonly tornWriteProbability: number;
  readonly diskMsMax: number;
  /** The chance that a newly elected leader is crashed or cut off moments later. */
  readonly newLeaderFaultProbability: number;
  readonly newLeaderFaultDelayMsMax: number;
  /** How many members run slow (ticks and disk). */
  readonly slowMembers: number;
  readonly clockDriftPercentMax: number;
  readonly membershipChangeEveryMs: number;
  readonly transferEveryMs: number;
  readonly proposalEveryMs: number;
  readonly readEveryMs: number;
  /** Entries per append are bounded by bytes; a tiny bound sends one entry per message. */
  readonly messageBytesMax: number;
  readonly compactEveryEntries: number;
  /**
   * Mean time between a member forgetting its leader: a failure detector's verdict, right or
   * wrong (a member does so when its connection to the leader breaks); 0 for none.
   */
  readonly forgetLeaderEveryMs: number;
}

export function drawFaultProfile(random: SeededRandom): FaultProfile {
  const sometimes = (probability: number, value: () => number) => (random.chance(probability) ? value() : 0);
  return {
    dropProbability: sometimes(0.6, () => random.next() * 0.2),
    duplicateProbability: sometimes(0.4, () => random.next() * 0.1),
    delayMsMin: random.int(0, 5),
    delayMsJitter: random.pick([1, 5, 20, 60]),
    partitionEveryMs: sometimes(0.6, () => random.pick([random.int(30, 200), random.int(100, 800)])),
    crashEveryMs: sometimes(0.7, () => random.int(100, 800)),
    restartAfterMsMax: random.int(20, 600),
    powerFailureProbability: sometimes(0.3, () => random.next() * 0.3),
    tornWriteProbability: random.next(),
    diskMsMax: random.pick([2, 10, 25]),
    newLeaderFaultProbability: sometimes(0.5, () => random.pick([0.2, 0.5, 0.9])),
    newLeaderFaultDelayMsMax: random.pick([3, 10, 30, 60]),
    slowMembers: random.int(0, 1),
    clockDriftPercentMax: random.int(0, 20),
    membershipChangeEveryMs: sometimes(0.5, () => random.int(150, 800)),
    transferEveryMs: sometimes(0.4, () => random.int(200, 1000)),
    proposalEveryMs: random.int(2, 25),
    readEveryMs: random.int(10, 80),
    messageBytesMax: random.pick([1, 100, 1024 * 1024]),
    compactEveryEntries: random.pick([10, 50, 200, 1_000_000]),
    forgetLeaderEveryMs: sometimes(0.5, () => random.int(20, 400)),
  };
}
