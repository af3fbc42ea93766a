import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { generateKey, Keyring, Swim } from '../src/index.js'
import { fastInit, startCluster, stopAll } from './swim-helpers.js'

const key = generateKey()

describe('Swim with encryption', () => {
  let nodes: Swim[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('members sharing a key form a cluster and reserve the overhead in every datagram', async () => {
    nodes = await startCluster(4, 'e', { keys: [key], label: 'prod' })
    // AES-GCM (29) and the freshness header: 28 fixed bytes, the sender id 'e0', 64 reserved for the recipient.
    expect((nodes[0] as Swim).config.packetOverheadBytes).to.equal(29 + 28 + 2 + 64)
    for (const n of nodes) expect(n.stats().dropped.udp.decrypt).to.equal(0)
  })

  it('a member holding the wrong key cannot join, and its stream is counted as dropped by the seed', async () => {
    nodes = await startCluster(3, 'w', { keys: [key] })
    const intruder = new Swim({}, fastInit('intruder', { keys: [generateKey()] }))
    nodes.push(intruder)
    await intruder.start()
    const err = await intruder.join([(nodes[0] as Swim).address()]).then(() => undefined, (e: unknown) => e)
    expect(err).to.have.property('name', 'JoinError')
    await waitFor(() => (nodes[0] as Swim).stats().dropped.tcp.decrypt >= 1, { timeoutMs: 5000, what: 'the seed to count the stream' })
    for (const n of nodes.slice(0, 3)) expect(n.members().map(m => m.id)).to.not.include('intruder')
  })

  it('a member with the right key but another label cannot join', async () => {
    nodes = await startCluster(2, 'lb', { keys: [key], label: 'blue' })
    const other = new Swim({}, fastInit('green', { keys: [key], label: 'green' }))
    nodes.push(other)
    await other.start()
    const err = await other.join([(nodes[0] as Swim).address()]).then(() => undefined, (e: unknown) => e)
    expect(err).to.have.property('name', 'JoinError')
    expect((nodes[0] as Swim).member('green')).to.equal(undefined)
  })

  it('a member that switches alone to a key no one else has is dropped by the others (its datagrams counted) and marked failed', async () => {
    nodes = await startCluster(4, 's', { keys: [key] })
    const odd = nodes[3] as Swim
    const wrong = generateKey()
    odd.keyring?.addKey(wrong)
    odd.keyring?.useKey(wrong)
    odd.keyring?.removeKey(key)
    const others = nodes.slice(0, 3)
    await waitFor(() => others.every(n => n.member('s3')?.status === 'dead'), { timeoutMs: 20_000, what: 'the others to mark it failed' })
    const dropped = others.reduce((sum, n) => sum + n.stats().dropped.udp.decrypt, 0)
    expect(dropped).to.be.greaterThan(0)
  })

  it('rotating keys across a running cluster (add → use → remove everywhere) loses no member and drops nothing', async () => {
    const rings = Array.from({ length: 4 }, () => new Keyring([key]))
    nodes = []
    for (let i = 0; i < 4; i++) {
      const n = new Swim({}, fastInit(`r${i}`, { keyring: rings[i] as Keyring }))
      nodes.push(n)
      await n.start()
    }
    const seed = (nodes[0] as Swim).address()
    await Promise.all(nodes.slice(1).map(async n => await n.join([seed])))
    await waitFor(() => nodes.every(n => n.members().length === 4), { timeoutMs: 10_000, what: 'the cluster to form' })
    const next = generateKey()
    const traffic = async (what: string): Promise<void> => {
      const before = nodes.map(n => n.stats().packetsIn)
      await waitFor(() => nodes.every((n, i) => n.stats().packetsIn > (before[i] as number) + 10), { timeoutMs: 10_000, what })
    }
    for (const r of rings) r.addKey(next)
    await traffic('traffic with both keys installed')
    for (const r of rings) r.useKey(next)
    await traffic('traffic under the new primary')
    for (const r of rings) r.removeKey(key)
    await traffic('traffic after the old key is gone')
    for (const n of nodes) {
      expect(n.stats().dropped.udp.decrypt).to.equal(0)
      expect(n.members().filter(m => m.status === 'alive')).to.have.length(4)
    }
  })
})
