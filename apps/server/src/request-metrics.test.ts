import { Counter, exponentialBuckets, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from './request-metrics.ts';

const counter = { name: 'requests_total', help: 'Requests.' };
const histogram = {
  name: 'request_seconds',
  help: 'Durations.',
  upperBounds: exponentialBuckets(0.0005, 2, 13),
};

/** The same observations, through prom-client's own Counter and Histogram. */
function promClientExposition(observations: readonly (readonly [string, string, number, number])[]) {
  const registry = new Registry();
  const registers = [registry];
  const count = new Counter({ ...counter, labelNames: ['method', 'route', 'code'], registers });
  const seconds = new Histogram({
    name: histogram.name,
    help: histogram.help,
    labelNames: ['method', 'route'],
    buckets: [...histogram.upperBounds],
    registers,
  });
  for (const [method, route, code, value] of observations) {
    count.labels(method, route, String(code)).inc();
    seconds.labels(method, route).observe(value);
  }
  return registry.metrics();
}

/** Prometheus' text format leaves the order of a family's samples free: compare them sorted. */
const sortedLines = (text: string) => text.split('\n').sort();

describe('RequestMetrics', () => {
  it("exposes what prom-client's Counter and Histogram expose for the same requests", async () => {
    const observations: [string, string, number, number][] = [
      ['GET', 'keys', 200, 0.0001],
      ['PUT', 'keys', 201, 0.0005], // on a bucket's bound: counted in that bucket, as prom-client does
      ['GET', 'keys', 404, 0.003],
      ['GET', 'stats', 200, 0.0021],
      ['GET', 'keys', 200, 0.5],
      ['other', 'keys', 405, 7], // above every bound: only in +Inf
      ['PUT', 'keys', 201, 1.024],
      ['GET', 'watch', 200, 2.5],
    ];
    for (let i = 0; i < 50; i++) observations.push(['GET', 'keys', 200, (i * 0.37) % 3]);
    const registry = new Registry();
    const requests = new RequestMetrics(registry, counter, histogram);
    for (const [method, route, code, value] of observations) requests.record(method, route, code, value);
    const ours = await registry.metrics();
    expect(sortedLines(ours)).toEqual(sortedLines(await promClientExposition(observations)));
    expect(ours).toContain('requests_total{method="GET",route="keys",code="200"} 52');
    expect(ours).toContain('request_seconds_bucket{le="+Inf",method="other",route="keys"} 1');
  });

  it('exposes the two families, empty, before any request, and nothing after a reset', async () => {
    const registry = new Registry();
    const requests = new RequestMetrics(registry, counter, histogram);
    expect(sortedLines(await registry.metrics())).toEqual(sortedLines(await promClientExposition([])));
    requests.record('GET', 'keys', 200, 0.001);
    registry.resetMetrics();
    expect(sortedLines(await registry.metrics())).toEqual(sortedLines(await promClientExposition([])));
    expect(await registry.getMetricsAsJSON()).toHaveLength(2);
  });
});
