import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { waitFor } from '@clusterfunk/core'
import { encodeMessage } from '@clusterfunk/raft'
import { encodePacket } from '@clusterfunk/swim'
import type { FuzzNode } from '../cluster.js'
import type { Ctx } from '../context.js'
import { scrape } from '../scrape.js'
import { Datagrams, grpcFrame, RawGrpc } from '../wire.js'
import { GHOST, Insider } from './secrets.js'

const DELIVER = '/clusterfunk.raft.RaftTransport/Deliver'
/**
 * How far past a member's last sequence number a forged message from it is
 * numbered: ahead of what it sent so far, so its window at the recipient
 * accepts it, and well inside the window (1 024), so the member's own
 * messages in between are still accepted.
 */
const SEQ_AHEAD = 256

/** A captured input: its description and how to resend it byte for byte (true when it had the fresh copy's effect). */
interface Captured { what: string, replay: () => Promise<boolean> }

/** Waits up to `ms` for a datagram from `port`; the first one, or undefined. */
export async function answer (udp: Datagrams, port: number, ms: number): Promise<Buffer | undefined> {
  return await waitFor(() => udp.received.find(r => r.port === port)?.bytes, { timeoutMs: ms }).catch(() => undefined)
}

/**
 * Replays on the secured cluster: genuine inputs made with the cluster's
 * secrets in the current formats — a sealed SWIM ping from a real member to
 * each node, a keyed liveness probe to each node, a proven and sealed Raft
 * TimeoutNow from the leader to a follower — are sent once fresh (the
 * control, which a node must accept), then resent byte for byte after
 * `replayDelayMs`. A replay counts as accepted when it gets the same effect
 * as the fresh copy: an ack, a reply, a Raft call answered OK.
 */
export async function replays (ctx: Ctx): Promise<void> {
  const s = ctx.cluster.secrets
  // Not cut short by the deadline: a handful of inputs, and the figure needs them.
  if (s === undefined) return
  ctx.log(`  ${ctx.cluster.kind}: replays (held ${ctx.options.replayDelayMs / 1000} s)`)
  const ins = new Insider(s)
  const udp = new Datagrams()
  await udp.open()
  const captured: Captured[] = []
  const control = (what: string, why: string): void => {
    ctx.tally.replays.controlsRefused++
    ctx.tally.finding(`${what}: the fresh genuine copy ${why}, so its replay proves nothing`)
  }
  try {
    const nodes = ctx.cluster.nodes
    for (const [i, n] of nodes.entries()) {
      const member = nodes[(i + 1) % nodes.length] as FuzzNode
      const swim = await swimPing(ctx, ins, udp, n, member)
      const probe = ins.probe(n.id, [ctx.random.int(1, 2 ** 31), ctx.random.int(0, 2 ** 31)])
      for (const [what, port, bytes] of [[`${n.id} swim ping from ${member.id}`, n.ports.swim, swim], [`${n.id} liveness probe`, n.ports.liveness, probe]] as const) {
        if (typeof bytes === 'string') { control(what, bytes); continue }
        udp.received.length = 0
        await udp.send(port, bytes)
        if (await answer(udp, port, 1_500) === undefined) { control(what, 'got no answer'); continue }
        captured.push({ what, replay: async () => { udp.received.length = 0; await udp.send(port, bytes); return await answer(udp, port, 1_500) !== undefined } })
      }
    }
    const raft = await raftCapture(ctx, ins, control)
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

/**
 * A sealed ping to `to` from the real member `from`, as `from` would send it:
 * its id as sender, its current epoch, a sequence number ahead of its last,
 * the time now. The epoch and sequence are learned from `from`'s own sealed
 * ack to a ping of the suite's (a new epoch under its name would start a new
 * window at `to` and make it refuse `from`'s real traffic). A string says why
 * it could not be made.
 */
async function swimPing (ctx: Ctx, ins: Insider, udp: Datagrams, to: FuzzNode, from: FuzzNode): Promise<Buffer | string> {
  const sourceAddress = `127.0.0.1:${udp.port}`
  udp.received.length = 0
  await udp.send(from.ports.swim, ins.seal(encodePacket([{ type: 'ping', seq: ctx.random.int(1, 2 ** 31), target: from.id, source: GHOST, sourceAddress }]), from.id))
  const ack = await answer(udp, from.ports.swim, 1_500)
  if (ack === undefined) return `could not be made: ${from.id} did not ack the suite's sealed ping`
  let f
  try { f = ins.open(ack).freshness } catch (err) { return `could not be made: ${from.id}'s ack did not open (${(err as Error).message})` }
  if (f === undefined || f.sender !== from.id) return `could not be made: ${from.id}'s ack carries no freshness header of its own`
  const ping = encodePacket([{ type: 'ping', seq: ctx.random.int(1, 2 ** 31), target: to.id, source: from.id, sourceAddress }])
  return ins.sealRaw(ins.freshnessPlaintext({ sender: from.id, recipient: to.id, epoch: f.epoch, seq: f.seq + SEQ_AHEAD, sentAt: Date.now() }, ping))
}

/** A proven, sealed Raft TimeoutNow from the leader to a follower: sent fresh (it moves leadership), kept for its replay. */
async function raftCapture (ctx: Ctx, ins: Insider, control: (what: string, why: string) => void): Promise<Captured | undefined> {
  const s = ins.secrets
  const leader = await ctx.cluster.leader()
  const follower = ctx.cluster.nodes.find(n => n !== leader)
  if (leader === undefined || follower === undefined) {
    control('raft TimeoutNow', 'could not be made: the cluster named no leader')
    return undefined
  }
  const what = `raft TimeoutNow ${leader.id}→${follower.id}`
  const term = (await scrape(follower.ports.metrics)).get('clusterfunk_raft_term') ?? 1
  const call = ins.raftCall(DELIVER, `127.0.0.1:${leader.ports.raft}`)
  const body = grpcFrame(call.seal(encodeMessage({ type: 'timeoutNow', from: leader.id, to: follower.id, term })))
  const tls = { ca: s.cert.cert, cert: s.cert.cert, key: s.cert.key }
  const send = async (): Promise<{ status: number, message: string }> => {
    const c = new RawGrpc(follower.ports.raft, tls)
    try { return await c.call(DELIVER, body, call.metadata, 3_000) } finally { c.close() }
  }
  const fresh = await send()
  if (fresh.status !== 0) {
    control(what, `was refused (grpc-status ${fresh.status}: ${fresh.message})`)
    return undefined
  }
  // The control moves leadership to the follower; let the cluster settle before the replay.
  const moved = await waitFor(async () => (await ctx.cluster.leader())?.id === follower.id || undefined, { timeoutMs: 10_000 }).then(() => true, () => false)
  if (!moved) ctx.tally.finding(`${what}: the fresh copy was answered OK but did not move leadership to ${follower.id}`)
  await ctx.cluster.waitOperational(20_000).catch(() => undefined)
  return {
    what,
    replay: async () => {
      const before = (await ctx.cluster.leader())?.id
      const r = await send()
      await sleep(1_000)
      const after = (await ctx.cluster.leader())?.id
      if (r.status === 0 && before !== after) ctx.tally.finding(`replayed raft TimeoutNow moved leadership ${before ?? '?'} → ${after ?? '?'}`)
      return r.status === 0
    }
  }
}

/** A random 16-byte nonce and 32-byte MAC in the proof's layout: well formed, so only the MAC check refuses it. */
export function forgedRaftProof (ms = Date.now()): string {
  return `${ms}.${randomBytes(16).toString('hex')}.${randomBytes(32).toString('hex')}`
}
