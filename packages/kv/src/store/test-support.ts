import { EtcdError, type V2ErrorBody } from '@concord/protocol';

/** 2026-11-24T12:00:00Z: a fixed time for tests; the store never reads a clock. */
export const testTimeMs = Date.UTC(2026, 10, 24, 12, 0, 0, 0);

/** The JSON body of the EtcdError `action` throws; fails the test when it does not throw. */
export function errorBodyOf(action: () => unknown): V2ErrorBody {
  try {
    action();
  } catch (error) {
    if (error instanceof EtcdError) return error.toJSON();
    throw error;
  }
  throw new Error('expected an EtcdError, but the operation succeeded');
}
