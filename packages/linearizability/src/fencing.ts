// Checks a lock's fencing tokens as the protected resource saw them. A lock service cannot stop
// a holder that was paused past its lease from acting on a lock it no longer holds; only the
// resource can, by refusing any token lower than one it has already accepted. This checker is
// agnostic of how the lock was built (v2 primitives, the lock recipe, an election).

/** A lock granted to a holder; its fencing token orders it among all grants. */
export interface LockGrant {
  readonly holder: string;
  readonly token: number;
  /** When the holder asked for the lock (ms, one clock for every holder). */
  readonly requestedMs: number;
  /** When the grant was acknowledged. */
  readonly acquiredMs: number;
  /** When an explicit release was acknowledged, if one was. */
  readonly releasedMs?: number;
}

/** A write to the protected resource, made under a grant's token. */
export interface FencedWrite {
  readonly holder: string;
  readonly token: number;
  /** ok: acknowledged; fail: refused (by the fence or otherwise); unknown: no answer. */
  readonly outcome: 'ok' | 'fail' | 'unknown';
  /** The order in which the resource applied acknowledged writes (for etcd: modifiedIndex). */
  readonly index?: number;
}

export interface FencingHistory {
  readonly grants: readonly LockGrant[];
  readonly writes: readonly FencedWrite[];
}

/**
 * The anomalies in a fencing history, empty when there is none:
 * - a token granted twice (two holders believed they held the same lock);
 * - a grant whose request began after an earlier grant was released, yet with a lower token
 *   (tokens disagree with real time);
 * - an acknowledged write with a token no grant issued, or under another holder's token;
 * - tokens going back at the resource: in the resource's order, a write under a lower token
 *   after one under a higher token — two holders' critical sections overlapping.
 */
export function checkFencing(history: FencingHistory): string[] {
  return [...checkGrants(history.grants), ...checkWrites(history)];
}

function checkGrants(grants: readonly LockGrant[]): string[] {
  const anomalies: string[] = [];
  const byToken = new Map<number, LockGrant>();
  for (const grant of grants) {
    const other = byToken.get(grant.token);
    if (other !== undefined) {
      anomalies.push(`token ${grant.token} granted twice: to ${other.holder} and to ${grant.holder}`);
    }
    byToken.set(grant.token, grant);
  }
  for (const earlier of grants) {
    if (earlier.releasedMs === undefined) continue;
    for (const later of grants) {
      if (later.requestedMs > earlier.releasedMs && later.token <= earlier.token && later !== earlier) {
        anomalies.push(
          `${later.holder} asked for the lock after ${earlier.holder} released token ${earlier.token}, ` +
            `yet got the lower token ${later.token}`,
        );
      }
    }
  }
  return anomalies;
}

function checkWrites(history: FencingHistory): string[] {
  const anomalies: string[] = [];
  const byToken = new Map(history.grants.map((grant) => [grant.token, grant]));
  const acknowledged = history.writes.filter((write) => write.outcome === 'ok');
  for (const write of acknowledged) {
    const grant = byToken.get(write.token);
    if (grant === undefined)
      anomalies.push(`${write.holder} wrote under token ${write.token}, never granted`);
    else if (grant.holder !== write.holder) {
      anomalies.push(`${write.holder} wrote under token ${write.token}, granted to ${grant.holder}`);
    }
    if (write.index === undefined) anomalies.push(`${write.holder}'s acknowledged write has no index`);
  }
  const ordered = acknowledged
    .filter((write) => write.index !== undefined)
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  let highest: FencedWrite | undefined;
  for (const write of ordered) {
    if (highest !== undefined && write.token < highest.token) {
      anomalies.push(
        `token went back at the resource: ${write.holder} wrote under token ${write.token} at index ${write.index}, ` +
          `after ${highest.holder} wrote under token ${highest.token} at index ${highest.index}`,
      );
    }
    if (highest === undefined || write.token >= highest.token) highest = write;
  }
  return anomalies;
}
