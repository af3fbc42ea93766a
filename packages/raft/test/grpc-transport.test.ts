import { waitFor } from '@clusterfunk/core'
import * as grpc from '@grpc/grpc-js'
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Message } from '../src/index.js'
import { GrpcTransport, type GrpcTlsInit } from '../src/grpc.js'

const heartbeat = (from: string, to: string): Message => ({ type: 'heartbeat', from, to, term: 3, commit: 7, readSeq: 1 })

async function makeTls (dir: string): Promise<GrpcTlsInit> {
  const ssl = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }) }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=raft-test-ca')
  ssl('req', ...ec, '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=raft-node')
  await writeFile(path.join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n')
  ssl('x509', '-req', '-in', 'node.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'node.crt', '-days', '1', '-extfile', 'ext')
  const read = async (f: string): Promise<Buffer> => await readFile(path.join(dir, f))
  return { ca: await read('ca.crt'), cert: await read('node.crt'), key: await read('node.key') }
}

describe('gRPC transport', () => {
  let dir: string
  const started: GrpcTransport[] = []
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'raft-tls-')) })
  afterEach(async () => {
    for (const t of started.splice(0)) await t.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function pair (init: ConstructorParameters<typeof GrpcTransport>[1]): Promise<{ a: GrpcTransport, b: GrpcTransport, got: Array<{ m: Message, from: string | undefined }> }> {
    const got: Array<{ m: Message, from: string | undefined }> = []
    const a = new GrpcTransport({}, init)
    const b = new GrpcTransport({}, init)
    a.setHandler({ onMessage: () => {}, onSnapshot: async () => false })
    b.setHandler({ onMessage: (m, from) => { got.push({ m, from }) }, onSnapshot: async () => false })
    await a.start(); await b.start()
    started.push(a, b)
    return { a, b, got }
  }

  it('a peer back after a restart is reached at once after peerBack, not after the back-off that grew while it was down', async () => {
    const a = new GrpcTransport({}, { backoffMinMs: 30_000, backoffMaxMs: 60_000 })
    a.setHandler({ onMessage: () => {}, onSnapshot: async () => false })
    const first = new GrpcTransport({}, {})
    first.setHandler({ onMessage: () => {}, onSnapshot: async () => false })
    await a.start(); await first.start()
    started.push(a)
    const address = first.address
    const port = Number(address.split(':')[1])
    await first.stop()
    // Sends to the stopped peer break the stream, which then waits out a 30 s back-off.
    await waitFor(() => !a.send('b', address, [heartbeat('a', 'b')]), { timeoutMs: 10_000, intervalMs: 20, what: 'the stream to break and back off' })
    const got: Message[] = []
    const again = new GrpcTransport({}, { port })
    again.setHandler({ onMessage: (m) => { got.push(m) }, onSnapshot: async () => false })
    await again.start()
    started.push(again)
    expect(a.send('b', address, [heartbeat('a', 'b')])).to.equal(false)
    a.peerBack(address)
    await waitFor(() => { a.send('b', address, [heartbeat('a', 'b')]); return got.length > 0 }, { timeoutMs: 10_000, intervalMs: 50, what: 'a message to reach the restarted peer' })
  })

  it('carries messages over mutual TLS with the sender address', async () => {
    const tls = await makeTls(dir)
    const { a, b, got } = await pair({ tls, token: 'tls-and-token' })
    expect(a.send('b', b.address, [heartbeat('a', 'b')])).to.equal(true)
    await waitFor(() => got.length === 1, { timeoutMs: 5000 })
    expect(got[0]?.m).to.deep.equal(heartbeat('a', 'b'))
    expect(got[0]?.from).to.equal(a.address)
  })

  it('refuses a TLS-less client on a TLS port', async () => {
    const tls = await makeTls(dir)
    const { b, got } = await pair({ tls })
    const client = new grpc.Client(b.address, grpc.credentials.createInsecure())
    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      client.makeUnaryRequest('/clusterfunk.raft.RaftTransport/Deliver', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), new grpc.Metadata(), { deadline: Date.now() + 3000 }, (e) => { resolve(e) })
    })
    client.close()
    expect(err?.code).to.be.oneOf([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED])
    expect(got).to.have.length(0)
  })

  it('streams a snapshot in checked chunks and reports the receiver outcome', async () => {
    const a = new GrpcTransport({}, { snapshotChunkBytes: 1000 })
    const b = new GrpcTransport({}, {})
    let received = 0
    a.setHandler({ onMessage: () => {}, onSnapshot: async () => false })
    b.setHandler({
      onMessage: () => {},
      onSnapshot: async (_h, data) => { for await (const c of data) received += c.length; return true }
    })
    await a.start(); await b.start()
    started.push(a, b)
    const header = { type: 'installSnapshot' as const, from: 'a', to: 'b', term: 2, snapshot: { index: 10, term: 2, configuration: { voters: [{ id: 'a', address: a.address }], nonVoters: [] } } }
    const data = (async function * () { yield new Uint8Array(2500).fill(7); yield new Uint8Array(10).fill(1) })()
    expect(await a.sendSnapshot('b', b.address, header, data)).to.equal(true)
    expect(received).to.equal(2510)
  })
})
