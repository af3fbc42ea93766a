/**
 * The figures a package reports. Packages take an optional `Metrics`
 * component and create their series at construction; the cluster package
 * backs it with prom-client, tests back it with `MemoryMetrics`. The call
 * shapes follow prom-client so an adapter is a thin pass-through.
 */
export type Labels = Record<string, string | number>

export interface MetricInit {
  /** Full series name, `clusterfunk_<package>_<what>[_total|_ms|...]`. */
  name: string
  help: string
  labelNames?: readonly string[]
}

export interface HistogramInit extends MetricInit {
  /** Upper bounds of the buckets, ascending. */
  buckets?: readonly number[]
}

export interface Counter {
  inc: ((value?: number) => void) & ((labels: Labels, value?: number) => void)
}

export interface Gauge {
  set: ((value: number) => void) & ((labels: Labels, value: number) => void)
  inc: ((value?: number) => void) & ((labels: Labels, value?: number) => void)
  dec: ((value?: number) => void) & ((labels: Labels, value?: number) => void)
}

export interface Histogram {
  observe: ((value: number) => void) & ((labels: Labels, value: number) => void)
}

export interface Metrics {
  counter: (init: MetricInit) => Counter
  gauge: (init: MetricInit) => Gauge
  histogram: (init: HistogramInit) => Histogram
}

const noop = (): void => {}

/** Metrics that go nowhere: the default when a caller passes none. */
export const noopMetrics: Metrics = {
  counter: () => ({ inc: noop }),
  gauge: () => ({ set: noop, inc: noop, dec: noop }),
  histogram: () => ({ observe: noop })
}

function split (labelsOrValue: Labels | number | undefined, value: number | undefined, fallback: number): [Labels, number] {
  if (typeof labelsOrValue === 'object') return [labelsOrValue, value ?? fallback]
  return [{}, labelsOrValue ?? fallback]
}

function key (labels: Labels): string {
  return Object.keys(labels).sort().map(k => `${k}=${String(labels[k])}`).join(',')
}

/**
 * Metrics kept in memory, readable by name and labels. For tests and for
 * programs that want to show a figure without a Prometheus server.
 */
export class MemoryMetrics implements Metrics {
  private readonly values = new Map<string, Map<string, number>>()
  private readonly observations = new Map<string, Map<string, number[]>>()

  counter (init: MetricInit): Counter {
    const series = this.series(init.name)
    return {
      inc: (l?: Labels | number, v?: number) => {
        const [labels, value] = split(l, v, 1)
        if (value < 0) throw new RangeError(`counter ${init.name} cannot decrease`)
        const k = key(labels)
        series.set(k, (series.get(k) ?? 0) + value)
      }
    }
  }

  gauge (init: MetricInit): Gauge {
    const series = this.series(init.name)
    const add = (l: Labels | number | undefined, v: number | undefined, sign: number): void => {
      const [labels, value] = split(l, v, 1)
      const k = key(labels)
      series.set(k, (series.get(k) ?? 0) + sign * value)
    }
    return {
      set: (l: Labels | number, v?: number) => {
        const [labels, value] = split(l, v, 0)
        series.set(key(labels), value)
      },
      inc: (l?: Labels | number, v?: number) => { add(l, v, 1) },
      dec: (l?: Labels | number, v?: number) => { add(l, v, -1) }
    }
  }

  histogram (init: HistogramInit): Histogram {
    let series = this.observations.get(init.name)
    if (series === undefined) {
      series = new Map()
      this.observations.set(init.name, series)
    }
    const s = series
    return {
      observe: (l: Labels | number, v?: number) => {
        const [labels, value] = split(l, v, 0)
        const k = key(labels)
        let list = s.get(k)
        if (list === undefined) {
          list = []
          s.set(k, list)
        }
        list.push(value)
      }
    }
  }

  /** The value of a counter or gauge series (0 if never touched). */
  get (name: string, labels: Labels = {}): number {
    return this.values.get(name)?.get(key(labels)) ?? 0
  }

  /** The sum over every label combination of a counter or gauge. */
  total (name: string): number {
    let sum = 0
    for (const v of this.values.get(name)?.values() ?? []) sum += v
    return sum
  }

  /** Every value a histogram series observed, in order. */
  observed (name: string, labels: Labels = {}): readonly number[] {
    return this.observations.get(name)?.get(key(labels)) ?? []
  }

  private series (name: string): Map<string, number> {
    let s = this.values.get(name)
    if (s === undefined) {
      s = new Map()
      this.values.set(name, s)
    }
    return s
  }
}
