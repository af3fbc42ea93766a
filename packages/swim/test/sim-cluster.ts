import { PacketNetwork, Partitions, StreamNetwork, type Latency, type Simulation } from '@clusterfunk/sim'
import type { SwimConfig } from '../src/config.js'
import type { MemberEvent, MemberEventType } from '../src/member.js'
import { SimSwim, type SimSwimNetworks } from '../src/sim-swim.js'
import type { SwimPreset } from '../src/swim-options.js'

export interface SimClusterOptions {
  size: number
  preset?: SwimPreset
  config?: Partial<SwimConfig>
  latency?: Latency
  lossRate?: number
  duplicateRate?: number
  reorderRate?: number
}

const TYPES: readonly MemberEventType[] = ['member:join', 'member:update', 'member:suspect', 'member:alive', 'member:failed', 'member:leave', 'member:reap']

/**
 * `size` SimSwim members `n0…` on one packet and one stream network sharing
 * their partitions; every member joins through n0. Each member's view of
 * who is alive is kept from its events, so checking a full view costs O(N)
 * per check rather than a scan of every member table.
 */
export class SimCluster {
  readonly nets: SimSwimNetworks
  readonly nodes: SimSwim[] = []
  /** Every event, with the node that saw it and when. */
  readonly events: Array<MemberEvent & { by: string, at: number }> = []
  private readonly alive = new Map<string, Set<string>>()

  constructor (readonly sim: Simulation, readonly options: SimClusterOptions) {
    const partitions = new Partitions()
    const { latency = { minMs: 1, maxMs: 10 }, lossRate = 0, duplicateRate = 0, reorderRate = 0 } = options
    this.nets = {
      packets: new PacketNetwork(sim, { partitions, latency, lossRate, duplicateRate, reorderRate }),
      streams: new StreamNetwork(sim, { partitions, latency })
    }
    for (let i = 0; i < options.size; i++) this.add(`n${i}`)
    const seed = this.nodes[0] as SimSwim
    for (const n of this.nodes.slice(1)) n.join([seed.address])
  }

  node (i: number): SimSwim {
    const n = this.nodes[i]
    if (n === undefined) throw new RangeError(`no node n${i}`)
    return n
  }

  get running (): SimSwim[] {
    return this.nodes.filter(n => n.running)
  }

  /** The ids `n` currently sees alive (itself excluded). */
  aliveAt (n: SimSwim): ReadonlySet<string> {
    return this.alive.get(n.id) ?? new Set()
  }

  /** True when every running member sees every other running member alive, and no one else. */
  fullView (): boolean {
    const running = this.running
    if (!running.every(n => this.aliveAt(n).size === running.length - 1)) return false
    return running.every(n => running.every(m => m === n || this.aliveAt(n).has(m.id)))
  }

  /** The `member:failed` events, as "<by> failed <id>". */
  failures (): string[] {
    return this.events.filter(e => e.type === 'member:failed').map(e => `${e.by} failed ${e.member.id}`)
  }

  /** Runs until every running member has a full view; returns whether it got there within `maxMs`. */
  converge (maxMs: number): boolean {
    return this.sim.runUntil(() => this.fullView(), { maxMs })
  }

  /** `predicate`, evaluated at most once per `everyMs` of virtual time (false in between): for costly checks inside `runUntil`. */
  sampled (everyMs: number, predicate: () => boolean): () => boolean {
    let next = -Infinity
    return () => {
      if (this.sim.now() < next) return false
      next = this.sim.now() + everyMs
      return predicate()
    }
  }

  private add (id: string): void {
    const n = new SimSwim(this.sim, this.nets, { id, preset: this.options.preset, config: this.options.config })
    const view = new Set<string>()
    this.alive.set(id, view)
    for (const type of TYPES) {
      n.addEventListener(type, e => {
        const m = e.detail
        this.events.push({ type, member: m, by: id, at: this.sim.now() })
        if (m.status === 'alive') view.add(m.id)
        else view.delete(m.id)
      })
    }
    this.nodes.push(n)
    n.start()
  }
}
