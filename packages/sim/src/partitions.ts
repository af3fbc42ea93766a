import { nodeOf } from './address.js'

interface Cut {
  readonly a: ReadonlySet<string>
  readonly b: ReadonlySet<string>
  readonly oneWay: boolean
}

export interface PartitionOptions {
  /** Block only traffic from the first set to the second (an asymmetric fault). Default false: both ways. */
  oneWay?: boolean
}

/**
 * Which nodes can reach which. Entries are node names or addresses (an
 * address stands for its node: `"n1:7946"` cuts all of `n1`). A node
 * always reaches itself. Both networks of a simulation can share one
 * `Partitions`, so a partition cuts UDP and TCP alike; listeners hear of
 * every new cut so stream networks can reset the connections it severs.
 */
export class Partitions {
  private cuts: Cut[] = []
  private isolated = new Set<string>()
  private readonly listeners: Array<() => void> = []

  /** Cuts every node of `a` off from every node of `b` (both ways unless `oneWay`). Adds to the cuts already in place. */
  partition (a: Iterable<string>, b: Iterable<string>, options: PartitionOptions = {}): void {
    this.cuts.push({ a: toNodes(a), b: toNodes(b), oneWay: options.oneWay === true })
    this.changed()
  }

  /** Cuts `node` off from every other node, including ones that appear later. */
  isolate (node: string): void {
    this.isolated.add(nodeOf(node))
    this.changed()
  }

  /** Removes every cut and isolation. */
  heal (): void {
    this.cuts = []
    this.isolated = new Set()
    this.changed()
  }

  /** True when traffic from `from` to `to` (nodes or addresses) is cut. */
  blocked (from: string, to: string): boolean {
    const f = nodeOf(from)
    const t = nodeOf(to)
    if (f === t) return false
    if (this.isolated.has(f) || this.isolated.has(t)) return true
    for (const cut of this.cuts) {
      if (cut.a.has(f) && cut.b.has(t)) return true
      if (!cut.oneWay && cut.b.has(f) && cut.a.has(t)) return true
    }
    return false
  }

  /** True when traffic is cut in either direction between the two. */
  severed (x: string, y: string): boolean {
    return this.blocked(x, y) || this.blocked(y, x)
  }

  /** Calls `listener` after every change (partition, isolate, heal). */
  onChange (listener: () => void): void {
    this.listeners.push(listener)
  }

  private changed (): void {
    for (const listener of this.listeners) listener()
  }
}

function toNodes (items: Iterable<string>): Set<string> {
  const set = new Set<string>()
  for (const item of items) set.add(nodeOf(item))
  return set
}
