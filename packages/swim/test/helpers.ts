import { SeededRandom } from '@clusterfunk/core'
import { lanConfig, swimConfig, type SwimConfig } from '../src/config.js'
import type { MemberEvent } from '../src/member.js'
import type { AliveMessage, SimpleMessage } from '../src/messages.js'
import type { Packet, StreamRequest } from '../src/outputs.js'
import { SwimCore } from '../src/swim-core.js'

/** A core named `id` at `<id>:7946`, LAN timing unless overridden. */
export function makeCore (id = 'a', overrides: Partial<SwimConfig> = {}, seed = 1, tags: Record<string, string> = {}): SwimCore {
  return new SwimCore({ id, address: addr(id), tags, config: swimConfig(lanConfig, overrides), random: new SeededRandom(seed) })
}

export function addr (id: string): string {
  return `${id}:7946`
}

export function alive (node: string, incarnation = 1, tags: Record<string, string> = {}, address = addr(node)): AliveMessage {
  return { type: 'alive', node, incarnation, address, tags: new Map(Object.entries(tags)) }
}

/** Everything a core produced over a stretch of virtual time. */
export interface Collected {
  packets: Array<Packet & { at: number }>
  requests: Array<StreamRequest & { at: number }>
  events: Array<MemberEvent & { at: number }>
}

export function collected (): Collected {
  return { packets: [], requests: [], events: [] }
}

/** Answers packets the core sent, as the rest of the cluster would. */
export type Responder = (core: SwimCore, packet: Packet, now: number) => void

/** A responder under which every member except `down` acks the pings it gets. */
export function ackingExcept (...down: string[]): Responder {
  return (core, packet, now) => {
    for (const m of packet.messages) {
      if (m.type === 'ping' && !down.includes(m.target)) core.receive(now, packet.to, { type: 'ack', seq: m.seq, source: m.target })
    }
  }
}

/** Drains `core` into `into`, stamping everything with `now`, and lets `respond` answer the packets. */
export function drainInto (core: SwimCore, now: number, into: Collected, respond?: Responder): void {
  const out = core.drain()
  for (const p of out.packets) respond?.(core, p, now)
  for (const p of out.packets) into.packets.push({ ...p, at: now })
  for (const r of out.requests) into.requests.push({ ...r, at: now })
  for (const e of out.events) into.events.push({ ...e, at: now })
}

/**
 * Ticks `core` at each `nextTickAt` up to `until` (inclusive), collecting its
 * outputs, until `stop` holds. `respond` answers the packets of each step.
 */
export function runUntil (core: SwimCore, from: number, until: number, into: Collected = collected(), stop?: (c: Collected) => boolean, respond?: Responder): number {
  let now = from
  core.tick(now)
  drainInto(core, now, into, respond)
  for (let steps = 0; steps < 1_000_000; steps++) {
    if (stop?.(into) === true) return now
    const next = core.nextTickAt()
    if (next > until) return now
    now = Math.max(now, next)
    core.tick(now)
    drainInto(core, now, into, respond)
  }
  throw new Error('runUntil did not settle')
}

/** The messages of `type` in the collected packets, with their destination. */
export function sent<T extends SimpleMessage['type']> (c: Collected, type: T): Array<{ to: string, at: number, message: Extract<SimpleMessage, { type: T }> }> {
  const out: Array<{ to: string, at: number, message: Extract<SimpleMessage, { type: T }> }> = []
  for (const p of c.packets) {
    for (const m of p.messages) if (m.type === type) out.push({ to: p.to, at: p.at, message: m as Extract<SimpleMessage, { type: T }> })
  }
  return out
}

/** A core that already knows the alive members `others`. */
export function coreWith (others: string[], overrides: Partial<SwimConfig> = {}, seed = 1): SwimCore {
  const core = makeCore('a', overrides, seed)
  for (const o of others) core.receive(0, addr(o), alive(o))
  core.drain()
  return core
}
