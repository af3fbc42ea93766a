import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { InvalidArgumentError, InvalidConfigError, silentLogger, waitFor } from '@clusterfunk/core'
import { ManagementClient, UnauthenticatedError, type ManagementClientTls, UnavailableError, createCluster, generateGossipKey, type Cluster, type ClusterInit } from '../../src/index.js'
import { selfSignedCert, type TestCert } from '@clusterfunk/management/testing'
import { TestNodes, waitForAgreement } from './helpers.js'

const TOKEN = 'secure-cluster-token'

/** The option an `InvalidConfigError` thrown by `f` names. */
function rejectedOption (f: () => unknown): string {
  try {
    f()
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidConfigError)
    return (err as InvalidConfigError).option
  }
  throw new Error('no InvalidConfigError thrown')
}

/** Sum of a counter's series in a node's registry. */
async function counterTotal (node: Cluster, name: string): Promise<number> {
  const metric = node.metrics.registry.getSingleMetric(name)
  if (metric === undefined) return 0
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0)
}

describe('Cluster security options', function () {
  this.timeout(30_000)
  let cert: TestCert
  let stranger: TestCert

  before(async () => {
    [cert, stranger] = await Promise.all([selfSignedCert('cluster'), selfSignedCert('stranger')])
  })

  describe('validation at construction', () => {
    const base = { name: 'secure', dataDir: '/nonexistent-never-opened', zeroconf: false }
    const make = (init: Partial<ClusterInit>): Cluster => createCluster({ ...base, ...init })

    it('refuses gossip keys of the wrong length, an empty keyring and keys that are not base64', () => {
      expect(rejectedOption(() => make({ gossipKeys: [Buffer.alloc(16)] }))).to.equal('gossipKeys')
      expect(rejectedOption(() => make({ gossipKeys: [Buffer.alloc(24).toString('base64')] }))).to.equal('gossipKeys')
      expect(rejectedOption(() => make({ gossipKeys: [] }))).to.equal('gossipKeys')
      expect(rejectedOption(() => make({ gossipKeys: ['not base64!'] }))).to.equal('gossipKeys')
    })

    it('refuses a certificate without its key, a key of another certificate, and unreadable PEM', () => {
      expect(rejectedOption(() => make({ tls: { cert: cert.cert } as never }))).to.equal('tls.key')
      expect(rejectedOption(() => make({ tls: { key: cert.key } as never }))).to.equal('tls.cert')
      expect(rejectedOption(() => make({ tls: { cert: cert.cert, key: stranger.key } }))).to.equal('tls.key')
      expect(rejectedOption(() => make({ tls: { cert: cert.cert, key: Buffer.from('-----BEGIN PRIVATE KEY-----\nnope\n') } }))).to.equal('tls.key')
      expect(rejectedOption(() => make({ tls: { cert: '/nonexistent/cert.pem', key: cert.key } }))).to.equal('tls.cert')
      expect(rejectedOption(() => make({ tls: { cert: cert.key, key: cert.key } }))).to.equal('tls.cert')
      expect(rejectedOption(() => make({ tls: { cert: cert.cert, key: cert.key, ca: Buffer.from('junk') } }))).to.equal('tls.ca')
      expect(rejectedOption(() => make({ tls: { cert: cert.cert, key: cert.key, mutual: 'yes' as never } }))).to.equal('tls.mutual')
    })

    it('refuses a certificate that does not name the host peers dial', () => {
      const err = (() => { try { make({ host: '10.0.0.7', tls: cert }) } catch (e) { return e } })()
      expect(err).to.be.instanceOf(InvalidConfigError)
      expect((err as InvalidConfigError).option).to.equal('tls.cert')
      expect((err as Error).message).to.include('IP:10.0.0.7')
    })

    it('refuses a token off loopback without TLS or without gossip keys, naming insecure, and takes it with both', async () => {
      const remote = await selfSignedCert('remote', 'IP:10.0.0.7')
      const gossipKeys = [generateGossipKey()]
      expect(rejectedOption(() => make({ host: '10.0.0.7', token: TOKEN }))).to.equal('insecure')
      expect(rejectedOption(() => make({ host: '10.0.0.7', token: TOKEN, gossipKeys }))).to.equal('insecure')
      expect(rejectedOption(() => make({ host: '10.0.0.7', token: TOKEN, tls: remote }))).to.equal('insecure')
      const err = (() => { try { make({ host: '10.0.0.7', token: TOKEN, tls: remote }) } catch (e) { return e as Error } })()
      expect(err?.message).to.include('gossipKeys').and.include('insecure: true')
      const secure = make({ host: '10.0.0.7', token: TOKEN, tls: remote, gossipKeys })
      expect(secure.options.tls?.mutual).to.equal(false)
      expect(secure.options.exposed).to.deep.equal([])
      expect(make({ host: '127.0.0.1', token: TOKEN }).options.exposed, 'loopback needs neither').to.deep.equal([])
    })

    it('with insecure: true (or the old allowInsecureToken) it starts, and says what is exposed', () => {
      for (const flag of [{ insecure: true }, { allowInsecureToken: true }]) {
        const node = make({ host: '10.0.0.7', token: TOKEN, ...flag })
        expect(node.options.insecure).to.equal(true)
        expect(node.options.exposed.join('\n')).to.match(/token travels in clear/).and.match(/forge members/)
      }
      expect(rejectedOption(() => make({ insecure: 'yes' as never }))).to.equal('insecure')
    })

    it('logs a warning naming what is exposed when it starts insecure, before anything binds', async () => {
      const lines: string[] = []
      // Spreading a logger would drop the methods on its prototype (info, child...): replace warn on the object itself.
      const logger = silentLogger()
      logger.warn = (message: string) => { lines.push(message) }
      // This machine cannot bind 10.0.0.7: parts that fail at once stop the start right after the warning.
      const parts = { nodeId: async () => { throw new Error('no parts in this test') }, assemble: async () => { throw new Error('unreachable') } }
      const node = createCluster({ ...base, host: '10.0.0.7', token: TOKEN, insecure: true }, { logger, parts })
      expect(await node.start().then(() => 'started', (e: unknown) => (e as Error).message)).to.equal('no parts in this test')
      expect(lines).to.have.length(1)
      expect(lines[0]).to.match(/^starting insecure on 10\.0\.0\.7: .*token travels in clear.*forge members/)
    })

    it('reads PEM from strings and from file paths', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-pem-'))
      try {
        await writeFile(path.join(dir, 'cert.pem'), cert.cert)
        await writeFile(path.join(dir, 'key.pem'), cert.key)
        const fromFiles = make({ tls: { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), mutual: true } }).options.tls
        expect(fromFiles?.cert.equals(cert.cert)).to.equal(true)
        expect(fromFiles?.ca.equals(cert.cert), 'the CA defaults to the certificate').to.equal(true)
        expect(fromFiles?.mutual).to.equal(true)
        const fromStrings = make({ tls: { cert: cert.cert.toString(), key: cert.key.toString(), ca: stranger.cert.toString() } }).options.tls
        expect(fromStrings?.ca.equals(stranger.cert)).to.equal(true)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })

    it('rotating gossip keys needs gossip encryption and well-formed keys', () => {
      expect(() => { make({}).installGossipKey(generateGossipKey()) }).to.throw(InvalidArgumentError, /not encrypted/)
      const key = generateGossipKey()
      const node = make({ gossipKeys: [key] })
      expect(() => { node.installGossipKey('c2hvcnQ=') }).to.throw(InvalidArgumentError)
      expect(() => { node.useGossipKey(generateGossipKey()) }).to.throw(InvalidArgumentError, /not installed/)
      expect(() => { node.removeGossipKey(key) }).to.throw(InvalidArgumentError, /primary/)
      expect(node.gossipKeys()).to.deep.equal([key])
    })
  })

  describe('a three-node cluster with TLS, a token and gossip keys', () => {
    const t = new TestNodes()
    const clients: ManagementClient[] = []
    const firstKey = generateGossipKey()
    let nodes: Cluster[] = []

    const secure = (extra: Partial<ClusterInit> = {}): Partial<ClusterInit> => ({ tls: cert, token: TOKEN, gossipKeys: [firstKey], ...extra })
    const client = (node: Cluster, init: Partial<ConstructorParameters<typeof ManagementClient>[0]>): ManagementClient => {
      const c = new ManagementClient({ address: node.managementAddress(), timeoutMs: 5_000, ...init })
      clients.push(c)
      return c
    }
    const leader = (): Cluster => nodes.find(n => n.role === 'Leader') as Cluster

    before(async () => {
      const a = await t.create(secure({ nodeId: 'a', bootstrapExpect: 3 }))
      await a.start()
      const others = await Promise.all(['b', 'c'].map(async id => await t.create(secure({ nodeId: id, bootstrapExpect: 3, join: [a.swimAddress()] }))))
      await Promise.all(others.map(async n => { await n.start() }))
      nodes = [a, ...others]
    })

    after(async () => {
      for (const c of clients) c.close()
      await t.cleanup()
    })

    it('reaches Operational on one committed map, each node publishing ep.clusterfunk.management', async () => {
      const version = await waitForAgreement(nodes, ['a', 'b', 'c'], 15_000)
      expect(version).to.be.greaterThan(0)
      for (const n of nodes) expect(n.endpoints('clusterfunk.management').map(e => e.nodeId)).to.deep.equal(['a', 'b', 'c'])
      expect(nodes[1]?.endpoint('a', 'ep.clusterfunk.management')).to.equal(nodes[0]?.managementAddress())
    })

    it('answers a management client with TLS and the token, and refuses one without either', async () => {
      const follower = nodes.find(n => n.role === 'Follower') as Cluster
      const status = await client(follower, { tls: { ca: cert.cert }, token: TOKEN }).status()
      expect(status.nodeId).to.equal(follower.nodeId)
      expect(status.state).to.equal('Operational')
      expect(status.leaderId).to.equal(leader().nodeId)
      // ListNodes is answered by the leader: the follower forwards it over TLS with its token.
      expect((await client(follower, { tls: { ca: cert.cert }, token: TOKEN }).nodes()).map(n => n.id)).to.deep.equal(['a', 'b', 'c'])
      expect(await client(follower, { tls: { ca: cert.cert } }).status().catch((e: unknown) => e)).to.be.instanceOf(UnauthenticatedError)
      expect(await client(follower, { token: TOKEN }).status().catch((e: unknown) => e)).to.be.instanceOf(UnavailableError)
      expect(await client(follower, { tls: { ca: stranger.cert }, token: TOKEN }).status().catch((e: unknown) => e)).to.be.instanceOf(UnavailableError)
    })

    it('keeps out a node with the wrong gossip key while the others stay Operational on their map', async () => {
      const version = await waitForAgreement(nodes, ['a', 'b', 'c'], 15_000)
      const a = nodes[0] as Cluster
      const droppedBefore = await counterTotal(a, 'clusterfunk_swim_dropped_packets_total')
      const intruder = await t.create(secure({ nodeId: 'x', gossipKeys: [generateGossipKey()], join: [a.swimAddress()] }))
      await intruder.start()
      // a drops what it cannot decrypt: the intruder's join reached it and was refused.
      await waitFor(async () => await counterTotal(a, 'clusterfunk_swim_dropped_packets_total') > droppedBefore, { timeoutMs: 10_000, what: 'a to drop the intruder\'s packets' })
      expect(intruder.nodes().map(n => n.id)).to.deep.equal(['x'])
      expect(intruder.state).to.equal('Joining')
      // Operational needs a lease renewed every heartbeat, which a busy machine can let lapse for a moment:
      // what matters is that the three serve on, on the same map, with no sign of the intruder.
      await waitFor(() => nodes.every(n => n.state === 'Operational'), { timeoutMs: 10_000, what: 'a, b and c to be Operational' })
      for (const n of nodes) {
        expect(n.nodes().map(m => m.id)).to.deep.equal(['a', 'b', 'c'])
        expect(n.shards.version).to.equal(version)
      }
      await intruder.stop()
    })

    it('rotates the gossip keys through the facade, after which only the new key joins', async function () {
      this.timeout(15_000)
      const next = generateGossipKey()
      for (const n of nodes) n.installGossipKey(next)
      for (const n of nodes) n.useGossipKey(next)
      for (const n of nodes) n.removeGossipKey(firstKey)
      for (const n of nodes) expect(n.gossipKeys()).to.deep.equal([next])
      // Gossip still flows: an endpoint set now reaches every node.
      nodes[2]?.setEndpoint('http', 'http://127.0.0.1:8082')
      await waitFor(() => nodes.every(n => n.endpoint('c', 'http') === 'http://127.0.0.1:8082'), { timeoutMs: 10_000, what: 'the endpoint to spread under the new key' })
      const d = await t.create(secure({ nodeId: 'd', gossipKeys: [next], join: [nodes[0]?.swimAddress() ?? ''] }))
      await d.start()
      nodes = [...nodes, d]
      await waitForAgreement(nodes, ['a', 'b', 'c', 'd'], 12_000)
    })

    it('commits a reshard after a node leaves: every remaining node acks over TLS', async function () {
      this.timeout(15_000)
      const before = await waitForAgreement(nodes, ['a', 'b', 'c', 'd'], 10_000)
      const leaving = nodes.find(n => n.role !== 'Leader') as Cluster
      await leaving.stop()
      nodes = nodes.filter(n => n !== leaving)
      // The leader commits a map only once every node in it acked, over the TLS-only management servers:
      // a map of every remaining node means each one's ack got through.
      const after = await waitForAgreement(nodes, nodes.map(n => n.nodeId), 10_000)
      expect(after).to.be.greaterThan(before)
    })
  })

  describe('a node without TLS', () => {
    const t = new TestNodes()
    let nodes: Cluster[] = []
    const key = generateGossipKey()
    /** When the leader had added p as a non-voter. */
    let pAddedAt = 0

    before(async () => {
      const a = await t.create({ nodeId: 'a', bootstrapExpect: 3, tls: cert, token: TOKEN, gossipKeys: [key] })
      await a.start()
      const others = await Promise.all(['b', 'c'].map(async id => await t.create({ nodeId: id, bootstrapExpect: 3, tls: cert, token: TOKEN, gossipKeys: [key], join: [a.swimAddress()] })))
      await Promise.all(others.map(async n => { await n.start() }))
      nodes = [a, ...others]
      await waitForAgreement(nodes, ['a', 'b', 'c'], 15_000)
    })

    after(async () => { await t.cleanup() })

    it('gets no Raft log and no shards, and the others commit a map without it', async function () {
      this.timeout(15_000)
      const plain = await t.create({ nodeId: 'p', token: TOKEN, gossipKeys: [key], join: [nodes[0]?.swimAddress() ?? ''] })
      await plain.start()
      const leader = nodes.find(n => n.role === 'Leader') as Cluster
      // It shares the gossip key, so SWIM lets it in and the leader tries to add it to Raft ...
      await waitFor(() => leader.nodes().find(n => n.id === 'p')?.suffrage === 'NonVoter', { timeoutMs: 10_000, what: 'the leader to try adding p' })
      pAddedAt = Date.now()
      // ... but Raft cannot reach it over TLS, so it never answers: the leader never names it in a map
      // (a proposal would only wait out p's ack) and keeps it a non-voter.
      await waitForAgreement(nodes, ['a', 'b', 'c'], 10_000)
      expect(leader.shards.map?.nodes().map(n => n.id)).to.deep.equal(['a', 'b', 'c'])
      expect(plain.state).to.equal('Joining')
      expect(plain.role).to.equal('NonMember')
      expect(plain.leader()).to.equal(undefined)
      expect(plain.shards.version).to.equal(0)
    })

    it('stays a non-voter that holds up no other change: the next node to join becomes a voter before a promotion of p could have timed out', async function () {
      this.timeout(30_000)
      const leader = nodes.find(n => n.role === 'Leader') as Cluster
      const d = await t.create({ nodeId: 'd', tls: cert, token: TOKEN, gossipKeys: [key], join: [nodes[0]?.swimAddress() ?? ''] })
      await d.start()
      // Promoting p would wait MEMBERSHIP_CHANGE_TIMEOUT_MS (10 s) for an answer that never comes, and d's changes behind it.
      await waitFor(() => leader.nodes().find(n => n.id === 'd')?.suffrage === 'Voter', { timeoutMs: 15_000, what: 'd promoted to voter' })
      expect(Date.now() - pAddedAt, 'ms from p added to d a voter').to.be.below(10_000)
      expect(leader.nodes().find(n => n.id === 'p')?.suffrage).to.equal('NonVoter')
      await waitForAgreement([...nodes, d], ['a', 'b', 'c', 'd'], 15_000)
    })
  })

  describe('mutual TLS', () => {
    const t = new TestNodes()
    const clients: ManagementClient[] = []
    after(async () => {
      for (const c of clients) c.close()
      await t.cleanup()
    })

    it('makes the management API ask callers for a certificate the cluster CA signed', async () => {
      const node = await t.create({ nodeId: 'm', bootstrapExpect: 1, tls: { ...cert, mutual: true }, token: TOKEN })
      await node.start()
      await waitForAgreement([node], ['m'], 10_000)
      const connect = (tls: ManagementClientTls): ManagementClient => {
        const c = new ManagementClient({ address: node.managementAddress(), timeoutMs: 5_000, token: TOKEN, tls })
        clients.push(c)
        return c
      }
      expect((await connect({ ca: cert.cert, cert: cert.cert, key: cert.key }).status()).nodeId).to.equal('m')
      expect(await connect({ ca: cert.cert }).status().catch((e: unknown) => e)).to.be.instanceOf(UnavailableError)
      expect(await connect({ ca: cert.cert, cert: stranger.cert, key: stranger.key }).status().catch((e: unknown) => e)).to.be.instanceOf(UnavailableError)
    })
  })
})
