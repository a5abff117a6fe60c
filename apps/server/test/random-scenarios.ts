import type { RequestSpec, Scenario, Step } from './scenario-runner.ts';

/**
 * Seeded random sequences of key requests for the differential test: what the hand-written
 * table does not think of is the interplay of many requests on a few keys (a directory made
 * where a key was, a compare against a value two writes old, a delete that empties a
 * directory, a watch's history after all that), and bursts of one write sent several times
 * at once. Keys and parameters are drawn from small sets so that requests meet each other:
 * nested keys, hidden ones, escaped names, paths to clean, and valid, invalid and conflicting
 * parameters. No TTL ever runs out in a scenario
 * (TTLs are 100 s and up), and every watch is answered from the history, so that no request
 * waits.
 */
export function randomScenario(seed: number, length: number): Scenario {
  const random = seededRandom(seed);
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
  // The first write makes `{i+1}` an index the history holds.
  const steps: Step[] = [request({ method: 'PUT', path: '~/first', form: 'value=0' })];
  for (let step = 1; step < length; step++) {
    const key = `~/${pick(keys)}`;
    // An index some writes back: compares may hold or fail, watches find history.
    const index = `{i+${1 + Math.floor(random() * Math.max(1, step / 2))}}`;
    const query = pick(queries)(index, pick);
    switch (
      pick(['put', 'put', 'put', 'get', 'get', 'delete', 'delete', 'post', 'watch', 'burst'] as const)
    ) {
      case 'put':
        steps.push(request({ method: 'PUT', path: key, form: pick(writeForms)(index, pick) }));
        break;
      case 'get':
        steps.push(request({ method: pick(['GET', 'GET', 'GET', 'HEAD']), path: key, ...query }));
        break;
      case 'watch':
        // From the scenario's first write, which both watches see: one that matched nothing
        // would wait for a write that never comes.
        steps.push(
          request(
            pick([
              { method: 'GET', path: '~', query: 'wait=true&recursive=true&waitIndex={i+1}' },
              { method: 'GET', path: '~/first', query: 'wait=true&waitIndex={i+1}' },
            ]),
          ),
        );
        break;
      case 'delete':
        steps.push(request({ method: 'DELETE', path: key, ...pick(deleteQueries)(index, pick) }));
        break;
      case 'post':
        steps.push(request({ method: 'POST', path: key, form: `value=${pick(values)}` }));
        break;
      case 'burst': {
        // The same write sent 2 to 5 times at once: which copy wins is a race, but how many
        // succeed and how the others fail is not (one create, one swap, one delete).
        const write = pick<RequestSpec>([
          { method: 'PUT', path: key, form: pick(writeForms)(index, pick) },
          { method: 'DELETE', path: key, ...pick(deleteQueries)(index, pick) },
          { method: 'POST', path: key, form: 'value=v' },
        ]);
        steps.push({
          kind: 'burst',
          requests: Array.from({ length: 2 + Math.floor(random() * 4) }, () => write),
        });
        break;
      }
    }
  }
  steps.push(request({ method: 'GET', path: '~', query: 'recursive=true&sorted=true' }));
  return { name: `random requests, seed ${seed}`, steps };
}

type Draw = <T>(choices: readonly T[]) => T;

const keys = [
  'a',
  'b',
  'a/x',
  'a/y',
  'a/x/z',
  'd',
  'd/e',
  'd/e/f',
  '_h',
  'a/_h',
  '_h/q',
  'sp%20ace',
  '%C3%A9t%C3%A9',
  'a/',
  'd/e/',
  'a//x',
  'a/./y',
  'a/x/..',
];

// Not numbers: the runner reads the numbers of a failed compare's cause as indexes.
const values = ['p', 'q', 'v', '', 'x%20y', '%E2%82%AC'];

const writeForms: readonly ((index: string, pick: Draw) => string)[] = [
  (_, pick) => `value=${pick(values)}`,
  (_, pick) => `value=${pick(values)}`,
  () => 'dir=true',
  (_, pick) => `value=${pick(values)}&prevExist=true`,
  (_, pick) => `value=${pick(values)}&prevExist=false`,
  (_, pick) => `value=${pick(values)}&prevValue=${pick(values)}`,
  (index, pick) => `value=${pick(values)}&prevIndex=${index}`,
  (index, pick) => `value=${pick(values)}&prevIndex=${index}&prevValue=${pick(values)}`,
  (_, pick) => `value=${pick(values)}&ttl=${pick(['100', '200', '', 'abc', '-1'])}`,
  () => 'ttl=100&refresh=true&prevExist=true',
  () => 'refresh=true',
  (_, pick) => `value=${pick(values)}&noValueOnSuccess=true`,
  () => 'dir=true&prevExist=true',
  () => 'dir=true&value=v',
  (_, pick) => `value=${pick(values)}&prevExist=${pick(['maybe', 'T', 'f'])}`,
  () => 'value=v&prevIndex=x',
  () => 'value=v&prevIndex=0',
];

const queries: readonly ((index: string, pick: Draw) => { query?: string })[] = [
  () => ({}),
  () => ({ query: 'recursive=true' }),
  () => ({ query: 'recursive=true&sorted=true' }),
  () => ({ query: 'sorted=true' }),
  () => ({ query: 'quorum=true' }),
  (_, pick) => ({ query: `recursive=${pick(['maybe', '1', 'F'])}` }),
];

const deleteQueries: readonly ((index: string, pick: Draw) => { query?: string })[] = [
  () => ({}),
  () => ({ query: 'recursive=true' }),
  () => ({ query: 'dir=true' }),
  () => ({ query: 'dir=true&recursive=true' }),
  (_, pick) => ({ query: `prevValue=${pick(values)}` }),
  (index) => ({ query: `prevIndex=${index}` }),
  (index, pick) => ({ query: `prevIndex=${index}&prevValue=${pick(values)}` }),
  () => ({ query: 'prevExist=true' }),
];

function request(spec: RequestSpec): Step {
  return { kind: 'request', request: spec };
}

/** A small deterministic generator (mulberry32): the same seed, the same scenario. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
