import { SeededRandom, type Random } from '@clusterfunk/core'
import { swimConfig, type SwimConfig } from '../src/config.js'
import type { MemberEvent } from '../src/member.js'
import type { SimpleMessage } from '../src/messages.js'
import { SwimCore } from '../src/swim-core.js'

/**
 * A deterministic in-memory cluster of SwimCores on virtual time: datagrams
 * are delivered after a random latency or dropped with `dropRate`; streams
 * (push/pull, fallback pings, oversized gossip) are reliable between live
 * nodes. Nodes can crash and stall. One seed reproduces a run exactly.
 */
export interface HarnessOptions {
  seed: number
  config: Partial<SwimConfig>
  /** Probability that a datagram is lost. */
  dropRate?: number
  /** Datagram latency in ms, uniform in [min, max]. */
  latencyMs?: [number, number]
}

export interface SimNode {
  readonly id: string
  readonly address: string
  readonly core: SwimCore
  up: boolean
  /** The node processes nothing (ticks nor messages) before this time. */
  stalledUntil: number
  /** Inputs that arrived during a stall, processed when it ends. */
  held: Array<() => void>
  /** Probability that a datagram to this node is lost on top of `dropRate` (a degraded receiver). */
  inboundLoss: number
  /** When the node last sent a ping of its own (a probe). */
  lastProbeAt: number
  readonly events: Array<MemberEvent & { at: number }>
}

interface Scheduled {
  at: number
  order: number
  run: () => void
}

export class Harness {
  now = 0
  readonly nodes = new Map<string, SimNode>()
  private readonly byAddress = new Map<string, SimNode>()
  private readonly random: Random
  private readonly agenda: Scheduled[] = []
  private order = 0
  private readonly dropRate: number
  private readonly latency: [number, number]
  private readonly config: SwimConfig
  datagrams = 0

  constructor (readonly options: HarnessOptions) {
    this.random = new SeededRandom(options.seed)
    this.dropRate = options.dropRate ?? 0
    this.latency = options.latencyMs ?? [1, 5]
    this.config = swimConfig(undefined, options.config)
  }

  /** Adds a node (or a restarted one, with fresh state); it ticks from now on. */
  add (id: string, tags: Record<string, string> = {}, address = `${id}:7946`): SimNode {
    const node: SimNode = {
      id, address, up: true, stalledUntil: 0, held: [], inboundLoss: 0, lastProbeAt: -1, events: [],
      core: new SwimCore({ id, address, tags, config: this.config, random: this.random.fork() })
    }
    this.nodes.set(id, node)
    this.byAddress.set(address, node)
    this.scheduleTick(node, this.now)
    return node
  }

  node (id: string): SimNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  /** Runs `fn` on the node's core now (as its driver would), then flushes its output. */
  act (node: SimNode, fn: (core: SwimCore, now: number) => void): void {
    fn(node.core, this.now)
    this.flush(node)
  }

  crash (node: SimNode): void {
    node.up = false
  }

  /** The node stops processing for `ms`; what arrives meanwhile waits. */
  stall (node: SimNode, ms: number): void {
    node.stalledUntil = this.now + ms
    this.at(node.stalledUntil, () => {
      if (!node.up) return
      node.core.tick(this.now)
      this.flush(node)
      const held = node.held.splice(0)
      for (const h of held) h()
      this.flush(node)
    })
  }

  /** Runs the agenda up to `until`, or until `done` holds (checked after each step). Returns the time reached. */
  run (until: number, done?: () => boolean): number {
    while (this.agenda.length > 0) {
      if (done?.() === true) return this.now
      const next = this.agenda[0] as Scheduled
      if (next.at > until) break
      this.agenda.shift()
      this.now = Math.max(this.now, next.at)
      next.run()
    }
    this.now = Math.max(this.now, until)
    return this.now
  }

  /** True when every live node sees exactly the live nodes as alive. */
  converged (): boolean {
    const live = [...this.nodes.values()].filter(n => n.up).map(n => n.id).sort()
    return [...this.nodes.values()].filter(n => n.up).every(n => {
      const alive = n.core.members().filter(m => m.status === 'alive').map(m => m.id).sort()
      return alive.length === live.length && alive.every((id, i) => id === live[i])
    })
  }

  private at (at: number, run: () => void): void {
    const item = { at, order: this.order++, run }
    let lo = 0
    let hi = this.agenda.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      const m = this.agenda[mid] as Scheduled
      if (m.at < at || (m.at === at && m.order < item.order)) lo = mid + 1
      else hi = mid
    }
    this.agenda.splice(lo, 0, item)
  }

  /** Runs `input` on `node` now, or holds it while the node is stalled. */
  private deliver (node: SimNode, input: () => void): void {
    if (!node.up) return
    if (this.now < node.stalledUntil) {
      node.held.push(input)
      return
    }
    input()
    this.flush(node)
  }

  private scheduleTick (node: SimNode, at: number): void {
    this.at(at, () => {
      if (!node.up) return
      if (this.now >= node.stalledUntil) {
        node.core.tick(this.now)
        this.flush(node)
      }
      // one tick at a time per node: the next is scheduled from what the core asks for
      this.scheduleTick(node, Math.max(this.now + 1, node.core.nextTickAt(), node.stalledUntil))
    })
  }

  private latencyMs (): number {
    return this.random.int(this.latency[0], this.latency[1])
  }

  private flush (node: SimNode): void {
    const out = node.core.drain()
    for (const e of out.events) node.events.push({ ...e, at: this.now })
    for (const p of out.packets) {
      if (p.messages.some(m => m.type === 'ping' && m.source === node.id)) node.lastProbeAt = this.now
      this.datagrams++
      if (this.random.chance(this.dropRate)) continue
      if (this.random.chance(this.byAddress.get(p.to)?.inboundLoss ?? 0)) continue
      this.send(node, p.to, p.messages, this.latencyMs())
    }
    for (const r of out.requests) {
      const peer = this.byAddress.get(r.to)
      if (r.kind === 'messages') {
        this.send(node, r.to, r.messages, this.latencyMs())
      } else if (r.kind === 'push-pull') {
        const latency = this.latencyMs()
        this.at(this.now + latency, () => {
          if (peer === undefined || !peer.up || this.now < peer.stalledUntil || !node.up) return
          const theirs = peer.core.localState()
          peer.core.mergeRemoteState(this.now, node.core.localState(r.join))
          this.flush(peer)
          this.at(this.now + latency, () => { this.deliver(node, () => { node.core.mergeRemoteState(this.now, theirs) }) })
        })
      } else {
        const seq = r.ping.seq
        const answered = peer !== undefined && peer.up && peer.core.answerStreamPing(r.ping) !== undefined
        const reply = this.now + 2 * this.latencyMs()
        const stalledPast = peer !== undefined && peer.stalledUntil > r.deadline
        const ok = answered && !stalledPast && reply <= r.deadline
        this.at(ok ? reply : r.deadline, () => { this.deliver(node, () => { node.core.fallbackPingResult(this.now, seq, ok) }) })
      }
    }
  }

  private send (from: SimNode, to: string, messages: readonly SimpleMessage[], latency: number): void {
    const peer = this.byAddress.get(to)
    if (peer === undefined) return
    this.at(this.now + latency, () => {
      this.deliver(peer, () => { peer.core.receive(this.now, from.address, { type: 'compound', messages: [...messages] }) })
    })
  }
}
