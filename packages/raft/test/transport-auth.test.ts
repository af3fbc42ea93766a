import { waitFor } from '@clusterfunk/core'
import * as grpc from '@grpc/grpc-js'
import { expect } from 'chai'
import { encodeMessage, type Message } from '../src/index.js'
import { GrpcTransport } from '../src/grpc.js'
import { RawRaftClient } from './helpers/grpc-cluster.js'

const TOKEN = 'a-cluster-token'
const heartbeat = (from: string, to: string, term = 3): Message => ({ type: 'heartbeat', from, to, term, commit: 7, readSeq: 1 })
const timeoutNow = (from: string, to: string): Message => ({ type: 'timeoutNow', from, to, term: 3 })

interface Captured { method: string, metadata: grpc.Metadata, bodies: Buffer[] }

/** A gRPC server that records every Raft call (metadata and raw bodies), as a network eavesdropper would see them. */
async function eavesdropper (): Promise<{ address: string, calls: Captured[], stop: () => void }> {
  const calls: Captured[] = []
  const server = new grpc.Server()
  const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: () => Buffer.alloc(0), responseDeserialize: () => ({}) }
  const def = {
    Send: { path: '/clusterfunk.raft.RaftTransport/Send', requestStream: true, responseStream: false, ...raw },
    Deliver: { path: '/clusterfunk.raft.RaftTransport/Deliver', requestStream: false, responseStream: false, ...raw },
    InstallSnapshot: { path: '/clusterfunk.raft.RaftTransport/InstallSnapshot', requestStream: true, responseStream: false, ...raw }
  } as unknown as grpc.ServiceDefinition
  const stream = (method: string) => (call: grpc.ServerReadableStream<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    const c: Captured = { method, metadata: call.metadata.clone(), bodies: [] }
    calls.push(c)
    call.on('data', (b: Buffer) => { c.bodies.push(Buffer.from(b)) })
    call.on('end', () => { cb(null, {}) })
    call.on('error', () => {})
  }
  server.addService(def, {
    Send: stream('Send'),
    InstallSnapshot: stream('InstallSnapshot'),
    Deliver: (call: grpc.ServerUnaryCall<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      calls.push({ method: 'Deliver', metadata: call.metadata.clone(), bodies: [Buffer.from(call.request)] })
      cb(null, {})
    }
  })
  const port = await new Promise<number>((resolve, reject) => { server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => { if (e !== null) reject(e); else resolve(p) }) })
  return { address: `127.0.0.1:${port}`, calls, stop: () => { server.forceShutdown() } }
}

/** Opens a Send stream with `metadata`, writes `bodies`, and resolves with the call's status code. */
async function sendStream (client: grpc.Client, metadata: grpc.Metadata, bodies: Buffer[]): Promise<grpc.status> {
  return await new Promise((resolve) => {
    const call = client.makeClientStreamRequest<Buffer, unknown>('/clusterfunk.raft.RaftTransport/Send', (b) => b, () => ({}), metadata,
      { deadline: Date.now() + 5000 }, (err) => { resolve(err === null ? grpc.status.OK : err.code) })
    for (const b of bodies) call.write(b)
    call.end()
  })
}

describe('gRPC transport authentication (replays and forgeries)', () => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f() })

  async function setup (): Promise<{ sender: GrpcTransport, receiver: GrpcTransport, got: Message[], spy: Awaited<ReturnType<typeof eavesdropper>>, client: RawRaftClient }> {
    const got: Message[] = []
    const sender = new GrpcTransport({}, { token: TOKEN })
    const receiver = new GrpcTransport({}, { token: TOKEN })
    sender.setHandler({ onMessage: () => {}, onSnapshot: async () => false })
    receiver.setHandler({ onMessage: (m) => { got.push(m) }, onSnapshot: async () => false })
    await sender.start(); await receiver.start()
    const spy = await eavesdropper()
    const client = new RawRaftClient(receiver.address)
    cleanup.push(async () => { await sender.stop() }, async () => { await receiver.stop() }, spy.stop, () => { client.close() })
    return { sender, receiver, got, spy, client }
  }

  it('a captured Deliver call (TimeoutNow) replayed is refused and counted; the original was accepted once', async () => {
    const { sender, receiver, got, spy, client } = await setup()
    sender.send('b', spy.address, [timeoutNow('a', 'b')])
    const call = await waitFor(() => spy.calls.find(c => c.method === 'Deliver'), { timeoutMs: 5000 })
    const body = call.bodies[0] as Buffer
    expect(await client.deliverRaw(body, call.metadata)).to.equal(grpc.status.OK)
    expect(got).to.have.length(1)
    expect(await client.deliverRaw(body, call.metadata)).to.equal(grpc.status.UNAUTHENTICATED)
    expect(got).to.have.length(1)
    expect(receiver.rejected.replay).to.equal(1)
  })

  it('a captured proof with a forged body is refused: the message MAC binds the body to the call', async () => {
    const { sender, receiver, got, spy, client } = await setup()
    sender.send('b', spy.address, [timeoutNow('a', 'b')])
    const call = await waitFor(() => spy.calls.find(c => c.method === 'Deliver'), { timeoutMs: 5000 })
    const forged = Buffer.concat([Buffer.from(encodeMessage(timeoutNow('c', 'b'))), (call.bodies[0] as Buffer).subarray(-45)])
    expect(await client.deliverRaw(forged, call.metadata)).to.equal(grpc.status.UNAUTHENTICATED)
    expect(got).to.have.length(0)
    expect(receiver.rejected.auth).to.equal(1)
  })

  it('a captured Send stream replayed is refused before any message is taken', async () => {
    const { sender, receiver, got, spy } = await setup()
    sender.send('b', spy.address, [heartbeat('a', 'b'), heartbeat('a', 'b', 4)])
    const call = await waitFor(() => spy.calls.find(c => c.method === 'Send' && c.bodies.length === 2), { timeoutMs: 5000 })
    const client = new grpc.Client(receiver.address, grpc.credentials.createInsecure())
    cleanup.push(() => { client.close() })
    expect(await sendStream(client, call.metadata, call.bodies)).to.equal(grpc.status.OK)
    expect(got.map(m => m.term)).to.deep.equal([3, 4])
    expect(await sendStream(client, call.metadata, call.bodies)).to.equal(grpc.status.UNAUTHENTICATED)
    expect(got).to.have.length(2)
    expect(receiver.rejected.replay).to.equal(1)
  })

  it('within a stream, a replayed or forged message is refused and ends the stream', async () => {
    const { sender, receiver, got, spy } = await setup()
    sender.send('b', spy.address, [heartbeat('a', 'b'), heartbeat('a', 'b', 4)])
    const call = await waitFor(() => spy.calls.find(c => c.method === 'Send' && c.bodies.length === 2), { timeoutMs: 5000 })
    const client = new grpc.Client(receiver.address, grpc.credentials.createInsecure())
    cleanup.push(() => { client.close() })
    const [first, second] = call.bodies as [Buffer, Buffer]
    expect(await sendStream(client, call.metadata, [first, first, second])).to.equal(grpc.status.UNAUTHENTICATED)
    expect(got.map(m => m.term)).to.deep.equal([3])
    expect(receiver.rejected.replay).to.equal(1)
  })

  it('a message without the trailer on an authenticated stream is refused', async () => {
    const { sender, receiver, got, spy } = await setup()
    sender.send('b', spy.address, [heartbeat('a', 'b')])
    const call = await waitFor(() => spy.calls.find(c => c.method === 'Send' && c.bodies.length === 1), { timeoutMs: 5000 })
    const client = new grpc.Client(receiver.address, grpc.credentials.createInsecure())
    cleanup.push(() => { client.close() })
    expect(await sendStream(client, call.metadata, [Buffer.from(encodeMessage(heartbeat('a', 'b', 9)))])).to.equal(grpc.status.UNAUTHENTICATED)
    expect(got).to.have.length(0)
    expect(receiver.rejected.auth).to.equal(1)
  })

  it('every RPC without a proof, or with a proof made from another token, is refused before its body is read', async () => {
    const { receiver, got, client } = await setup()
    const other = new GrpcTransport({}, { token: 'another-token' })
    const spy = await eavesdropper()
    other.setHandler({ onMessage: () => {}, onSnapshot: async () => false })
    await other.start()
    cleanup.push(async () => { await other.stop() }, spy.stop)
    other.send('b', spy.address, [timeoutNow('a', 'b')])
    const wrong = await waitFor(() => spy.calls.find(c => c.method === 'Deliver'), { timeoutMs: 5000 })
    expect(await client.deliverRaw(wrong.bodies[0] as Buffer, wrong.metadata)).to.equal(grpc.status.UNAUTHENTICATED)
    expect(await client.deliver(timeoutNow('a', 'b'))).to.equal(grpc.status.UNAUTHENTICATED)
    const raw = new grpc.Client(receiver.address, grpc.credentials.createInsecure())
    cleanup.push(() => { raw.close() })
    expect(await sendStream(raw, new grpc.Metadata(), [Buffer.from(encodeMessage(heartbeat('a', 'b')))])).to.equal(grpc.status.UNAUTHENTICATED)
    const snap = await new Promise<grpc.status>((resolve) => {
      const c = raw.makeClientStreamRequest<Buffer, unknown>('/clusterfunk.raft.RaftTransport/InstallSnapshot', (b) => b, () => ({}), new grpc.Metadata(),
        { deadline: Date.now() + 5000 }, (err) => { resolve(err === null ? grpc.status.OK : err.code) })
      c.end()
    })
    expect(snap).to.equal(grpc.status.UNAUTHENTICATED)
    expect(got).to.have.length(0)
    expect(receiver.rejected.auth).to.equal(4)
  })

  it('a snapshot streams under a token, every chunk sealed, and arrives whole', async () => {
    const a = new GrpcTransport({}, { token: TOKEN, snapshotChunkBytes: 1000 })
    const b = new GrpcTransport({}, { token: TOKEN })
    let received = 0
    a.setHandler({ onMessage: () => {}, onSnapshot: async () => false })
    b.setHandler({ onMessage: () => {}, onSnapshot: async (_h, data) => { for await (const c of data) received += c.length; return true } })
    await a.start(); await b.start()
    cleanup.push(async () => { await a.stop() }, async () => { await b.stop() })
    const header = { type: 'installSnapshot' as const, from: 'a', to: 'b', term: 2, snapshot: { index: 10, term: 2, configuration: { voters: [{ id: 'a', address: a.address }], nonVoters: [] } } }
    const data = (async function * () { yield new Uint8Array(2500).fill(7) })()
    expect(await a.sendSnapshot('b', b.address, header, data)).to.equal(true)
    expect(received).to.equal(2500)
    expect(b.rejected).to.deep.equal({ decode: 0, auth: 0, replay: 0, snapshot: 0, busy: 0 })
  })
})
