import { describe, expect, it } from 'vitest';
import { checkFencing, type FencedWrite, type LockGrant } from './fencing.ts';

const grant = (holder: string, token: number, requestedMs: number, releasedMs?: number): LockGrant => ({
  holder,
  token,
  requestedMs,
  acquiredMs: requestedMs + 1,
  ...(releasedMs === undefined ? {} : { releasedMs }),
});
const write = (
  holder: string,
  token: number,
  index: number,
  outcome: FencedWrite['outcome'] = 'ok',
): FencedWrite => ({
  holder,
  token,
  index,
  outcome,
});

describe('checkFencing', () => {
  it('accepts holders taking turns, with refused and unknown writes of a stale holder', () => {
    const anomalies = checkFencing({
      grants: [grant('a', 10, 0, 50), grant('b', 14, 60), grant('c', 20, 200)],
      writes: [
        write('a', 10, 11),
        write('a', 10, 12),
        write('b', 14, 15),
        write('b', 14, 0, 'fail'),
        write('b', 14, 0, 'unknown'),
        write('c', 20, 21),
      ],
    });
    expect(anomalies).toEqual([]);
  });

  it('catches the paused holder that writes after its lease expired and a newer holder wrote', () => {
    // a is frozen (SIGSTOP, a GC pause) past its TTL; b acquires and writes; a wakes and writes blindly.
    const anomalies = checkFencing({
      grants: [grant('a', 10, 0), grant('b', 14, 3000)],
      writes: [write('a', 10, 11), write('b', 14, 15), write('a', 10, 16)],
    });
    expect(anomalies).toEqual([
      'token went back at the resource: a wrote under token 10 at index 16, after b wrote under token 14 at index 15',
    ]);
  });

  it('catches a token granted twice', () => {
    expect(checkFencing({ grants: [grant('a', 10, 0), grant('b', 10, 5)], writes: [] })).toEqual([
      'token 10 granted twice: to a and to b',
    ]);
  });

  it('catches tokens that disagree with real time', () => {
    expect(checkFencing({ grants: [grant('a', 10, 0, 50), grant('b', 8, 60)], writes: [] })).toEqual([
      'b asked for the lock after a released token 10, yet got the lower token 8',
    ]);
  });

  it('catches writes under a token never granted or granted to another holder', () => {
    expect(
      checkFencing({ grants: [grant('a', 10, 0)], writes: [write('b', 10, 11), write('c', 12, 13)] }),
    ).toEqual(['b wrote under token 10, granted to a', 'c wrote under token 12, never granted']);
  });
});
