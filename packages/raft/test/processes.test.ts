import { waitFor } from '@clusterfunk/core'
import * as grpc from '@grpc/grpc-js'
import { expect } from 'chai'
import { createHmac } from 'node:crypto'
import { connect } from 'node:net'
import { ProcessCluster, type NodeProcess } from './helpers/process-cluster.js'
import { RaftAuth } from '../src/raft-auth.js'

/** Writes through whichever node leads, following NotLeaderError hints; returns true when acknowledged. */
async function put (c: ProcessCluster, key: string, value: string, prefer: { id: string }): Promise<boolean> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const n = c.nodes.get(prefer.id)
    const target = n?.alive === true ? n : [...c.nodes.values()].find(x => x.alive) as NodeProcess
    const r = await target.request('put', { key, value }, 4000)
    if (r.ok) return true
    if (typeof r.leaderId === 'string' && c.nodes.get(r.leaderId)?.alive === true) prefer.id = r.leaderId
    else prefer.id = [...c.nodes.keys()][(Math.floor(Math.random() * c.nodes.size))] as string
  }
  return false
}

async function caughtUp (n: NodeProcess, commit: number): Promise<void> {
  await waitFor(async () => { const s = await n.request('stats', {}, 2000); return s.ok && (s.applied as number) >= commit }, { timeoutMs: 20_000, intervalMs: 50, what: `${n.id} to catch up` })
}

describe('Raft in real processes over gRPC', function () {
  this.timeout(60_000)
  let c: ProcessCluster | undefined

  afterEach(async function () {
    // A failure names what each process did: its exit code or signal and the end of its stderr.
    const err = this.currentTest?.err
    if (this.currentTest?.state === 'failed' && err !== undefined && c !== undefined) err.message += `\n${c.describe()}`
    await c?.close()
    c = undefined
  })

  it('keeps every acknowledged write when the leader is killed with kill -9 mid-load, also on the restarted node', async () => {
    c = await ProcessCluster.start({ size: 3 })
    const cluster = c
    const first = await c.leader()
    const prefer = { id: first.id }
    const acked = new Map<string, string>()
    let stop = false
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop && i < 400; i++) {
        const key = `w${w}-${i}`
        if (await put(cluster, key, String(i), prefer)) acked.set(key, String(i))
      }
    }
    const writers = [0, 1, 2, 3].map(writer)
    await waitFor(() => acked.size >= 80, { timeoutMs: 20_000, what: 'writes before the kill' })
    first.kill9()
    await first.exited
    const before = acked.size
    await waitFor(() => acked.size >= before + 80, { timeoutMs: 20_000, what: 'writes after the kill' })
    stop = true
    await Promise.all(writers)
    const leader = await c.leader()
    expect(leader.id).to.not.equal(first.id)
    const dump = await leader.request('dump')
    const map = dump.map as Record<string, string>
    for (const [k, v] of acked) expect(map[k], k).to.equal(v)
    const commit = (await leader.request('stats')).commit as number
    const back = c.launch(first.id)
    await back.ready()
    await caughtUp(back, commit)
    const restored = (await back.request('dump')).map as Record<string, string>
    for (const [k, v] of acked) expect(restored[k], `${k} on the restarted node`).to.equal(v)
  })

  it('catches a node far behind up by InstallSnapshot after it restarts', async () => {
    c = await ProcessCluster.start({ size: 3, snapshotThreshold: 50, trailingLogs: 10 })
    const leader = await c.leader()
    const victim = [...c.nodes.values()].find(n => n !== leader) as NodeProcess
    victim.kill9()
    await victim.exited
    const prefer = { id: leader.id }
    for (let i = 0; i < 300; i++) expect(await put(c, `s${i}`, String(i), prefer)).to.equal(true)
    const stats = await leader.request('stats')
    expect(stats.snapshotIndex as number).to.be.greaterThan(200)
    const back = c.launch(victim.id)
    await back.ready()
    await caughtUp(back, stats.commit as number)
    const s = await back.request('stats')
    expect(s.restores as number, 'restored from a snapshot').to.be.greaterThan(0)
    const map = (await back.request('dump')).map as Record<string, string>
    expect(map.s299).to.equal('299')
    expect(Object.keys(map).length).to.equal(300)
  })

  it('rejects garbage bytes and a wrong token, counts them, and keeps serving', async () => {
    const token = 'correct-horse-battery'
    c = await ProcessCluster.start({ size: 3, token })
    const leader = await c.leader()
    const address = c.address(leader.id)
    const [host, port] = address.split(':') as [string, string]
    await new Promise<void>((resolve) => {
      const s = connect(Number(port), host, () => { s.end(Buffer.from('this is not http/2 at all \x00\xff\x13garbage')) })
      s.resume() // read (and discard) the server's answer so the socket can close
      s.on('close', () => { resolve() })
      s.on('error', () => { resolve() })
    })
    const client = new grpc.Client(address, grpc.credentials.createInsecure())
    const call = async (md: grpc.Metadata, payload: Buffer): Promise<grpc.ServiceError | null> => await new Promise((resolve) => {
      client.makeUnaryRequest('/clusterfunk.raft.RaftTransport/Deliver', (b: Buffer) => b, (b: Buffer) => b, payload, md, (err) => { resolve(err) })
    })
    const wrong = new grpc.Metadata()
    wrong.set('x-raft-address', '127.0.0.1:1')
    wrong.set('x-raft-auth', `${Date.now()}.${createHmac('sha256', 'wrong-token-here').update(`${Date.now()}:127.0.0.1:1`).digest('hex')}`)
    const denied = await call(wrong, Buffer.from([1, 2, 3]))
    expect(denied?.code).to.equal(grpc.status.UNAUTHENTICATED)
    // A genuine proof and a genuinely sealed message whose content is garbage: authenticated, then dropped as undecodable.
    const auth = new RaftAuth(token, 60_000, 16)
    const { proof, context } = auth.prove('/clusterfunk.raft.RaftTransport/Deliver', '127.0.0.1:1', Date.now())
    const good = new grpc.Metadata()
    good.set('x-raft-address', '127.0.0.1:1')
    good.set('x-raft-auth', proof)
    expect(await call(good, auth.seal(Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x99, 0x01]), context))).to.equal(null)
    client.close()
    const prefer = { id: leader.id }
    expect(await put(c, 'after', 'garbage', prefer)).to.equal(true)
    const s = await leader.request('stats')
    const rejected = s.rejected as { auth: number, decode: number }
    expect(rejected.auth).to.be.greaterThan(0)
    expect(rejected.decode).to.be.greaterThan(0)
    expect(leader.alive).to.equal(true)
  })
})
