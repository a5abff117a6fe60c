import { describe, expect, it } from 'vitest';
import { Store } from './store.ts';
import { testTimeMs as now } from './test-support.ts';

// A guard against order-of-magnitude regressions, not the benchmark: the target is
// 300,000 sets/s on a quiet machine; the bound here leaves room for a busy CI runner.
describe('store speed', () => {
  it('applies more than 100,000 plain sets per second', () => {
    const keyCount = 200_000;
    const keys = Array.from({ length: keyCount }, (_, index) => `/bench/d${index % 100}/key${index}`);
    const value = 'x'.repeat(100);
    const store = new Store();
    const started = performance.now();
    for (const key of keys) store.set(key, now, { value });
    const setsPerSecond = keyCount / ((performance.now() - started) / 1000);
    expect(store.currentIndex).toBe(keyCount);
    expect(setsPerSecond).toBeGreaterThan(100_000);
  });
});
