/**
 * What a model answers when asked to apply one operation to a state: either the operation fits
 * (and the state it leads to), or it cannot happen here, with a sentence a human can read.
 */
export type StepResult<State> =
  | { readonly ok: true; readonly nextState: State }
  | { readonly ok: false; readonly reason: string };

/**
 * A sequential specification. States are immutable values: the search keeps old states on its
 * backtracking stack and in its cache, so `step` must return a new state rather than edit one.
 *
 * `output` is `undefined` when the operation's outcome is unknown (a timeout): the model then
 * answers as if the operation took effect. It never has to model "it did not happen", because
 * the checker may leave an operation of unknown outcome out of the linearization altogether.
 */
export interface Model<State, Input, Output> {
  readonly name: string;
  /** The state every partition starts from; `partitionKey` lets a model preload some keys. */
  init(partitionKey: string): State;
  step(state: State, input: Input, output: Output | undefined): StepResult<State>;
  equal(first: State, second: State): boolean;
  /** Only picks a cache bucket: states with equal hashes are compared with `equal`. */
  hash(state: State): number;
  /**
   * The key an operation touches. Operations on different keys commute, so each key's
   * sub-history is checked on its own, which keeps the search exponential in the concurrency
   * on one key rather than in the length of the whole history.
   */
  partition?(input: Input): string;
  /** One operation in a line of an explanation, e.g. `write x = "b"` or `read x -> "a"`. */
  describe(input: Input, output: Output | undefined): string;
  describeState(state: State): string;
}
