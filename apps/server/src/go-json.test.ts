import { expect, it } from 'vitest';
import { goJson } from './go-json.ts';

it('escapes what Go escapes and nothing else', () => {
  expect(goJson({ value: '<a & b>\u2028\u2029é"' })).toBe(
    '{"value":"\\u003ca \\u0026 b\\u003e\\u2028\\u2029é\\""}',
  );
  expect(JSON.parse(goJson({ value: '<&>' }))).toEqual({ value: '<&>' });
});
