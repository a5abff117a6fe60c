import { expect, it } from 'vitest';
import { formatGoDuration } from './go-duration.ts';

it('prints durations as Go does', () => {
  expect(formatGoDuration(0)).toBe('0s');
  expect(formatGoDuration(250)).toBe('250ms');
  expect(formatGoDuration(1606)).toBe('1.606s');
  expect(formatGoDuration(2000)).toBe('2s');
  expect(formatGoDuration(123_500)).toBe('2m3.5s');
  expect(formatGoDuration(3_600_000)).toBe('1h0m0s');
});
