import type { KvWatch, KvWatchOptions, V2Response } from '@concord/protocol';
import type { ConcordClient } from './client.ts';

/**
 * A watch as a chain of long polls: each asks for the event after the last one delivered
 * (`waitIndex = modifiedIndex + 1`), so a poll that moves to another endpoint after a
 * failure resumes exactly where the previous one stopped, never skipping an event.
 */
export class KeyWatch implements KvWatch {
  private readonly controller = new AbortController();

  constructor(
    private readonly client: ConcordClient,
    private readonly key: string,
    private readonly options: KvWatchOptions,
  ) {
    options.signal?.addEventListener('abort', () => this.cancel(), { once: true });
  }

  cancel(): void {
    this.controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<V2Response> {
    let waitIndex = this.options.waitIndex ?? 0;
    while (!this.controller.signal.aborted) {
      let response: V2Response;
      try {
        const result = await this.client.waitNext(this.key, {
          waitIndex,
          recursive: this.options.recursive,
          signal: this.controller.signal,
        });
        response = result.response;
      } catch (error) {
        if (this.controller.signal.aborted) return;
        throw error;
      }
      waitIndex = (response.node.modifiedIndex ?? waitIndex) + 1;
      yield response;
    }
  }
}
