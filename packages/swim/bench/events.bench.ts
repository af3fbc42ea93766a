import { waitFor } from '@clusterfunk/core'
import { median, printFigure, type BenchOptions } from '@clusterfunk/core/bench'
import type { Swim } from '../src/index.js'
import { joinAll, startMembers, stopAll } from './cluster-kit.js'
import { SerfCluster, ensureSerf } from './serf-kit.js'

/**
 * User events and queries on real sockets over loopback, 16 members in
 * this process, the `local` preset (memberlist's DefaultLocalConfig:
 * gossip every 100 ms to 3 members, retransmit multiplier 2).
 *
 * - `event.spread.16`: an event fired on one member until every member
 *   emitted it (`user:event`), median over trials; measured against 16
 *   `serf agent` processes (profile `local`) in the same run: `serf event`
 *   through one agent until the event handler ran on all 16 (the first
 *   handler, the origin's own, is time zero on both sides).
 * - `query.round.16`: a query from one member until all 16 responded
 *   (each answers from its `user:query` listener), median.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const n = options.tiny ? 4 : 16
  const trials = options.tiny ? 1 : 15
  const nodes = await startMembers(n, 'ev', { preset: 'local' })
  let ours: number
  let round: number
  try {
    await joinAll(nodes)
    ours = median(await spreadTrials(nodes, trials))
    round = median(await queryTrials(nodes, trials))
  } finally {
    await stopAll(nodes)
  }
  report({ bench: 'query.round.16', value: round, unit: 'ms', goal: 50, better: 'lower' })
  if (options.tiny) {
    report({ bench: 'event.spread.16', value: ours, unit: 'ms', better: 'lower' })
    return
  }
  if (!ensureSerf()) {
    process.stderr.write('  serf could not be installed: event.spread.16 has no peer figure\n')
    report({ bench: 'event.spread.16', value: ours, unit: 'ms', better: 'lower' })
    return
  }
  const serf = await SerfCluster.start(n)
  let theirs: number
  try {
    const times: number[] = []
    for (let t = 0; t < trials; t++) {
      const payload = `t${t}-${Date.now()}`
      await serf.fire(t % n, payload)
      const arrivals = await serf.arrivals(payload, n)
      times.push(Math.max(...arrivals) - Math.min(...arrivals))
    }
    theirs = median(times)
  } finally {
    await serf.stop()
  }
  report({ bench: 'event.spread.16', value: ours, unit: 'ms', goal: Number(theirs.toPrecision(4)), better: 'lower' })
  report({ bench: 'event.spread.16.serf', value: theirs, unit: 'ms', better: 'lower' })
  report({ bench: 'event.spread.16.ratio', value: ours / theirs, unit: 'x', goal: 1, better: 'lower' })
}

async function spreadTrials (nodes: readonly Swim[], trials: number): Promise<number[]> {
  const times: number[] = []
  for (let t = 0; t < trials; t++) {
    const name = `bench-${t}`
    const arrived = new Map<string, number>()
    const listeners = nodes.map(node => {
      const l = (e: CustomEvent<{ name: string }>): void => { if (e.detail.name === name && !arrived.has(node.id)) arrived.set(node.id, performance.now()) }
      node.addEventListener('user:event', l)
      return () => { node.removeEventListener('user:event', l) }
    })
    try {
      const from = nodes[t % nodes.length] as Swim
      from.fire(name, new Uint8Array(Buffer.from(`payload ${t}`)))
      await waitFor(() => arrived.size === nodes.length, { timeoutMs: 30_000, intervalMs: 1, what: `event ${name} on every member` })
      const at = [...arrived.values()]
      times.push(Math.max(...at) - Math.min(...at))
    } finally {
      for (const off of listeners) off()
    }
  }
  return times
}

async function queryTrials (nodes: readonly Swim[], trials: number): Promise<number[]> {
  const answer = nodes.map(node => {
    const l = (e: CustomEvent<Parameters<Swim['respond']>[0]>): void => { node.respond(e.detail, new Uint8Array(Buffer.from(node.id))) }
    node.addEventListener('user:query', l)
    return () => { node.removeEventListener('user:query', l) }
  })
  const times: number[] = []
  try {
    for (let t = 0; t < trials; t++) {
      const from = nodes[t % nodes.length] as Swim
      // The origin answers its own query before query() returns: keep every response, match the id after.
      const got: Array<{ id: number, from: string }> = []
      const l = (e: CustomEvent<{ id: number, from: string, ack: boolean }>): void => { if (!e.detail.ack) got.push({ id: e.detail.id, from: e.detail.from }) }
      from.addEventListener('user:query-response', l)
      try {
        const t0 = performance.now()
        const id = from.query({ name: 'bench', payload: new Uint8Array(0), timeoutMs: 5000 }).id
        await waitFor(() => new Set(got.filter(r => r.id === id).map(r => r.from)).size === nodes.length, { timeoutMs: 30_000, intervalMs: 1, what: 'every member to respond' })
        times.push(performance.now() - t0)
      } finally {
        from.removeEventListener('user:query-response', l)
      }
    }
  } finally {
    for (const off of answer) off()
  }
  return times
}
