import { describe, expect, it } from 'vitest';
import { LinearizabilityInvariantError } from './assert.ts';
import { checkHistory } from './check.ts';
import { type RegisterInput, type RegisterOutput, registerModel } from './model-register.ts';
import { HistoryRecorder } from './recorder.ts';

function manualClock(): { now: () => number; advance: (milliseconds: number) => void } {
  let time = 0;
  return { now: () => time, advance: (milliseconds) => void (time += milliseconds) };
}

describe('HistoryRecorder', () => {
  it('records each operation with the clock readings at invoke and complete', () => {
    const clock = manualClock();
    const recorder = new HistoryRecorder<RegisterInput, RegisterOutput>({ now: clock.now });
    const write = recorder.invoke('client-1', { type: 'write', key: 'x', value: 'a' });
    clock.advance(5);
    const read = recorder.invoke('client-2', { type: 'read', key: 'x' });
    clock.advance(5);
    recorder.complete(write, { outcome: 'ok', output: { type: 'write' } });
    clock.advance(5);
    recorder.complete(read, { outcome: 'ok', output: { type: 'read', value: 'a' } });
    const timedOut = recorder.invoke('client-1', { type: 'write', key: 'x', value: 'b' });
    clock.advance(100);
    recorder.complete(timedOut, { outcome: 'unknown' });
    recorder.invoke('client-2', { type: 'read', key: 'x' });

    const history = recorder.history();
    expect(history).toEqual([
      {
        process: 'client-1',
        input: { type: 'write', key: 'x', value: 'a' },
        invokeTime: 0,
        outcome: 'ok',
        output: { type: 'write' },
        completeTime: 10,
      },
      {
        process: 'client-2',
        input: { type: 'read', key: 'x' },
        invokeTime: 5,
        outcome: 'ok',
        output: { type: 'read', value: 'a' },
        completeTime: 15,
      },
      {
        process: 'client-1',
        input: { type: 'write', key: 'x', value: 'b' },
        invokeTime: 15,
        outcome: 'unknown',
        completeTime: 115,
      },
      { process: 'client-2', input: { type: 'read', key: 'x' }, invokeTime: 115, outcome: 'unknown' },
    ]);
    expect(checkHistory(registerModel, history).result).toBe('ok');
  });

  it('refuses a clock that goes backwards', () => {
    let time = 10;
    const recorder = new HistoryRecorder<RegisterInput, RegisterOutput>({ now: () => time });
    const pending = recorder.invoke(1, { type: 'read', key: 'x' });
    time = 9;
    expect(() => recorder.complete(pending, { outcome: 'fail' })).toThrow(/backwards/);
  });

  it('refuses a second operation from a process whose first is pending, and a double completion', () => {
    const recorder = new HistoryRecorder<RegisterInput, RegisterOutput>({ now: () => 0 });
    const pending = recorder.invoke(1, { type: 'read', key: 'x' });
    expect(() => recorder.invoke(1, { type: 'read', key: 'y' })).toThrow(LinearizabilityInvariantError);
    recorder.complete(pending, { outcome: 'fail' });
    expect(() => recorder.complete(pending, { outcome: 'fail' })).toThrow(/not pending/);
  });

  it('stops growing at its bound', () => {
    const recorder = new HistoryRecorder<RegisterInput, RegisterOutput>({ now: () => 0, operationsMax: 2 });
    recorder.invoke(1, { type: 'read', key: 'x' });
    recorder.invoke(2, { type: 'read', key: 'x' });
    expect(() => recorder.invoke(3, { type: 'read', key: 'x' })).toThrow(/full/);
  });
});
