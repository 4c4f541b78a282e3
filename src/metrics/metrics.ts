import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry. Modules create their metrics through `metrics()` so every
 * metric is exported on /metrics; names start with `mailstead_`.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly made = new Map<string, Counter | Gauge | Histogram>();

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

  private reuse(name: string, make: () => Counter | Gauge | Histogram) {
    let m = this.made.get(name);
    if (!m) {
      m = make();
      this.made.set(name, m);
    }
    return m;
  }
}
