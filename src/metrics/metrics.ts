import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';

/** Another thread's metrics, as its registry's getMetricsAsJSON() gives them. */
export type MetricsSource = () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;

/**
 * The process's Prometheus registry. Modules create their metrics through `metrics()` so every
 * metric is exported on /metrics; names start with `mailstead_`.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly made = new Map<string, Counter | Gauge | Histogram>();
  private readonly sources: MetricsSource[] = [];

  constructor(withDefaults = true) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'mailstead_process_' });
  }

  counter(name: string, help: string, labelNames: string[] = []): Counter {
    return this.reuse(
      name,
      () => new Counter({ name, help, labelNames, registers: [this.registry] }),
    ) as Counter;
  }

  gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return this.reuse(name, () => new Gauge({ name, help, labelNames, registers: [this.registry] })) as Gauge;
  }

  histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram {
    return this.reuse(
      name,
      () =>
        new Histogram({
          name,
          help,
          labelNames,
          registers: [this.registry],
          ...(buckets ? { buckets } : {}),
        }),
    ) as Histogram;
  }

  /** Adds a worker thread's metrics to the exposition; same-named series are summed. */
  addSource(source: MetricsSource): void {
    this.sources.push(source);
  }

  /** The Prometheus exposition of this registry and every source (one that fails is left out). */
  async text(): Promise<string> {
    if (!this.sources.length) return this.registry.metrics();
    const all = await Promise.all([
      this.registry.getMetricsAsJSON(),
      ...this.sources.map((s) => s().catch(() => [])),
    ]);
    return AggregatorRegistry.aggregate(all).metrics();
  }

  private reuse(name: string, make: () => Counter | Gauge | Histogram) {
    let m = this.made.get(name);
    if (!m) {
      m = make();
      this.made.set(name, m);
    }
    return m;
  }
}
