import client from 'prom-client'
import { InvalidArgumentError, type Counter, type Gauge, type Histogram, type HistogramInit, type MetricInit, type Metrics } from '@clusterfunk/core'
import { MetricConflictError } from './errors.js'

/** Options of `PromMetrics`. */
export interface PromMetricsInit {
  /**
   * Also collect Node's process metrics (CPU, memory, heap, event-loop lag,
   * GC, handles: prom-client's `collectDefaultMetrics`) into this registry.
   * Default false. prom-client cannot stop them again: once on, its GC
   * observer and event-loop monitor live as long as the process (they do not
   * keep it alive).
   */
  defaultMetrics?: boolean
  /** Prefix of the default metrics' names. Default none (`process_…`, `nodejs_…`, as dashboards expect). */
  defaultMetricsPrefix?: string
  /** Labels added to every series of this registry, such as `{ cluster: 'orders', node: 'node-a' }`. */
  labels?: Record<string, string>
}

type Kind = 'counter' | 'gauge' | 'histogram'

interface Entry {
  kind: Kind
  labelNames: string
  buckets: string
  series: Counter | Gauge | Histogram
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/**
 * The core `Metrics` interface backed by prom-client, with a `Registry` of
 * its own (never prom-client's global one, so two instances in one process
 * never collide). Counters, gauges and histograms map 1:1 to prom-client's;
 * histograms without `buckets` get prom-client's defaults. Creating a name
 * again returns the same series when type, label names and buckets agree,
 * and throws `MetricConflictError` when they do not.
 */
export class PromMetrics implements Metrics {
  /** The prom-client registry every series of this instance is in. */
  readonly registry: client.Registry
  private readonly entries = new Map<string, Entry>()
  private readonly hooks = new Set<() => void | Promise<void>>()

  constructor (init: PromMetricsInit = {}) {
    this.registry = new client.Registry()
    if (init.labels !== undefined) {
      for (const name of Object.keys(init.labels)) {
        if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new InvalidArgumentError(`invalid label name ${JSON.stringify(name)}`)
      }
      this.registry.setDefaultLabels(init.labels)
    }
    if (init.defaultMetrics === true) {
      client.collectDefaultMetrics({ register: this.registry, prefix: init.defaultMetricsPrefix ?? '' })
    }
  }

  /** The content type of `exposition()`, for the HTTP response. */
  get contentType (): string {
    return this.registry.contentType
  }

  /**
   * Runs `hook` before every `exposition()`, to set gauges that are computed
   * rather than kept current. Returns a function that removes it.
   */
  addCollectHook (hook: () => void | Promise<void>): () => void {
    this.hooks.add(hook)
    return () => { this.hooks.delete(hook) }
  }

  /** Every series in Prometheus' text exposition format (after running the collect hooks). */
  async exposition (): Promise<string> {
    for (const hook of this.hooks) await hook()
    return await this.registry.metrics()
  }

  counter (init: MetricInit): Counter {
    return this.create('counter', init, [], () => new client.Counter({ ...this.config(init) }))
  }

  gauge (init: MetricInit): Gauge {
    return this.create('gauge', init, [], () => new client.Gauge({ ...this.config(init) }))
  }

  histogram (init: HistogramInit): Histogram {
    const buckets = init.buckets === undefined ? undefined : [...init.buckets]
    return this.create('histogram', init, buckets ?? [], () => new client.Histogram({ ...this.config(init), ...(buckets === undefined ? {} : { buckets }) }))
  }

  private config (init: MetricInit): { name: string, help: string, labelNames: string[], registers: client.Registry[] } {
    return { name: init.name, help: init.help, labelNames: [...(init.labelNames ?? [])], registers: [this.registry] }
  }

  private create<T extends Counter | Gauge | Histogram> (kind: Kind, init: MetricInit, buckets: readonly number[], make: () => T): T {
    if (!client.validateMetricName(init.name)) throw new InvalidArgumentError(`invalid metric name ${JSON.stringify(init.name)}`)
    const labels = [...(init.labelNames ?? [])]
    for (const label of labels) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le' || label === 'quantile') {
        throw new InvalidArgumentError(`metric ${init.name}: invalid label name ${JSON.stringify(label)}`)
      }
    }
    const labelNames = [...labels].sort().join(',')
    const bucketKey = buckets.join(',')
    const known = this.entries.get(init.name)
    if (known !== undefined) {
      if (known.kind !== kind) throw new MetricConflictError(init.name, `already a ${known.kind}, cannot create it as a ${kind}`)
      if (known.labelNames !== labelNames) throw new MetricConflictError(init.name, `label names [${known.labelNames}] already, not [${labelNames}]`)
      if (known.buckets !== bucketKey) throw new MetricConflictError(init.name, `buckets [${known.buckets}] already, not [${bucketKey}]`)
      return known.series as T
    }
    if (this.registry.getSingleMetric(init.name) !== undefined) {
      throw new MetricConflictError(init.name, 'the name is taken by a metric registered directly in the registry')
    }
    const series = make()
    this.entries.set(init.name, { kind, labelNames, buckets: bucketKey, series })
    return series
  }
}
