import type { AppendMessage, AppendResponseMessage, Entry } from '@concord/raft';
import { describe, expect, it } from 'vitest';
import {
  AppendStatistics,
  followerWithoutAppends,
  RateWindow,
  rateWindowAppendsMax,
  unacknowledgedAppendsMax,
} from './append-statistics.ts';

const entry = (index: number): Entry => ({ term: 1, index, type: 'normal', data: new Uint8Array(10) });

function append(to: string, prevIndex: number, entryCount: number): AppendMessage {
  const entries = Array.from({ length: entryCount }, (_, offset) => entry(prevIndex + offset + 1));
  return { type: 'append', from: 'leader', to, term: 1, prevIndex, prevTerm: 1, entries, commit: prevIndex };
}

function acknowledgement(from: string, index: number, reject = false): AppendResponseMessage {
  return { type: 'appendResponse', from, to: 'leader', term: 1, reject, index, hintIndex: 0, hintTerm: 0 };
}

/** AppendStatistics on a clock the test moves. */
function statisticsAt(startMs = 1000): { statistics: AppendStatistics; advance: (ms: number) => void } {
  let nowMs = startMs;
  return {
    statistics: new AppendStatistics(() => nowMs),
    advance: (ms) => {
      nowMs += ms;
    },
  };
}

describe('RateWindow', () => {
  it('gives appends and bytes per second from the oldest to the newest it holds', () => {
    const window = new RateWindow();
    for (let index = 0; index < 11; index++) window.insert(index * 10, 100);
    // 11 appends, 1,100 bytes, over 100 ms.
    expect(window.rates(100)).toEqual({ appendsPerSecond: 110, bytesPerSecond: 11_000 });
  });

  it('has no rate with fewer than two appends, or when the newest is over a second old', () => {
    const window = new RateWindow();
    expect(window.rates(0)).toBeNull();
    window.insert(0, 50);
    expect(window.rates(0)).toBeNull();
    window.insert(500, 50);
    expect(window.rates(1500)).not.toBeNull();
    expect(window.rates(1501)).toBeNull();
  });

  it('keeps only the latest appends, bytes included', () => {
    const window = new RateWindow();
    for (let index = 0; index < rateWindowAppendsMax; index++) window.insert(index, 1);
    // Then as many again, ten times larger, 1 ms apart: only these count.
    for (let index = 0; index < rateWindowAppendsMax; index++) window.insert(1000 + index, 10);
    const rates = window.rates(1000 + rateWindowAppendsMax)!;
    const spanSeconds = (rateWindowAppendsMax - 1) / 1000;
    expect(rates.appendsPerSecond).toBeCloseTo(rateWindowAppendsMax / spanSeconds, 6);
    expect(rates.bytesPerSecond).toBeCloseTo((10 * rateWindowAppendsMax) / spanSeconds, 6);
  });
});

describe('AppendStatistics', () => {
  it('times each append from its write to the acknowledgement that covers it', () => {
    const { statistics, advance } = statisticsAt();
    statistics.written(append('f', 0, 2), 300);
    advance(2);
    statistics.written(append('f', 2, 1), 200);
    advance(1);
    statistics.answered(acknowledgement('f', 2)); // the first only: 3 ms
    advance(3);
    statistics.answered(acknowledgement('f', 3)); // the second: 4 ms
    const { latency, counts } = statistics.followerSummary('f');
    expect(counts).toEqual({ fail: 0, success: 2 });
    expect(latency.current).toBe(4);
    expect(latency.average).toBe(3.5);
    expect(latency.standardDeviation).toBeCloseTo(0.5, 9);
    expect(latency.minimum).toBe(3);
    expect(latency.maximum).toBe(4);
  });

  it('one acknowledgement answers every append it covers, an empty one included', () => {
    const { statistics, advance } = statisticsAt();
    statistics.written(append('f', 0, 1), 100);
    statistics.written(append('f', 1, 0), 50); // a commit notice: carries up to 1
    statistics.written(append('f', 1, 1), 100);
    advance(5);
    statistics.answered(acknowledgement('f', 2));
    expect(statistics.followerSummary('f').latency).toMatchObject({ current: 5, average: 5, minimum: 5 });
    // Nothing is left to time: a later acknowledgement adds no sample.
    advance(5);
    statistics.answered(acknowledgement('f', 2));
    expect(statistics.followerSummary('f').latency.maximum).toBe(5);
  });

  it('a rejection times nothing and forgets what was pending', () => {
    const { statistics, advance } = statisticsAt();
    statistics.written(append('f', 5, 1), 100);
    advance(1);
    statistics.answered(acknowledgement('f', 5, true));
    statistics.answered(acknowledgement('f', 6));
    expect(statistics.followerSummary('f')).toEqual({
      ...followerWithoutAppends,
      counts: { fail: 0, success: 1 },
    });
  });

  it('remembers a bounded number of unacknowledged appends', () => {
    const { statistics, advance } = statisticsAt();
    for (let index = 0; index < unacknowledgedAppendsMax + 10; index++) {
      statistics.written(append('f', index, 1), 100);
      advance(1);
    }
    statistics.answered(acknowledgement('f', unacknowledgedAppendsMax + 10));
    // The ten oldest were forgotten: the longest wait timed is that of the 11th append.
    expect(statistics.followerSummary('f').latency.maximum).toBe(unacknowledgedAppendsMax);
    expect(statistics.followerSummary('f').counts.success).toBe(unacknowledgedAppendsMax + 10);
  });

  it('counts dropped appends as failures, and sent and received appends with their rates', () => {
    const { statistics, advance } = statisticsAt();
    statistics.dropped('f', 3);
    statistics.dropped('g', 0);
    statistics.written(append('f', 0, 1), 100);
    advance(10);
    statistics.written(append('g', 0, 1), 100);
    statistics.received(40);
    expect(statistics.followerSummary('f').counts).toEqual({ fail: 3, success: 1 });
    expect(statistics.followerSummary('g').counts).toEqual({ fail: 0, success: 1 });
    const traffic = statistics.traffic();
    expect(traffic).toMatchObject({ sentAppends: 2, receivedAppends: 1, receiveRates: null });
    expect(traffic.sendRates).toEqual({ appendsPerSecond: 200, bytesPerSecond: 20_000 });
  });

  it('forgets a member that left, and shows etcd starting figures for one never written to', () => {
    const { statistics } = statisticsAt();
    statistics.written(append('f', 0, 1), 100);
    statistics.forget('f');
    expect(statistics.followerSummary('f')).toEqual(followerWithoutAppends);
    expect(followerWithoutAppends.latency.minimum).toBe(2 ** 63);
  });
});
