import { assert } from './assert.ts';

export interface BudgetOptions {
  /** Search steps (entries visited) across all partitions. */
  readonly stepsMax: number;
  /** Wall-clock time for the whole check, read from `now`. */
  readonly timeMsMax: number;
  readonly now: () => number;
}

/** The clock is read once per this many steps: reading it every step would dominate a fast search. */
const stepsPerClockReading = 1024;

/**
 * The search is exponential in the worst case, so every check runs under a budget; when it runs
 * out the verdict is `unknown`, never a guess.
 */
export class Budget {
  private stepsSpent = 0;
  private readonly deadline: number;
  private exhausted = false;

  constructor(private readonly options: BudgetOptions) {
    assert(options.stepsMax >= 0, `stepsMax must not be negative: ${options.stepsMax}`);
    assert(options.timeMsMax >= 0, `timeMsMax must not be negative: ${options.timeMsMax}`);
    this.deadline = options.now() + options.timeMsMax;
  }

  get steps(): number {
    return this.stepsSpent;
  }

  get isExhausted(): boolean {
    return this.exhausted;
  }

  /** Takes one step; false once the steps or the time are used up (and from then on). */
  spend(): boolean {
    if (this.exhausted) return false;
    if (this.stepsSpent >= this.options.stepsMax) return this.exhaust();
    this.stepsSpent++;
    if (this.stepsSpent % stepsPerClockReading === 0 && this.options.now() > this.deadline)
      return this.exhaust();
    return true;
  }

  private exhaust(): false {
    this.exhausted = true;
    return false;
  }
}
