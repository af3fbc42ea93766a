import type { Socket } from 'node:net'
import { loadType } from '@clusterfunk/proto'
import type { Ctx } from '../context.js'
import { randomBytesFrom } from '../mutate.js'
import { forgedRaftProof } from './replays.js'
import { Datagrams, grpcFrame, openTcp, RawGrpc, tcpExchange, type ClientTls } from '../wire.js'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * Floods, slow connections and oversized claims, each as its own phase the
 * watcher samples (Operational, RSS, fds): a datagram flood on both UDP
 * ports, idle connections against the gRPC ports, a byte a second on every
 * TCP port, a gRPC frame claiming 60 MiB, 8 concurrent 60 MiB Deliver calls
 * with a well-formed proof of the wrong key, and a 1 GiB Content-Length on both HTTP ports.
 */
export async function floods (ctx: Ctx): Promise<void> {
  await phase(ctx, 'datagram flood', async () => { await datagramFlood(ctx) })
  await phase(ctx, 'idle connections', async () => { await idleConnections(ctx) })
  await phase(ctx, 'slow connections', async () => { await slowConnections(ctx) })
  await phase(ctx, 'oversized claims', async () => { await oversizedClaims(ctx) })
}

/** One flood; never skipped for lack of time (each is bounded on its own), so its figures always exist. */
async function phase (ctx: Ctx, name: string, run: () => Promise<void>): Promise<void> {
  ctx.log(`  ${ctx.cluster.kind}: ${name}`)
  await ctx.watcher.beginFlood(name)
  try {
    await run()
  } finally {
    // At least one sample of every flood, taken while it is still on.
    await ctx.watcher.sample()
    ctx.watcher.endFlood()
    await ctx.watcher.mark(name)
  }
}

async function datagramFlood (ctx: Ctx): Promise<void> {
  const { cluster, random, options } = ctx
  const udp = new Datagrams()
  await udp.open()
  const until = performance.now() + (options.short ? 3_000 : 20_000)
  const packets = Array.from({ length: 64 }, () => randomBytesFrom(random, random.int(1, 1400)))
  let sent = 0
  try {
    while (performance.now() < until) {
      for (const n of cluster.nodes) {
        for (const p of packets.slice(0, 8)) {
          udp.socket.send(p, n.ports.swim, '127.0.0.1')
          udp.socket.send(p, n.ports.liveness, '127.0.0.1')
          sent += 2
        }
      }
      await new Promise(resolve => setImmediate(resolve))
      packets.push(packets.shift() as Buffer)
    }
  } finally {
    udp.close()
  }
  ctx.tally.measures.set('datagram_flood_sent', sent)
}

/** The descriptors this process may still open, leaving room for the rest of the run. */
async function fdBudget (): Promise<number> {
  const { readdir, readFile } = await import('node:fs/promises')
  const limits = await readFile('/proc/self/limits', 'utf8')
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 1024)
  const open = (await readdir('/proc/self/fd')).length
  return Math.max(0, soft - open - 256)
}

async function idleConnections (ctx: Ctx): Promise<void> {
  const { cluster, options } = ctx
  const leader = await cluster.leader() ?? cluster.nodes[0]
  if (leader === undefined) return
  for (const [port, name] of [[leader.ports.raft, 'raft'], [leader.ports.mgmt, 'mgmt']] as const) {
    const want = Math.min(options.idleConnections, await fdBudget())
    const sockets: Socket[] = []
    let failed = 0
    for (let i = 0; i < want; i += 200) {
      const batch = await Promise.allSettled(Array.from({ length: Math.min(200, want - i) }, async () => await openTcp(port)))
      for (const b of batch) {
        if (b.status === 'fulfilled') { b.value.on('error', () => {}); sockets.push(b.value) } else failed++
      }
    }
    ctx.tally.measures.set(`idle_connections_${name}`, sockets.length)
    if (failed > 0) ctx.tally.finding(`${leader.id} ${name}: ${failed} of ${want} idle connections failed to open`)
    // Hold them while the watcher samples, then see whether the node still serves.
    await sleep(options.short ? 2_000 : 15_000)
    await ctx.watcher.sample()
    const closedByServer = sockets.filter(s => s.destroyed || s.readableEnded).length
    ctx.tally.measures.set(`idle_connections_${name}_closed_by_node`, closedByServer)
    for (const s of sockets) s.destroy()
  }
}

async function slowConnections (ctx: Ctx): Promise<void> {
  const { cluster, options } = ctx
  const seconds = options.short ? 4 : 30
  const targets = cluster.nodes.flatMap(n => [n.ports.swim, n.ports.raft, n.ports.mgmt, n.ports.http, n.ports.metrics])
  const sockets = (await Promise.allSettled(targets.flatMap(p => Array.from({ length: 10 }, async () => await openTcp(p)))))
    .flatMap(r => r.status === 'fulfilled' ? [r.value] : [])
  for (const s of sockets) s.on('error', () => {})
  const request = Buffer.from('PUT /kv/slow HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n')
  for (let t = 0; t < seconds; t++) {
    for (const s of sockets) if (!s.destroyed) s.write(request.subarray(t % request.length, (t % request.length) + 1))
    await sleep(1_000)
  }
  ctx.tally.measures.set('slow_connections_cut_by_node', sockets.filter(s => s.destroyed || s.readableEnded).length)
  ctx.tally.measures.set('slow_connections', sockets.length)
  for (const s of sockets) s.destroy()
}

async function oversizedClaims (ctx: Ctx): Promise<void> {
  const { cluster, options } = ctx
  const s = cluster.secrets
  const raftTls: ClientTls | undefined = s === undefined ? undefined : { ca: s.cert.cert, cert: s.cert.cert, key: s.cert.key }
  const leader = await cluster.leader() ?? cluster.nodes[0]
  if (leader === undefined) return
  // A frame header claiming 60 MiB, then nothing: the node must not reserve it, nor hold the stream forever.
  const claim = new RawGrpc(leader.ports.raft, raftTls)
  const claims = await Promise.all(['Deliver', 'Send', 'InstallSnapshot'].map(async m =>
    await claim.call(`/clusterfunk.raft.RaftTransport/${m}`, grpcFrame(Buffer.alloc(16), options.oversizeBytes), {}, 4_000, false)))
  claim.close()
  ctx.tally.measures.set('claim_60mib_streams_answered', claims.filter(c => c.status >= 0).length)
  // 8 concurrent Deliver calls each carrying 60 MiB, with a wrong proof.
  const message = loadType('raft.proto', 'clusterfunk.raft.RaftMessage')
  const big = Buffer.from(message.encode(message.fromObject({
    version: 1, from: 'fuzz-ghost', to: leader.id, term: 1,
    appendEntries: { prevLogIndex: 0, prevLogTerm: 0, entries: [{ index: 1, term: 1, data: Buffer.alloc(options.deliverBytes - 64, 7) }] }
  })).finish())
  const t0 = performance.now()
  const clients = Array.from({ length: 8 }, () => new RawGrpc(leader.ports.raft, raftTls))
  const outcomes = await Promise.all(clients.map(async c => await c.call('/clusterfunk.raft.RaftTransport/Deliver', grpcFrame(big),
    { 'x-raft-address': '127.0.0.1:9', 'x-raft-auth': forgedRaftProof() }, 30_000)))
  for (const c of clients) c.close()
  await ctx.watcher.sample()
  ctx.tally.measures.set(`deliver_8x${options.deliverBytes >> 20}mib_ms`, performance.now() - t0)
  const ok = outcomes.filter(o => o.status === 0).length
  if (ok > 0) ctx.tally.finding(`${leader.id} raft: ${ok} of 8 Deliver calls of ${options.deliverBytes >> 20} MiB with a wrong proof answered OK`)
  // 1 GiB Content-Length on both HTTP ports: an early answer, not a held connection.
  for (const [port, name] of [[leader.ports.http, 'kv'], [leader.ports.metrics, 'metrics']] as const) {
    const r = await tcpExchange(port, Buffer.from(`PUT /kv/big HTTP/1.1\r\nhost: x\r\ncontent-length: ${2 ** 30}\r\n\r\n`), 5_000)
    const answered = /^HTTP\/1\.1 (4\d\d)/.exec(r.reply.toString('latin1'))?.[1]
    ctx.tally.measures.set(`content_length_1gib_${name}_ms`, answered === undefined ? 5_000 : r.firstReplyMs ?? 5_000)
    if (answered === undefined) ctx.tally.finding(`${leader.id} ${name} HTTP: a 1 GiB Content-Length got no 4xx within 5 s (the connection was held)`)
  }
}
