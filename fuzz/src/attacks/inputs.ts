import { loadType } from '@clusterfunk/proto'
import { STREAM_MESSAGES, STREAM_PING, STREAM_PUSH_PULL, type StreamKind } from '@clusterfunk/swim'
import { pool, timeLeft, type Ctx } from '../context.js'
import { livenessCorpus, managementMethods, pushPullCorpus, raftCorpus, RAFT_METHODS, RECONFIGURING, swimCorpus, withoutRealIds } from '../messages.js'
import { encode, mutateBytes, mutateField, randomBytesFrom, structuredInput } from '../mutate.js'
import type { protobuf } from '@clusterfunk/proto'
import type { Random } from '@clusterfunk/core'
import { Datagrams, grpcFrame, RawGrpc, tcpExchange, type ClientTls } from '../wire.js'
import { forgedRaftProof } from './replays.js'
import { GHOST_RAFT_ADDRESS, Insider } from './secrets.js'
import { keyedProbe, sealedDatagram, streamMessage } from './shaped.js'

/**
 * Random and structured inputs, `ctx.options.inputs` per port, spread over
 * every node: random bytes, and valid messages (built from proto/) with one
 * hostile field, some also damaged at the byte level. On the secured
 * cluster part of them are sealed / MACed / proven with the cluster's
 * secrets, so the decoders behind authentication are reached too.
 */
export async function randomAndStructured (ctx: Ctx): Promise<void> {
  // Each port group gets an equal share of the phase's time, so a slow one cannot starve the rest.
  const parts = [datagrams, swimStreams, raftGrpc, managementGrpc, kvHttp, metricsHttp]
  const start = performance.now()
  const share = (ctx.deadline - start) / parts.length
  for (const [i, part] of parts.entries()) {
    await part({ ...ctx, deadline: start + share * (i + 1) })
    await ctx.watcher.mark(`  inputs: ${part.name}`)
  }
}

function insider (ctx: Ctx): Insider | undefined {
  const s = ctx.cluster.secrets
  return s === undefined ? undefined : new Insider(s)
}

async function datagrams (ctx: Ctx): Promise<void> {
  const { random, cluster, options } = ctx
  const ids = cluster.nodes.map(n => n.id)
  const udp = new Datagrams()
  await udp.open()
  const from = `127.0.0.1:${udp.port}`
  const swim = swimCorpus(ids, from)
  const live = livenessCorpus(ids)
  const ins = insider(ctx)
  try {
    for (let i = 0; i < options.inputs && timeLeft(ctx); i++) {
      const node = cluster.nodes[i % cluster.nodes.length]
      if (node === undefined) break
      // SWIM: random bytes, or a structured packet (sealed half the time on a secured cluster).
      let s = random.chance(0.3) ? randomBytesFrom(random, random.int(0, 1400)) : structuredInput(random, swim.type, random.pick(swim.samples))
      if (ins !== undefined && random.chance(0.5)) s = sealedDatagram(random, ins, s, node.id)
      await udp.send(node.ports.swim, s)
      ctx.tally.add('swim-udp')
      let l = random.chance(0.3) ? randomBytesFrom(random, random.int(0, 300)) : structuredInput(random, live.type, random.pick(live.samples))
      if (ins !== undefined && random.chance(0.5)) l = keyedProbe(random, ins, l)
      await udp.send(node.ports.liveness, l)
      ctx.tally.add('liveness-udp')
      // Let the receivers breathe now and then: this phase is about content, the flood phase about rate.
      if (i % 200 === 199) await new Promise(resolve => setTimeout(resolve, 5))
    }
  } finally {
    udp.close()
  }
}

async function swimStreams (ctx: Ctx): Promise<void> {
  const { random, cluster, options } = ctx
  const ids = cluster.nodes.map(n => n.id)
  const swim = swimCorpus(ids, '127.0.0.1:9')
  const pushPull = pushPullCorpus('127.0.0.1:9')
  const ins = insider(ctx)
  await pool(ctx, options.inputs, 32, async i => {
    const node = cluster.nodes[i % cluster.nodes.length]
    if (node === undefined) return
    let bytes: Buffer
    const pick = random.int(0, 3)
    if (pick === 0) {
      bytes = randomBytesFrom(random, random.int(0, 600))
    } else if (pick === 1) {
      // A length prefix claiming anything up to 4 GiB, then a little.
      const head = Buffer.alloc(4)
      head.writeUInt32BE(random.pick([0, 1, 0xffff_ffff, 16 * 1024 * 1024 + 1, random.int(0, 2 ** 31)]), 0)
      bytes = Buffer.concat([head, randomBytesFrom(random, random.int(0, 64))])
    } else {
      const kind = random.pick([STREAM_PING, STREAM_PUSH_PULL, STREAM_MESSAGES, random.int(0, 255)]) as StreamKind
      const corpus = kind === STREAM_PUSH_PULL ? pushPull : swim
      bytes = streamMessage(random, ins !== undefined && random.chance(0.5) ? ins : undefined, kind, structuredInput(random, corpus.type, random.pick(corpus.samples)), node.id)
      if (random.chance(0.2)) bytes = mutateBytes(random, bytes)
    }
    await tcpExchange(node.ports.swim, bytes, 100)
    ctx.tally.add('swim-tcp')
  })
}

async function raftGrpc (ctx: Ctx): Promise<void> { await grpc(ctx, 'raft') }
async function managementGrpc (ctx: Ctx): Promise<void> { await grpc(ctx, 'mgmt') }

async function grpc (ctx: Ctx, which: 'raft' | 'mgmt'): Promise<void> {
  const { random, cluster, options } = ctx
  const ids = cluster.nodes.map(n => n.id)
  const raft = raftCorpus(ids)
  // Proven messages carry term 0, always stale: hostile content, not a legitimate insider's election.
  const stale = raftCorpus(ids, 0)
  const chunk = loadType('raft.proto', 'clusterfunk.raft.SnapshotChunk')
  const mgmt = managementMethods()
  const ins = insider(ctx)
  const s = cluster.secrets
  // On the secured cluster the Raft port wants a client certificate: present the cluster's, but no proof (or a forged one).
  const raftTls: ClientTls | undefined = s === undefined ? undefined : { ca: s.cert.cert, cert: s.cert.cert, key: s.cert.key }
  const mgmtTls: ClientTls | undefined = s === undefined ? undefined : { ca: s.cert.cert }
  const raftClients = cluster.nodes.map(n => new RawGrpc(n.ports.raft, raftTls))
  const mgmtClients = cluster.nodes.map(n => new RawGrpc(n.ports.mgmt, mgmtTls))
  try {
    if (which === 'raft') {
      await pool(ctx, options.inputs, 32, async i => {
        const n = i % cluster.nodes.length
        const method = random.pick(RAFT_METHODS)
        const chunked = method.type === 'clusterfunk.raft.SnapshotChunk'
        if (ins !== undefined && random.chance(0.5)) {
          // Proven and sealed the transport's way, so the message reaches the decoder and the core's range checks.
          const call = ins.raftCall(method.path, GHOST_RAFT_ADDRESS)
          const sample = random.pick(stale.samples)
          let message = chunked ? provenInput(random, chunk, { header: sample, offset: 0, data: Buffer.from('snap'), last: random.chance(0.5) }) : provenInput(random, raft.type, sample)
          // Now and then out of order (sequence 2 first), or damaged after sealing: the trailer check must refuse it.
          if (random.chance(0.1)) call.seal(message)
          message = call.seal(message)
          if (random.chance(0.1)) message = mutateBytes(random, message)
          await raftClients[n]?.call(method.path, grpcFrame(message), call.metadata, 2_000)
          ctx.tally.add('raft-grpc')
          return
        }
        let message = chunked
          ? structuredInput(random, chunk, { header: random.pick(raft.samples), offset: 0, data: Buffer.from('snap'), last: random.chance(0.5) })
          : structuredInput(random, raft.type, random.pick(raft.samples))
        if (random.chance(0.1)) message = randomBytesFrom(random, random.int(0, 200))
        const body = random.chance(0.15) ? randomBytesFrom(random, random.int(0, 64)) : grpcFrame(message)
        const md: Record<string, string> = { 'x-raft-address': random.pick(['127.0.0.1:9', '', 'nö', `127.0.0.1:${cluster.nodes[0]?.ports.raft ?? 9}`]) }
        if (ins !== undefined) md['x-raft-auth'] = random.pick([forgedRaftProof(), forgedRaftProof(Date.now() - 3_600_000), `${Date.now()}.00`, 'garbage', `${Number.MAX_SAFE_INTEGER}.ab.cd`, '-1..'])
        await raftClients[n]?.call(method.path, body, md, 2_000)
        ctx.tally.add('raft-grpc')
      })
      return
    }
    await pool(ctx, options.inputs, 32, async i => {
      const n = i % cluster.nodes.length
      // On the secured cluster a third of the calls carry the operator's token, so their requests reach the handlers;
      // those never reconfigure or step down (they would be obeyed, rightly). A plain cluster obeys anyone: keep real
      // ids out of calls that reconfigure it, and never step it down.
      const token = s !== undefined && random.chance(0.3) ? s.token : undefined
      const m = random.pick(token !== undefined ? mgmt.filter(x => !RECONFIGURING.has(x.name)) : s === undefined ? mgmt.filter(x => x.name !== 'StepDown') : mgmt)
      let message: Buffer
      if (s === undefined && RECONFIGURING.has(m.name)) {
        // Hostile fields, but never a real node id: no byte-level damage, which could spell one.
        const hostile = withoutRealIds(mutateField(random, m.type, m.sample), ids, random)
        // An AddNode of a ghost with a usable address would be obeyed: three unreachable voters and the
        // cluster has lost its quorum, rightly. Its address is always one the handler must refuse.
        if (m.name === 'AddNode') hostile.address = random.pick(['', 'nö', '127.0.0.1', ':9', '127.0.0.1:99999', 'x'.repeat(600)])
        try { message = encode(m.type, hostile) } catch { message = encode(m.type, m.sample) }
      } else {
        message = structuredInput(random, m.type, m.sample)
      }
      const body = random.chance(0.15) ? randomBytesFrom(random, random.int(0, 64)) : grpcFrame(message)
      const md: Record<string, string> = token !== undefined
        ? { authorization: `Bearer ${token}` }
        : random.chance(0.3) ? { authorization: random.pick(['Bearer ', 'Bearer wrong-token', 'Basic x', 'Bearer nö']) } : {}
      await mgmtClients[n]?.call(m.path, body, md, 2_000)
      ctx.tally.add('mgmt-grpc')
    })
  } finally {
    for (const c of [...raftClients, ...mgmtClients]) c.close()
  }
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'G\u0000T', '']
const PATHS = ['/kv/a', '/kv/', '/kv/%', '/kv/%ff%fe', '/status', '/metrics', '/', '*', '/kv/' + 'k'.repeat(9000), '/../../etc/passwd', '/kv/a?x=1#y']
const HEADERS = ['content-length: 5', 'content-length: -1', 'content-length: 1073741824', 'content-length: 5\r\ncontent-length: 6',
  'transfer-encoding: chunked', 'transfer-encoding: gzip, chunked', 'expect: 100-continue', `x-long: ${'v'.repeat(20_000)}`,
  'x-kv-forwarded-by: n1', 'host:', 'connection: upgrade\r\nupgrade: h2c']

function httpRequest (ctx: Ctx): Buffer {
  const { random } = ctx
  const lines = [`${random.pick(METHODS)} ${random.pick(PATHS)} ${random.pick(['HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', ''])}`, 'host: 127.0.0.1']
  for (let h = random.int(0, 3); h > 0; h--) lines.push(random.pick(HEADERS))
  const body = random.pick(['', 'hello', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', randomBytesFrom(random, random.int(0, 200)).toString('latin1')])
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1')
}

async function kvHttp (ctx: Ctx): Promise<void> { await http(ctx, 'http', 'kv-http') }
async function metricsHttp (ctx: Ctx): Promise<void> { await http(ctx, 'metrics', 'metrics-http') }

async function http (ctx: Ctx, port: 'http' | 'metrics', name: 'kv-http' | 'metrics-http'): Promise<void> {
  const { random, cluster, options } = ctx
  {
    await pool(ctx, options.inputs, 32, async i => {
      const node = cluster.nodes[i % cluster.nodes.length]
      if (node === undefined) return
      const bytes = random.chance(0.3) ? randomBytesFrom(random, random.int(1, 800)) : httpRequest(ctx)
      await tcpExchange(node.ports[port], random.chance(0.1) ? mutateBytes(random, bytes) : bytes, 150)
      ctx.tally.add(name)
    })
  }
}

/**
 * A structured Raft input for a proven call: a hostile field, but a term of
 * 1 becomes 0 (it could equal the cluster's term, and a key holder's
 * message at the current term is a legitimate one); byte damage is left to
 * the caller, after sealing or before it.
 */
function provenInput (random: Random, type: protobuf.Type, sample: Record<string, unknown>): Buffer {
  const m = mutateField(random, type, sample)
  for (const o of [m, m.header]) if (typeof o === 'object' && o !== null && (o as Record<string, unknown>).term === 1) (o as Record<string, unknown>).term = 0
  try { return encode(type, m) } catch { return encode(type, sample) }
}
