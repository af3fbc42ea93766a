import { loadType } from '@clusterfunk/proto'
import { KIND_PROBE, MAC_BYTES, packetTemplate, writeFreshness, writeNonce } from '@clusterfunk/liveness'
import { createSealer, encodeStreamMessage, STREAM_PING } from '@clusterfunk/swim'
import type { FuzzNode } from '../cluster.js'
import type { Ctx } from '../context.js'
import { managementMethods, RAFT_METHODS } from '../messages.js'
import { encode } from '../mutate.js'
import { delta, scrape } from '../scrape.js'
import { Datagrams, grpcFrame, RawGrpc, tcpExchange } from '../wire.js'
import { answer, forgedRaftProof } from './replays.js'

const SwimPacket = loadType('swim.proto', 'clusterfunk.swim.Packet')
const LivenessPacket = loadType('liveness.proto', 'clusterfunk.liveness.Packet')
const RaftMessage = loadType('raft.proto', 'clusterfunk.raft.RaftMessage')
/** A sealer without a keyring: what someone without the gossip key can frame. */
const UNSEALED = createSealer({ keyring: undefined, label: undefined, sender: 'fuzz-ghost', epoch: 1, wallNow: Date.now })
const SWIM_DROPS = 'clusterfunk_swim_dropped_packets_total'
const LIVENESS_DROPS = 'clusterfunk_liveness_endpoint_dropped_packets_total'

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
    { what: 'with a forged proof', tls: { ca: s.cert.cert, cert: s.cert.cert, key: s.cert.key }, md: { 'x-raft-address': '127.0.0.1:9', 'x-raft-auth': forgedRaftProof() } }
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
      const got = await answer(udp, node.ports.swim, 800) !== undefined
      const dropped = delta(before, await scrape(node.ports.metrics), SWIM_DROPS)
      if (got || dropped < 1) accept(`swim ${kind} datagram unsealed (${got ? 'answered' : 'not counted as dropped'})`)
    }
    ctx.tally.unauthenticated.tried++
    let before = await scrape(node.ports.metrics)
    const streamPing = encodeStreamMessage(UNSEALED, STREAM_PING, encode(SwimPacket, { version: 1, messages: [kinds[0]?.[1]] }), node.id)
    const reply = await tcpExchange(node.ports.swim, streamPing, 800)
    if (reply.reply.length > 0 || delta(before, await scrape(node.ports.metrics), SWIM_DROPS) < 1) accept('swim stream ping unsealed')
    for (const [what, bytes] of [
      ['without a MAC', encode(LivenessPacket, { version: 1, kind: 1, nonce: 12345, target: node.id })],
      ['with a wrong MAC', wrongMacProbe(node.id)]
    ] as const) {
      ctx.tally.unauthenticated.tried++
      before = await scrape(node.ports.metrics)
      udp.received.length = 0
      await udp.send(node.ports.liveness, bytes)
      const got = await answer(udp, node.ports.liveness, 800) !== undefined
      if (got || delta(before, await scrape(node.ports.metrics), LIVENESS_DROPS) < 1) accept(`liveness probe ${what}`)
    }
  } finally {
    udp.close()
  }
}

/** A probe in the keyed layout (checker id, fresh send time) whose MAC is not the key's. */
function wrongMacProbe (target: string): Buffer {
  const buf = packetTemplate(KIND_PROBE, Buffer.from(target, 'utf8'))
  writeNonce(buf, 12346, 0)
  writeFreshness(buf, 77, 1, Date.now())
  const macAt = 15 + Buffer.byteLength(target, 'utf8') + 2
  buf.fill(1, macAt, macAt + MAC_BYTES)
  return buf
}
