import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { createPacketView, decodePacket, KIND_PROBE, verifyPacket } from '@clusterfunk/liveness'
import { decodeMessage, encodeMessage } from '@clusterfunk/raft'
import { RaftAuth } from '@clusterfunk/raft/grpc'
import { createSealer, decodePacket as decodeSwimPacket, encodePacket, Keyring, ReplayGuard, STREAM_PING, StreamReader } from '@clusterfunk/swim'
import { GHOST, Insider } from '../src/attacks/secrets.js'
import type { ClusterSecrets } from '../src/cluster.js'

const DELIVER = '/clusterfunk.raft.RaftTransport/Deliver'

/**
 * The Insider's genuine inputs must pass the packages' own receiving code
 * (what a node runs), and a byte-identical copy must be refused there: else
 * the suite's replay controls test an old format, as they once did.
 */
describe('Insider: genuine inputs in the current formats', () => {
  const secrets: ClusterSecrets = {
    token: 'fuzz-test-token',
    gossipKey: randomBytes(32).toString('base64'),
    cert: { certFile: '', keyFile: '', cert: Buffer.alloc(0), key: Buffer.alloc(0) }
  }
  const ins = new Insider(secrets)

  it('proves and seals a Raft call the transport verifies and opens once, and refuses again', () => {
    const node = new RaftAuth(secrets.token, 60_000, 16)
    const call = ins.raftCall(DELIVER, '127.0.0.1:7001')
    const sealed = call.seal(encodeMessage({ type: 'timeoutNow', from: 'n1', to: 'n2', term: 3 }))
    const context = node.verify(DELIVER, '127.0.0.1:7001', call.metadata['x-raft-auth'], Date.now())
    expect(context).to.be.an('object')
    if (typeof context === 'string') return
    const opened = node.open(sealed, context)
    expect(Buffer.isBuffer(opened)).to.equal(true)
    expect(decodeMessage(opened as Buffer)).to.deep.include({ type: 'timeoutNow', from: 'n1', to: 'n2', term: 3 })
    // The same proof again is a replay, whatever the body.
    expect(node.verify(DELIVER, '127.0.0.1:7001', call.metadata['x-raft-auth'], Date.now())).to.equal('replay')
  })

  it('seals SWIM datagrams and stream messages a member opens, fresh once, with its own sender and the recipient', () => {
    const member = createSealer({ keyring: new Keyring([secrets.gossipKey]), label: undefined, sender: 'n1', epoch: 1, wallNow: Date.now })
    const guard = new ReplayGuard({ windowSize: 1024, maxAgeMs: 30_000, maxStrangers: 4 })
    const ping = encodePacket([{ type: 'ping', seq: 5, target: 'n1', source: GHOST, sourceAddress: '127.0.0.1:9' }])
    const sealed = ins.seal(ping, 'n1')
    const opened = member.open(sealed)
    expect(opened.freshness).to.deep.include({ sender: GHOST, recipient: 'n1' })
    expect(decodeSwimPacket(opened.payload)).to.have.length(1)
    expect(guard.accept(opened.freshness as never, Date.now(), false)).to.equal(undefined)
    expect(guard.accept(member.open(sealed).freshness as never, Date.now(), false)).to.equal('replay')

    const reader = new StreamReader(member, f => guard.accept(f, Date.now(), false))
    reader.append(ins.streamMessage(STREAM_PING, ping, 'n1'))
    const head = reader.head()
    expect(head).to.deep.include({ kind: STREAM_PING, length: ping.length })
    expect(Buffer.from(reader.body(head as never) as Uint8Array).equals(Buffer.from(ping))).to.equal(true)
  })

  it('makes keyed liveness probes the endpoint decodes and verifies, with checker id and send time under the MAC', () => {
    const probe = ins.probe('n2', [7, 0])
    const view = createPacketView()
    expect(decodePacket(probe, view)).to.equal(undefined)
    expect(view.kind).to.equal(KIND_PROBE)
    expect(verifyPacket(probe, view, ins.livenessKey)).to.equal(true)
    expect(view.checkerLo + view.checkerHi).to.be.above(0)
    expect(Math.abs(view.sentAtMs - Date.now())).to.be.below(5_000)
    // macLiveness over fields 1-4 lays a probe out exactly as the packet writer does.
    const body = probe.subarray(0, 15 + 2) // fields 1-4 for the 2-byte id 'n2'
    const again = ins.macLiveness(body)
    expect(decodePacket(again, view)).to.equal(undefined)
    expect(verifyPacket(again, view, ins.livenessKey)).to.equal(true)
    // A changed send time breaks the MAC: it is under it.
    const tampered = Buffer.from(probe)
    tampered.writeUInt8((tampered.at(-5) as number) ^ 1, tampered.length - 5)
    expect(decodePacket(tampered, view)).to.equal(undefined)
    expect(verifyPacket(tampered, view, ins.livenessKey)).to.equal(false)
  })
})

