import { setTimeout as sleep } from 'node:timers/promises'
import { waitFor } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import type { FuzzNode } from '../cluster.js'
import type { Ctx } from '../context.js'
import { managementMethods, RAFT_METHODS } from '../messages.js'
import { encode } from '../mutate.js'
import { delta, scrape } from '../scrape.js'
import { Datagrams, grpcFrame, RawGrpc, tcpExchange } from '../wire.js'
import { Insider } from './secrets.js'
import { encodeFrame, framePlaintext, STREAM_PING } from '@clusterfunk/swim'

const SwimPacket = loadType('swim.proto', 'clusterfunk.swim.Packet')
const LivenessPacket = loadType('liveness.proto', 'clusterfunk.liveness.Packet')
const RaftMessage = loadType('raft.proto', 'clusterfunk.raft.RaftMessage')
const SWIM_DROPS = 'clusterfunk_swim_dropped_packets_total'
const LIVENESS_DROPS = 'clusterfunk_liveness_endpoint_dropped_packets_total'

/** Waits up to `ms` for a datagram from `port`; true when one came. */
async function answered (udp: Datagrams, port: number, ms: number): Promise<boolean> {
  return await waitFor(() => udp.received.some(r => r.port === port) || undefined, { timeoutMs: ms }).then(() => true, () => false)
}

/**
 * Replays on the secured cluster: genuine inputs made with the cluster's
 * secrets (a sealed SWIM ping, a MACed liveness probe, a proven Raft
 * TimeoutNow) are sent once fresh — the control, which a node must accept —
 * then resent byte for byte after `replayDelayMs`. A replay counts as
 * accepted when it gets the same effect as the fresh copy: an ack, a
 * reply, a Raft call answered OK.
 */
export async function replays (ctx: Ctx): Promise<void> {
  const s = ctx.cluster.secrets
  // Not cut short by the deadline: a handful of inputs, and the figure needs them.
  if (s === undefined) return
  ctx.log(`  ${ctx.cluster.kind}: replays (held ${ctx.options.replayDelayMs / 1000} s)`)
  const ins = new Insider(s)
  const udp = new Datagrams()
  await udp.open()
  const captured: Array<{ what: string, replay: () => Promise<boolean> }> = []
  try {
    for (const n of ctx.cluster.nodes) {
      const swim = ins.seal(encode(SwimPacket, { version: 1, messages: [{ ping: { seq: ctx.random.int(1, 2 ** 31), target: n.id, source: 'fuzz-ghost', sourceAddress: `127.0.0.1:${udp.port}` } }] }))
      const probe = ins.macLiveness(encode(LivenessPacket, { version: 1, kind: 1, nonce: ctx.random.int(1, 2 ** 40), target: n.id }))
      for (const [what, port, bytes] of [['swim ping', n.ports.swim, swim], ['liveness probe', n.ports.liveness, probe]] as const) {
        udp.received.length = 0
        await udp.send(port, bytes)
        if (!await answered(udp, port, 1_500)) {
          ctx.tally.replays.controlsRefused++
          ctx.tally.finding(`${n.id} ${what}: the fresh genuine copy got no answer either, so its replay proves nothing`)
          continue
        }
        captured.push({ what: `${n.id} ${what}`, replay: async () => { udp.received.length = 0; await udp.send(port, bytes); return await answered(udp, port, 1_500) } })
      }
    }
    const raft = await raftCapture(ctx, ins)
    if (raft !== undefined) captured.push(raft)
    await sleep(ctx.options.replayDelayMs)
    for (const c of captured) {
      ctx.tally.replays.tried++
      if (await c.replay()) {
        ctx.tally.replays.accepted++
        ctx.tally.finding(`replay accepted: ${c.what} resent after ${ctx.options.replayDelayMs / 1000} s got the fresh copy's effect`)
      }
    }
  } finally {
    udp.close()
  }
}

/** A proven Raft TimeoutNow from the leader to a follower: sent fresh (it moves leadership), kept for its replay. */
async function raftCapture (ctx: Ctx, ins: Insider): Promise<{ what: string, replay: () => Promise<boolean> } | undefined> {
  const s = ins.secrets
  const leader = await ctx.cluster.leader()
  const follower = ctx.cluster.nodes.find(n => n !== leader)
  if (leader === undefined || follower === undefined) return undefined
  const term = (await scrape(follower.ports.metrics)).get('clusterfunk_raft_term') ?? 1
  const leaderAddress = `127.0.0.1:${leader.ports.raft}`
  const md = { 'x-raft-address': leaderAddress, 'x-raft-auth': ins.raftProof(leaderAddress) }
  const body = grpcFrame(encode(RaftMessage, { version: 1, from: leader.id, to: follower.id, term, timeoutNow: {} }))
  const tls = { ca: s.cert.cert, cert: s.cert.cert, key: s.cert.key }
  const send = async (): Promise<number> => {
    const c = new RawGrpc(follower.ports.raft, tls)
    try { return (await c.call('/clusterfunk.raft.RaftTransport/Deliver', body, md, 3_000)).status } finally { c.close() }
  }
  const fresh = await send()
  if (fresh !== 0) {
    ctx.tally.replays.controlsRefused++
    ctx.tally.finding(`raft TimeoutNow: the fresh proven copy was refused (grpc-status ${fresh}); the suite's proof no longer matches the transport's scheme, so the replay proves nothing`)
    return undefined
  }
  await ctx.cluster.waitOperational(20_000).catch(() => undefined)
  return {
    what: `raft TimeoutNow ${leader.id}→${follower.id}`,
    replay: async () => {
      const before = (await ctx.cluster.leader())?.id
      const status = await send()
      await sleep(1_000)
      const after = (await ctx.cluster.leader())?.id
      if (status === 0 && before !== after) ctx.tally.finding(`replayed raft TimeoutNow moved leadership ${before ?? '?'} → ${after ?? '?'}`)
      return status === 0
    }
  }
}

/**
 * Every management RPC, every Raft RPC and every SWIM and liveness datagram
 * kind, without credentials (or with wrong ones), against the secured
 * cluster. Accepted: a management or Raft call answered OK, a datagram
 * answered or not counted as dropped.
 */
export async function unauthenticated (ctx: Ctx): Promise<void> {
  const s = ctx.cluster.secrets
  if (s === undefined) return
  ctx.log(`  ${ctx.cluster.kind}: unauthenticated calls and datagrams`)
  const node = ctx.cluster.nodes[ctx.cluster.nodes.length - 1] as FuzzNode
  const accept = (what: string): void => { ctx.tally.unauthenticated.accepted++; ctx.tally.finding(`unauthenticated accepted: ${what}`) }
  // Management: no token, a wrong token; over TLS (the server's certificate trusted).
  for (const token of [undefined, 'Bearer not-the-token']) {
    const c = new RawGrpc(node.ports.mgmt, { ca: s.cert.cert })
    for (const m of managementMethods()) {
      ctx.tally.unauthenticated.tried++
      const r = await c.call(m.path, grpcFrame(encode(m.type, m.sample)), token === undefined ? {} : { authorization: token }, 3_000)
      if (r.status === 0) accept(`management ${m.name} ${token === undefined ? 'without a token' : 'with a wrong token'}`)
      else if (r.status !== 16 && r.status !== -1) ctx.tally.finding(`management ${m.name} without credentials answered grpc-status ${r.status} (${r.message}), not UNAUTHENTICATED`)
    }
    c.close()
  }
  // Raft: no client certificate; the cluster's certificate but no proof; a forged proof.
  const raftMessage = grpcFrame(encode(RaftMessage, { version: 1, from: 'fuzz-ghost', to: node.id, term: 1, heartbeat: { commit: 0 } }))
  const chunk = loadType('raft.proto', 'clusterfunk.raft.SnapshotChunk')
  const chunkMessage = grpcFrame(encode(chunk, { header: RaftMessage.toObject(RaftMessage.decode(raftMessage.subarray(5))), offset: 0, data: Buffer.from('x'), last: true }))
  const cases: Array<{ what: string, tls: { ca: Buffer, cert?: Buffer, key?: Buffer }, md: Record<string, string> }> = [
    { what: 'without a client certificate', tls: { ca: s.cert.cert }, md: {} },
    { what: 'without a proof', tls: { ca: s.cert.cert, cert: s.cert.cert, key: s.cert.key }, md: { 'x-raft-address': '127.0.0.1:9' } },
    { what: 'with a forged proof', tls: { ca: s.cert.cert, cert: s.cert.cert, key: s.cert.key }, md: { 'x-raft-address': '127.0.0.1:9', 'x-raft-auth': `${Date.now()}.${'ab'.repeat(32)}` } }
  ]
  for (const k of cases) {
    const c = new RawGrpc(node.ports.raft, k.tls)
    for (const m of RAFT_METHODS) {
      ctx.tally.unauthenticated.tried++
      const r = await c.call(m.path, m.type === 'clusterfunk.raft.SnapshotChunk' ? chunkMessage : raftMessage, k.md, 3_000)
      if (r.status === 0) accept(`raft ${m.path.split('/').pop() ?? ''} ${k.what}`)
    }
    c.close()
  }
  await datagramKinds(ctx, node, accept)
}

/** Each SWIM message kind and a liveness probe, unsealed / without a MAC; a SWIM stream ping unsealed. */
async function datagramKinds (ctx: Ctx, node: FuzzNode, accept: (what: string) => void): Promise<void> {
  const udp = new Datagrams()
  await udp.open()
  const from = `127.0.0.1:${udp.port}`
  const real = ctx.cluster.nodes.find(n => n !== node)?.id ?? node.id
  const kinds: Array<[string, Record<string, unknown>]> = [
    ['ping', { ping: { seq: 7, target: node.id, source: 'fuzz-ghost', sourceAddress: from } }],
    ['indirect-ping', { indirectPing: { seq: 8, target: real, targetAddress: from, wantNack: true, source: 'fuzz-ghost', sourceAddress: from } }],
    ['ack', { ack: { seq: 9, source: real } }],
    ['nack', { nack: { seq: 10, source: real } }],
    ['suspect', { suspect: { node: real, incarnation: 5, from: 'fuzz-ghost' } }],
    ['alive', { alive: { node: 'fuzz-ghost', incarnation: 1, address: from, tags: { 'ep.kv': 'http://127.0.0.1:9' } } }],
    ['dead', { dead: { node: real, incarnation: 7, from: 'fuzz-ghost' } }]
  ]
  try {
    for (const [kind, m] of kinds) {
      ctx.tally.unauthenticated.tried++
      const before = await scrape(node.ports.metrics)
      udp.received.length = 0
      await udp.send(node.ports.swim, encode(SwimPacket, { version: 1, messages: [m] }))
      const got = await answered(udp, node.ports.swim, 800)
      const dropped = delta(before, await scrape(node.ports.metrics), SWIM_DROPS)
      if (got || dropped < 1) accept(`swim ${kind} datagram unsealed (${got ? 'answered' : 'not counted as dropped'})`)
    }
    ctx.tally.unauthenticated.tried++
    let before = await scrape(node.ports.metrics)
    const reply = await tcpExchange(node.ports.swim, encodeFrame(framePlaintext(STREAM_PING, encode(SwimPacket, { version: 1, messages: [kinds[0]?.[1]] }))), 800)
    if (reply.reply.length > 0 || delta(before, await scrape(node.ports.metrics), SWIM_DROPS) < 1) accept('swim stream ping unsealed')
    for (const [what, bytes] of [
      ['without a MAC', encode(LivenessPacket, { version: 1, kind: 1, nonce: 12345, target: node.id })],
      ['with a wrong MAC', Buffer.concat([encode(LivenessPacket, { version: 1, kind: 1, nonce: 12346, target: node.id }), Buffer.from([0x2a, 0x20]), Buffer.alloc(32, 1)])]
    ] as const) {
      ctx.tally.unauthenticated.tried++
      before = await scrape(node.ports.metrics)
      udp.received.length = 0
      await udp.send(node.ports.liveness, bytes)
      const got = await answered(udp, node.ports.liveness, 800)
      if (got || delta(before, await scrape(node.ports.metrics), LIVENESS_DROPS) < 1) accept(`liveness probe ${what}`)
    }
  } finally {
    udp.close()
  }
}
