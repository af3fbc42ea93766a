import { expect } from 'chai'
import { AbortError, InvalidArgumentError, TimeoutError, waitFor } from '@clusterfunk/core'
import {
  HandlerFailedError, ManagementClient, MemberInfoTooLargeError, NoHandlerError, RequestTooLargeError, UnknownNodeError, PayloadTooLargeError,
  type Cluster, type ClusterEvent, type QueryReply, type UserEvent
} from '../../src/index.js'
import { TestNodes, waitForAgreement } from '../cluster/helpers.js'

const TOKEN = 'messaging-test-token'
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s))
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')

async function collect (it: AsyncIterable<QueryReply>): Promise<QueryReply[]> {
  const out: QueryReply[] = []
  for await (const r of it) out.push(r)
  return out
}

describe('Cluster member info, requests, user events and queries on real nodes', function () {
  this.timeout(90_000)
  const t = new TestNodes()
  let nodes: Cluster[] = []
  const clients: ManagementClient[] = []

  before(async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3, token: TOKEN })
    await a.start()
    const others = await Promise.all(['b', 'c'].map(async id => await t.create({ nodeId: id, bootstrapExpect: 3, token: TOKEN, join: [a.swimAddress()] })))
    await Promise.all(others.map(async n => { await n.start() }))
    nodes = [a, ...others]
    await waitForAgreement(nodes, ['a', 'b', 'c'])
  })

  after(async () => {
    for (const c of clients) c.close()
    await t.cleanup()
  })

  const node = (id: string): Cluster => nodes.find(n => n.nodeId === id) as Cluster
  function client (n: Cluster): ManagementClient {
    const c = new ManagementClient({ address: n.managementAddress(), token: TOKEN })
    clients.push(c)
    return c
  }

  describe('member info', () => {
    it('is set at runtime, read on every node for one member or all, and through the management API', async () => {
      node('b').setMemberInfo({ zone: 'eu-1', version: '2.4.0' })
      await waitFor(() => nodes.every(n => n.memberInfo('b')?.zone === 'eu-1'), { timeoutMs: 20_000 })
      expect(node('a').memberInfo('b')).to.deep.equal({ version: '2.4.0', zone: 'eu-1' })
      expect(node('c').membersInfo().map(m => m.nodeId)).to.deep.equal(['a', 'b', 'c'])
      expect(node('c').memberInfo('nope')).to.equal(undefined)
      // Endpoints stay: member info is published beside them.
      expect(node('a').endpoint('b', 'clusterfunk.management')).to.equal(node('b').managementAddress())
      const viaApi = await client(node('a')).memberInfo('b')
      expect(viaApi).to.deep.equal([{ nodeId: 'b', info: { version: '2.4.0', zone: 'eu-1' } }])
      expect((await client(node('a')).memberInfo()).map(m => m.nodeId)).to.deep.equal(['a', 'b', 'c'])
    })

    it('refuses info beyond the 4 KiB tag budget (counting the endpoints) with MemberInfoTooLargeError, and bad keys', () => {
      const err = (() => { try { node('c').setMemberInfo({ blob: 'x'.repeat(4000) }) } catch (e) { return e } })()
      expect(err).to.be.instanceOf(MemberInfoTooLargeError)
      expect((err as MemberInfoTooLargeError).limit).to.equal(4096)
      expect((err as MemberInfoTooLargeError).size).to.be.greaterThan(4000 + 'info.blob'.length)
      expect(() => node('c').setMemberInfo({ 'bad key': 'v' })).to.throw(InvalidArgumentError)
      expect(node('c').memberInfo('c')).to.deep.equal({})
    })
  })

  describe('requests', () => {
    it('a handler on one node answers a request from another, with the caller named', async () => {
      node('b').handle('echo', (payload, ctx) => bytes(`${ctx.from}:${text(payload)}`))
      expect(text(await node('a').request('b', 'echo', bytes('hi')))).to.equal('a:hi')
      // A request to the node itself runs its handler without the network.
      expect(text(await node('b').request('b', 'echo', bytes('me')))).to.equal('b:me')
    })

    it('fails with a typed error for an unknown node, no handler, a timeout and a handler failure', async () => {
      const a = node('a')
      node('c').handle('boom', () => { throw new Error('disk full') })
      node('c').handle('slow', async (_p, ctx) => await new Promise<Uint8Array>((resolve) => {
        ctx.signal.addEventListener('abort', () => { resolve(new Uint8Array(0)) }, { once: true })
      }))
      const failure = async (p: Promise<unknown>): Promise<unknown> => await p.then(() => undefined, (e: unknown) => e)
      expect(await failure(a.request('zz', 'echo', bytes('')))).to.be.instanceOf(UnknownNodeError)
      const none = await failure(a.request('c', 'missing', bytes('')))
      expect(none).to.be.instanceOf(NoHandlerError)
      expect((none as NoHandlerError).topic).to.equal('missing')
      const failed = await failure(a.request('c', 'boom', bytes('')))
      expect(failed).to.be.instanceOf(HandlerFailedError)
      expect((failed as Error).message).to.include('disk full')
      expect(await failure(a.request('c', 'slow', bytes(''), { timeoutMs: 300 }))).to.be.instanceOf(TimeoutError)
      const controller = new AbortController()
      const aborted = failure(a.request('c', 'slow', bytes(''), { timeoutMs: 10_000, signal: controller.signal }))
      controller.abort()
      expect(await aborted).to.be.instanceOf(AbortError)
    })

    it('refuses a payload over the limit with RequestTooLargeError, on the caller and on a handler\'s answer', async () => {
      node('b').handle('big-answer', () => new Uint8Array(70 * 1024))
      const failure = async (p: Promise<unknown>): Promise<unknown> => await p.then(() => undefined, (e: unknown) => e)
      const err = await failure(node('a').request('b', 'echo', new Uint8Array(61 * 1024)))
      expect(err).to.be.instanceOf(RequestTooLargeError)
      expect((err as RequestTooLargeError).limit).to.equal(60 * 1024)
      expect(await failure(node('a').request('b', 'big-answer', bytes('')))).to.be.instanceOf(RequestTooLargeError)
      expect(await node('a').request('b', 'echo', new Uint8Array(60 * 1024 - 2))).to.have.length(60 * 1024)
    })

    it('an operator with the token reaches a handler through the management API; without it the call is refused', async () => {
      expect(text(await client(node('b')).sendRequest('echo', bytes('op')))).to.equal(':op')
      const bare = new ManagementClient({ address: node('b').managementAddress() })
      clients.push(bare)
      const err = await bare.sendRequest('echo', bytes('op')).then(() => undefined, (e: unknown) => e)
      expect((err as Error).name).to.equal('UnauthenticatedError')
    })
  })

  describe('user events', () => {
    it('an event fired on one node reaches every node once as event:user, and the management event stream', async () => {
      const got = new Map<string, UserEvent[]>(nodes.map(n => [n.nodeId, []]))
      for (const n of nodes) n.addEventListener('event:user', e => { if (e.detail.name === 'deploy') got.get(n.nodeId)?.push(e.detail) })
      const controller = new AbortController()
      const streamed: ClusterEvent[] = []
      const watching = (async () => {
        for await (const e of client(node('c')).watch({ signal: controller.signal })) if (e.type === 'event:user') streamed.push(e)
      })()
      const fired = node('a').fire('deploy', bytes('v2'))
      await waitFor(() => nodes.every(n => (got.get(n.nodeId)?.length ?? 0) >= 1), { timeoutMs: 20_000 })
      // The stream opens with an RPC of its own: an event fired once it is open reaches it.
      await waitFor(() => {
        if (streamed.length === 0) node('a').fire('watch-probe', bytes(''))
        return streamed.length > 0
      }, { timeoutMs: 20_000, intervalMs: 100 })
      for (const n of nodes) {
        expect(got.get(n.nodeId)).to.have.length(1)
        expect(got.get(n.nodeId)?.[0]).to.deep.include({ name: 'deploy', origin: 'a', ltime: fired.ltime })
        expect(text(got.get(n.nodeId)?.[0]?.payload ?? new Uint8Array(0))).to.equal('v2')
      }
      expect(streamed[0]).to.deep.include({ type: 'event:user', origin: 'a' })
      expect(['deploy', 'watch-probe']).to.include((streamed[0] as { name: string }).name)
      controller.abort()
      await watching
      // Fired later on another node: a later Lamport time.
      expect(node('b').fire('next', bytes('')).ltime).to.be.greaterThan(fired.ltime)
      // The payload limit (twice Serf's 512 bytes by default) is checked.
      node('a').fire('big', new Uint8Array(1024))
      expect(() => node('a').fire('big', new Uint8Array(1025))).to.throw(PayloadTooLargeError)
    })

    it('funkctl\'s FireEvent fires from the node asked', async () => {
      let seen: UserEvent | undefined
      node('a').addEventListener('event:user', e => { if (e.detail.name === 'ops') seen = e.detail })
      const ltime = await client(node('b')).fireEvent('ops', bytes('x'))
      await waitFor(() => seen !== undefined, { timeoutMs: 20_000 })
      expect(seen).to.deep.include({ origin: 'b', ltime })
    })
  })

  describe('queries', () => {
    it('every node with a handler acks and responds once; filters pick the responders', async () => {
      for (const n of nodes) n.handleQuery('who', (payload, ctx) => bytes(`${n.nodeId}<-${ctx.origin}:${text(payload)}`))
      const all = await collect(node('a').query('who', bytes('?'), { timeoutMs: 1500 }))
      const responses = all.filter(r => r.type === 'response')
      expect(responses.map(r => r.from).sort()).to.deep.equal(['a', 'b', 'c'])
      expect(all.filter(r => r.type === 'ack').map(r => r.from).sort()).to.deep.equal(['a', 'b', 'c'])
      expect(text(responses.find(r => r.from === 'b')?.payload ?? new Uint8Array(0))).to.equal('b<-a:?')
      // A node filter: the iterator ends as soon as every named node responded.
      const started = Date.now()
      const some = await collect(node('a').query('who', bytes('!'), { filterNodes: ['b', 'c'], timeoutMs: 20_000 }))
      expect(Date.now() - started).to.be.lessThan(15_000)
      expect(some.filter(r => r.type === 'response').map(r => r.from).sort()).to.deep.equal(['b', 'c'])
      // A tag filter on member info.
      const eu = await collect(node('c').query('who', bytes(''), { filterTags: { 'info.zone': 'eu-1' }, timeoutMs: 1500 }))
      expect(eu.filter(r => r.type === 'response').map(r => r.from)).to.deep.equal(['b'])
    })

    it('funkctl\'s Query streams the acks and responses', async () => {
      const replies = []
      for await (const r of client(node('b')).query({ name: 'who', payload: bytes('op'), filterNodes: ['a'], timeoutMs: 5000 })) replies.push(r)
      expect(replies.filter(r => !r.ack).map(r => r.from)).to.deep.equal(['a'])
    })
  })
})
