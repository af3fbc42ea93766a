import { PacketNetwork, Partitions, SimHosts, StreamNetwork, type Latency, type SimHost, type Simulation } from '@clusterfunk/sim'
import type { SwimConfig } from '../src/config.js'
import { Keyring } from '../src/keyring.js'
import type { Member, MemberEvent, MemberEventType } from '../src/member.js'
import type { Tags } from '../src/messages.js'
import { SIM_SWIM_PORT, simSwim } from '../src/sim.js'
import type { Swim } from '../src/swim.js'
import type { SwimPreset } from '../src/swim-options.js'
import { totalDropped } from '../src/swim-metrics.js'

export interface SimClusterOptions {
  size: number
  preset?: SwimPreset
  config?: Partial<SwimConfig>
  latency?: Latency
  lossRate?: number
  duplicateRate?: number
  reorderRate?: number
  /** Gossip encryption with a keyring drawn from the seed. Default true. */
  encrypted?: boolean
}

const GARBLED = ['decrypt', 'decode', 'version', 'oversize', 'empty', 'unexpected', 'truncated', 'stale', 'misdirected'] as const

const TYPES: readonly MemberEventType[] = ['member:join', 'member:update', 'member:suspect', 'member:alive', 'member:failed', 'member:leave', 'member:reap']

/** A base64 AES-256 key drawn from the simulation's seed. */
export function seededKey (sim: Simulation, label: string): string {
  const random = sim.fork(label)
  return Buffer.from(Array.from({ length: 32 }, () => random.int(0, 255))).toString('base64')
}

/** One member: the shipping `Swim` on a simulated host, and the host's faults. */
export class SimMember {
  constructor (readonly id: string, readonly host: SimHost, readonly swim: Swim) {}

  get address (): string {
    return this.host.address(SIM_SWIM_PORT)
  }

  /** False once crashed. */
  get running (): boolean {
    return !this.host.crashed
  }

  member (id: string): Member | undefined {
    return this.swim.member(id)
  }

  members (): Member[] {
    return this.swim.members()
  }

  allMembers (): Member[] {
    return this.swim.allMembers()
  }

  setTags (tags: Tags | Record<string, string>): void {
    this.swim.setTags(tags)
  }

  /** Datagrams and stream frames this member dropped (did not open, decode or pass the replay check). */
  get dropped (): number {
    return totalDropped(this.swim.stats())
  }

  /**
   * What it dropped as garbled or forged: everything but replays (a
   * duplicated datagram is one, and is dropped as it should be) and
   * timeouts or refusals under load.
   */
  get garbled (): number {
    const { dropped } = this.swim.stats()
    return (['udp', 'tcp'] as const).reduce((sum, t) => sum + GARBLED.reduce((s, r) => s + dropped[t][r], 0), 0)
  }

  crash (): void {
    this.host.crash()
  }

  pause (): void {
    this.host.pause()
  }

  resume (): void {
    this.host.resume()
  }
}

/**
 * `size` members `n0…` running the shipping `Swim` on simulated hosts, one
 * packet and one stream network sharing their partitions; every member
 * joins through n0. Each member's view of who is alive is kept from its
 * events, so checking a full view costs O(N) per check rather than a scan
 * of every member table. Drive it with the simulation's `*Async` runners:
 * the driver's stream exchanges are promises.
 */
export class SimCluster {
  readonly hosts: SimHosts
  readonly nets: { packets: PacketNetwork, streams: StreamNetwork }
  readonly nodes: SimMember[] = []
  /** Every event, with the node that saw it and when. */
  readonly events: Array<MemberEvent & { by: string, at: number }> = []
  /** Joins that failed. */
  readonly joinErrors: Error[] = []
  readonly keyring: Keyring | undefined
  private readonly alive = new Map<string, Set<string>>()

  private constructor (readonly sim: Simulation, readonly options: SimClusterOptions) {
    const partitions = new Partitions()
    const { latency = { minMs: 1, maxMs: 10 }, lossRate = 0, duplicateRate = 0, reorderRate = 0 } = options
    this.nets = {
      packets: new PacketNetwork(sim, { partitions, latency, lossRate, duplicateRate, reorderRate }),
      streams: new StreamNetwork(sim, { partitions, latency })
    }
    this.hosts = new SimHosts(sim, this.nets)
    this.keyring = options.encrypted === false ? undefined : new Keyring([seededKey(sim, 'gossip-key')])
  }

  /** Starts every member and sends every join through n0 on its way. */
  static async create (sim: Simulation, options: SimClusterOptions): Promise<SimCluster> {
    const c = new SimCluster(sim, options)
    for (let i = 0; i < options.size; i++) await c.add(`n${i}`)
    const seed = c.node(0)
    for (const n of c.nodes.slice(1)) c.join(n, [seed.address])
    return c
  }

  node (i: number): SimMember {
    const n = this.nodes[i]
    if (n === undefined) throw new RangeError(`no node n${i}`)
    return n
  }

  get running (): SimMember[] {
    return this.nodes.filter(n => n.running)
  }

  /** Starts a join of `n` through `addresses`; a failure is kept in `joinErrors`. */
  join (n: SimMember, addresses: string[]): void {
    n.swim.join(addresses).catch((err: Error) => { this.joinErrors.push(err) })
  }

  /** The ids `n` currently sees alive (itself excluded). */
  aliveAt (n: SimMember): ReadonlySet<string> {
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
  async converge (maxMs: number): Promise<boolean> {
    return await this.sim.runUntilAsync(() => this.fullView(), { maxMs })
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

  /** A new member `id` on a new incarnation of its host (a restart, when it ran before), started. */
  async add (id: string): Promise<SimMember> {
    const host = this.hosts.host(id)
    const config = { ...this.options.config }
    const swim = simSwim(host, { id, preset: this.options.preset ?? 'lan', config, ...(this.keyring === undefined ? {} : { keyring: this.keyring }) })
    const n = new SimMember(id, host, swim)
    const view = new Set<string>()
    this.alive.set(id, view)
    for (const type of TYPES) {
      swim.addEventListener(type, e => {
        const m = e.detail
        this.events.push({ type, member: m, by: id, at: this.sim.now() })
        if (m.status === 'alive') view.add(m.id)
        else view.delete(m.id)
      })
    }
    const at = this.nodes.findIndex(x => x.id === id)
    if (at >= 0) this.nodes[at] = n
    else this.nodes.push(n)
    await swim.start()
    return n
  }
}
