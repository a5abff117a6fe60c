import type { Metric, Registry } from 'prom-client';

/** The labels of a request series; `code` only on the counter. */
type SeriesLabels = { readonly method: string; readonly route: string };

interface Series {
  readonly labels: SeriesLabels;
  /** Requests answered with each status code. */
  readonly codes: Map<number, number>;
  /** Observations per bucket (not cumulative); the last slot holds those above every bound. */
  readonly bucketCounts: number[];
  sum: number;
  count: number;
}

interface MetricValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

/**
 * `concord_http_requests_total` and `concord_http_request_duration_seconds`, kept in plain
 * numbers and turned into prom-client's values only when scraped.
 *
 * prom-client's labelled `inc` and `observe` hash their label object on every call, even
 * through a child from `labels()`: about 4 % of a member's CPU per get. Here a request costs two
 * map lookups, a bucket search and a few additions. The two metrics are registered in the
 * member's registry as prom-client metrics are (an object with `name` and `get()`), and their
 * exposition is the text prom-client's Counter and Histogram give for the same observations
 * (`request-metrics.test.ts` compares the two).
 */
export class RequestMetrics {
  private readonly series = new Map<string, Map<string, Series>>();

  private readonly histogramName: string;
  private readonly upperBounds: readonly number[];

  constructor(
    registry: Registry,
    counter: { readonly name: string; readonly help: string },
    histogram: { readonly name: string; readonly help: string; readonly upperBounds: readonly number[] },
  ) {
    this.histogramName = histogram.name;
    this.upperBounds = histogram.upperBounds;
    registry.registerMetric(this.metric(counter.name, counter.help, 'counter', () => this.counterValues()));
    registry.registerMetric(
      this.metric(histogram.name, histogram.help, 'histogram', () => this.histogramValues()),
    );
  }

  record(method: string, route: string, code: number, seconds: number): void {
    let routes = this.series.get(method);
    if (routes === undefined) {
      routes = new Map();
      this.series.set(method, routes);
    }
    let series = routes.get(route);
    if (series === undefined) {
      series = {
        labels: { method, route },
        codes: new Map(),
        bucketCounts: new Array<number>(this.upperBounds.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      routes.set(route, series);
    }
    series.codes.set(code, (series.codes.get(code) ?? 0) + 1);
    let bucket = 0;
    while (bucket < this.upperBounds.length && seconds > this.upperBounds[bucket]!) bucket++;
    series.bucketCounts[bucket]!++;
    series.sum += seconds;
    series.count++;
  }

  private *allSeries(): Iterable<Series> {
    for (const routes of this.series.values()) yield* routes.values();
  }

  private counterValues(): MetricValue[] {
    const values: MetricValue[] = [];
    for (const series of this.allSeries()) {
      for (const [code, count] of series.codes) {
        values.push({ value: count, labels: { ...series.labels, code: String(code) } });
      }
    }
    return values;
  }

  /** As prom-client lays a histogram out: cumulative buckets with `le` first, +Inf, sum, count. */
  private histogramValues(): MetricValue[] {
    const values: MetricValue[] = [];
    const bucketName = `${this.histogramName}_bucket`;
    for (const series of this.allSeries()) {
      let cumulative = 0;
      this.upperBounds.forEach((bound, index) => {
        cumulative += series.bucketCounts[index]!;
        values.push({ value: cumulative, labels: { le: bound, ...series.labels }, metricName: bucketName });
      });
      values.push({ value: series.count, labels: { le: '+Inf', ...series.labels }, metricName: bucketName });
      values.push({ value: series.sum, labels: series.labels, metricName: `${this.histogramName}_sum` });
      values.push({
        value: series.count,
        labels: series.labels,
        metricName: `${this.histogramName}_count`,
      });
    }
    return values;
  }

  /**
   * What a registry asks of a metric: its name, `get()` for the exposition, `reset()` (which
   * clears both metrics: they share their series). The cast is to prom-client's union of its own
   * metric classes, which the registry only duck-types.
   */
  private metric(
    name: string,
    help: string,
    type: 'counter' | 'histogram',
    values: () => MetricValue[],
  ): Metric {
    const reset = () => this.series.clear();
    return {
      name,
      help,
      type,
      get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }),
      reset,
    } as unknown as Metric;
  }
}
