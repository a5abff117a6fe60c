// A lock built from /v2 primitives, and a holder that uses it to write a protected resource.
// Shared by the in-process lock clients and the holder process that the nemesis freezes.
import type { FencedWrite, LockGrant } from '../../packages/linearizability/src/index.ts';

export const lockKey = '/chaos/lock/mutex';
export const resourceKey = '/chaos/lock/resource';

/** What a holder reports: grants and writes for the fencing checker, and fenced refusals. */
export type LockEvent =
  | { readonly type: 'grant'; readonly grant: LockGrant }
  | { readonly type: 'write'; readonly write: FencedWrite }
  | { readonly type: 'release'; readonly holder: string; readonly token: number; readonly releasedMs: number }
  | { readonly type: 'fenced'; readonly holder: string; readonly token: number; readonly seenToken: number };

interface EtcdAnswer {
  readonly status: number;
  readonly errorCode?: number;
  readonly node?: { value?: string; createdIndex: number; modifiedIndex: number };
}

async function call(url: string, init: RequestInit): Promise<EtcdAnswer | null> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as Omit<EtcdAnswer, 'status'>;
    return { status: response.status, ...body };
  } catch {
    return null; // no answer: the outcome is unknown
  }
}

function form(method: string, body: string): RequestInit {
  return { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LockHolderOptions {
  readonly holder: string;
  /** A client URL of some running member, asked afresh for every request. */
  readonly member: () => string | undefined;
  readonly ttlSeconds: number;
  /** Writes to the resource per hold. */
  readonly writesPerHold: number;
  readonly report: (event: LockEvent) => void;
  /**
   * Goes on writing under its token whatever its refreshes say, as a holder does that trusts
   * a local timer a pause has frozen: only the fence at the resource can stop its writes.
   */
  readonly trustsItsLease?: boolean;
  readonly pauseBetweenWritesMs?: number;
}

/**
 * Acquire (create-if-absent with a TTL: its createdIndex is the fencing token), write the
 * resource under the token, refreshing the lease between writes (prevIndex: only our own
 * lease), release (compare-and-delete on prevIndex); again until the deadline.
 */
export class LockHolder {
  constructor(private readonly options: LockHolderOptions) {}

  async runUntil(deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      const lease = await this.acquire();
      if (lease === null) {
        await sleep(30);
        continue;
      }
      await this.hold(lease);
      await sleep(20);
    }
  }

  private url(key: string, query: string): string | null {
    const member = this.options.member();
    return member === undefined ? null : `${member}/v2/keys${key}${query}`;
  }

  private async acquire(): Promise<{ token: number; modifiedIndex: number } | null> {
    const url = this.url(lockKey, '?prevExist=false');
    if (url === null) return null;
    const requestedMs = Date.now();
    const answer = await call(
      url,
      form('PUT', `value=${this.options.holder}&ttl=${this.options.ttlSeconds}`),
    );
    if (answer?.status !== 201 || answer.node === undefined) return null;
    const token = answer.node.createdIndex;
    const grant: LockGrant = { holder: this.options.holder, token, requestedMs, acquiredMs: Date.now() };
    this.options.report({ type: 'grant', grant });
    return { token, modifiedIndex: answer.node.modifiedIndex };
  }

  private async hold(lease: { token: number; modifiedIndex: number }): Promise<void> {
    let modifiedIndex = lease.modifiedIndex;
    const trusting = this.options.trustsItsLease === true;
    for (let write = 0; write < this.options.writesPerHold; write++) {
      if (!(await this.writeFenced(lease.token, write)) && !trusting) return;
      const refreshed = await this.refresh(modifiedIndex);
      // The lease is gone (or its state unknown): a careful holder stops acting on it.
      if (refreshed === null && !trusting) return;
      modifiedIndex = refreshed ?? modifiedIndex;
      await sleep(this.options.pauseBetweenWritesMs ?? 0);
    }
    const url = this.url(lockKey, `?prevIndex=${modifiedIndex}`);
    if (url === null) return;
    const answer = await call(url, { method: 'DELETE' });
    if (answer?.status === 200) {
      this.options.report({
        type: 'release',
        holder: this.options.holder,
        token: lease.token,
        releasedMs: Date.now(),
      });
    }
  }

  private async refresh(modifiedIndex: number): Promise<number | null> {
    const url = this.url(lockKey, `?prevExist=true&refresh=true&prevIndex=${modifiedIndex}`);
    if (url === null) return null;
    const answer = await call(url, form('PUT', `ttl=${this.options.ttlSeconds}`));
    return answer?.status === 200 && answer.node !== undefined ? answer.node.modifiedIndex : null;
  }

  /**
   * The resource's fence: read its token, refuse to write over a higher one, and write with
   * prevIndex so that nothing can slip in between the read and the write.
   */
  private async writeFenced(token: number, sequence: number): Promise<boolean> {
    const holder = this.options.holder;
    const readUrl = this.url(resourceKey, '');
    if (readUrl === null) return false;
    const current = await call(readUrl, { method: 'GET' });
    if (current === null || (current.status !== 200 && current.errorCode !== 100)) return false;
    const seenToken = current.node === undefined ? 0 : Number(current.node.value?.split(':')[0]);
    if (seenToken > token) {
      this.options.report({ type: 'fenced', holder, token, seenToken });
      return false;
    }
    const condition =
      current.node === undefined ? 'prevExist=false' : `prevIndex=${current.node.modifiedIndex}`;
    const writeUrl = this.url(resourceKey, `?${condition}`);
    if (writeUrl === null) return false;
    const answer = await call(writeUrl, form('PUT', `value=${token}:${holder}:${sequence}`));
    const ok = answer !== null && answer.status < 300 && answer.node !== undefined;
    const refused = answer !== null && !ok && answer.errorCode !== 300 && answer.errorCode !== 301;
    const outcome = ok ? 'ok' : refused ? 'fail' : 'unknown';
    this.options.report({
      type: 'write',
      write: { holder, token, outcome, ...(ok ? { index: answer.node?.modifiedIndex } : {}) },
    });
    return ok;
  }
}
