import { expect } from 'chai'
import Bonjour from 'bonjour-service'
import { AbortError, InvalidConfigError, ManualClock, MemoryMetrics, NotStartedError, waitFor } from '@clusterfunk/core'
import type { EventEmitter } from 'node:events'
import { Zeroconf, discoverPeers, type MdnsSocket, type ZeroconfInit, type ZeroconfPeer, ZeroconfConflictError } from '../../src/index.js'
import { MemoryMulticastNetwork } from '../../src/testing.js'

/** Zeroconf instances on an in-process multicast segment: nothing here sends a packet. */
describe('Zeroconf on an in-memory network', () => {
  let network: MemoryMulticastNetwork
  let started: Array<{ stop: () => Promise<void> }>
  let raw: Array<InstanceType<typeof Bonjour>>

  beforeEach(() => {
    network = new MemoryMulticastNetwork()
    started = []
    raw = []
  })

  afterEach(async () => {
    for (const s of started) await s.stop()
    for (const b of raw) await new Promise<void>(resolve => { b.unpublishAll(() => { b.destroy(() => { resolve() }) }) })
  })

  function node (nodeId: string, address: string, init: Partial<ZeroconfInit> = {}, metrics?: MemoryMetrics): Zeroconf {
    const z = new Zeroconf({ createSocket: () => network.createSocket(address), metrics }, {
      clusterName: 'orders', nodeId, records: { swim: 7946, mgmt: 9090 }, host: `${nodeId}.local`, addresses: [address], ...init
    })
    started.push(z)
    return z
  }

  /** A bare bonjour-service responder on the same network, for records Zeroconf would never publish. */
  function rawBonjour (address: string): InstanceType<typeof Bonjour> {
    const b = new Bonjour({ socket: network.createSocket(address) } as unknown as ConstructorParameters<typeof Bonjour>[0])
    raw.push(b)
    return b
  }

  it('two nodes find each other\'s records with ports, TXT and addresses', async () => {
    const a = node('node-a', '10.0.0.1')
    const b = node('node-b', '10.0.0.2')
    await Promise.all([a.start(), b.start()])
    await waitFor(() => a.peers().length === 2 && b.peers().length === 2, { timeoutMs: 10_000, what: 'both records of each node' })
    const swim = a.peers().find(p => p.kind === 'swim') as ZeroconfPeer
    expect(swim).to.deep.include({
      instance: 'orders_swim_node-b', clusterName: 'orders', nodeId: 'node-b', kind: 'swim', port: 7946,
      ports: { mgmt: 9090, swim: 7946 }, protocolVersion: 1, host: 'node-b.local', addresses: ['10.0.0.2']
    })
    expect(swim.txt).to.deep.equal({ v: '1', cluster: 'orders', node: 'node-b', kind: 'swim', port: '7946', ports: 'mgmt:9090,swim:7946', proto: '1' })
    expect(b.peers().map(p => p.instance).sort()).to.deep.equal(['orders_mgmt_node-a', 'orders_swim_node-a'])
    expect(a.instances()).to.deep.equal(['orders_swim_node-a', 'orders_mgmt_node-a'])
  })

  it('ignores its own records and counts records of another cluster as foreign', async () => {
    const metrics = new MemoryMetrics()
    const a = node('node-a', '10.0.0.1', {}, metrics)
    const other = node('node-x', '10.0.0.9', { clusterName: 'billing', records: { swim: 7000 } })
    await Promise.all([a.start(), other.start()])
    await waitFor(() => a.stats().ignored.foreign >= 1, { timeoutMs: 10_000, what: 'the foreign record' })
    expect(a.peers()).to.deep.equal([])
    expect(metrics.get('clusterfunk_cluster_zeroconf_ignored_records_total', { reason: 'foreign' })).to.equal(1)
    expect(a.stats().found).to.equal(0)
  })

  it('ignores and counts malformed records of the same service type without failing', async () => {
    const a = node('node-a', '10.0.0.1')
    await a.start()
    const b = rawBonjour('10.0.0.5')
    const base = { type: 'clusterfunk', protocol: 'udp' as const, host: 'bad.local' }
    b.publish({ ...base, name: 'no-underscores-here', port: 1000, txt: { v: '1' } })
    b.publish({ ...base, name: 'orders_swim_node-z', port: 1001, txt: { v: '1', cluster: 'orders', node: 'node-z', kind: 'swim', port: 'x', ports: 'swim:1001', proto: '1' } })
    b.publish({ ...base, name: 'orders_swim_node-y', port: 1002, txt: { v: '1', cluster: 'orders', node: 'node-q', kind: 'swim', port: '1002', ports: 'swim:1002', proto: '1' } })
    b.publish({ ...base, name: 'orders_swim_node-w', port: 1003, txt: { v: '9', cluster: 'orders' } })
    b.publish({ ...base, name: 'orders_swim_node-v', port: 1004, txt: { v: '1', cluster: 'orders', node: 'node-v', kind: 'swim', port: '1004', ports: 'swim:1004', proto: '1' } })
    await waitFor(() => a.peers().length === 1, { timeoutMs: 10_000, what: 'the one valid record' })
    await waitFor(() => a.stats().ignored.malformed === 3 && a.stats().ignored.version === 1, { timeoutMs: 10_000, what: 'the bad records counted' })
    expect(a.peers().map(p => p.nodeId)).to.deep.equal(['node-v'])
    expect(a.peers()[0]?.port).to.equal(1004)
    expect(a.status).to.equal('started')
  })

  it('stop() says goodbye, so peers lose its records at once, and closes its socket', async () => {
    const a = node('node-a', '10.0.0.1')
    const b = node('node-b', '10.0.0.2')
    await Promise.all([a.start(), b.start()])
    await waitFor(() => a.peers().length === 2, { timeoutMs: 10_000, what: 'node-b found' })
    const lost: string[] = []
    a.addEventListener('peer:lost', e => { lost.push(e.detail.instance) })
    await b.stop()
    expect(network.openSockets).to.equal(1)
    await waitFor(() => lost.length === 2, { timeoutMs: 10_000, what: 'the goodbyes' })
    expect(lost.sort()).to.deep.equal(['orders_mgmt_node-b', 'orders_swim_node-b'])
    expect(a.peers()).to.deep.equal([])
    expect(a.stats()).to.deep.include({ found: 2, lost: 2 })
    await a.stop()
    expect(network.openSockets).to.equal(0)
  })

  it('events() yields found and lost peers in order', async () => {
    const a = node('node-a', '10.0.0.1', { records: {}, nodeId: 'watcher' })
    await a.start()
    const controller = new AbortController()
    const seen: string[] = []
    const reading = (async () => {
      for await (const { type, detail } of a.events({ signal: controller.signal })) {
        seen.push(`${type} ${detail.instance}`)
        if (type === 'peer:lost') controller.abort()
      }
    })().then(() => undefined, (e: unknown) => e)
    const b = node('node-b', '10.0.0.2', { records: { swim: 7946 } })
    await b.start()
    await waitFor(() => seen.length === 1, { timeoutMs: 10_000, what: 'peer:found' })
    await b.stop()
    expect(await reading).to.be.instanceOf(AbortError)
    expect(seen).to.deep.equal(['peer:found orders_swim_node-b', 'peer:lost orders_swim_node-b'])
  })

  it('discover() browses for the given time and returns the peers seen', async () => {
    const b = node('node-b', '10.0.0.2', { records: { swim: 7946 } })
    await b.start()
    const a = node('node-a', '10.0.0.1')
    await a.start()
    const peers = await a.discover({ timeoutMs: 300 })
    expect(peers.map(p => p.instance)).to.deep.equal(['orders_swim_node-b'])
  })

  it('discoverPeers() finds a cluster without publishing and closes its socket', async () => {
    const b = node('node-b', '10.0.0.2', { records: { swim: 7946 } })
    await b.start()
    const peers = await discoverPeers({ createSocket: () => network.createSocket('10.0.0.7') }, { clusterName: 'orders' }, { timeoutMs: 300 })
    expect(peers.map(p => `${p.nodeId}:${p.port}`)).to.deep.equal(['node-b:7946'])
    expect(network.openSockets).to.equal(1)
  })

  it('discover() needs a started zeroconf and stops waiting when aborted', async () => {
    const a = node('node-a', '10.0.0.1')
    let err = await a.discover().then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(NotStartedError)
    await a.start()
    const controller = new AbortController()
    const pending = a.discover({ timeoutMs: 60_000, signal: controller.signal })
    controller.abort()
    err = await pending.then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(AbortError)
  })

  it('start and stop are idempotent and a stopped zeroconf publishes again', async () => {
    const a = node('node-a', '10.0.0.1')
    const b = node('node-b', '10.0.0.2', { records: { swim: 7946 } })
    await Promise.all([a.start(), a.start()])
    await b.start()
    await waitFor(() => a.peers().length === 1, { timeoutMs: 10_000, what: 'node-b found' })
    await Promise.all([b.stop(), b.stop()])
    await waitFor(() => a.peers().length === 0, { timeoutMs: 10_000, what: 'node-b lost' })
    await b.start()
    await waitFor(() => a.peers().length === 1, { timeoutMs: 10_000, what: 'node-b found again' })
    expect(a.stats()).to.deep.include({ found: 2, lost: 1 })
  })

  it('a second node with the same id fails to start with ZeroconfConflictError and leaves the first one\'s records alone', async () => {
    const a = node('node-a', '10.0.0.1')
    const watcher = node('watcher', '10.0.0.2', { records: {} })
    await Promise.all([a.start(), watcher.start()])
    await waitFor(() => watcher.peers().length === 2, { timeoutMs: 10_000, what: 'node-a found' })
    const twin = node('node-a', '10.0.0.3')
    const logged: unknown[] = []
    const log = console.log
    console.log = (...args: unknown[]) => { logged.push(...args) } // bonjour-service reports the conflict on console.log
    let err: unknown
    try {
      err = await twin.start().then(() => undefined, (e: unknown) => e)
    } finally {
      console.log = log
    }
    expect(err).to.be.instanceOf(ZeroconfConflictError)
    expect(String(logged[0])).to.include('already in use')
    expect(twin.status).to.equal('stopped')
    await a.discover({ timeoutMs: 200 })
    expect(watcher.peers().map(p => p.addresses[0])).to.deep.equal(['10.0.0.1', '10.0.0.1'])
    expect(watcher.stats().lost).to.equal(0)
  })

  it('stop() cancels its timers, also after a start that was aborted while probing', async () => {
    const clock = new ManualClock()
    const make = (): Zeroconf => {
      const z = new Zeroconf({ clock, createSocket: () => network.createSocket('10.0.0.1') }, { clusterName: 'orders', nodeId: 'node-a', records: { swim: 7946 }, addresses: ['10.0.0.1'] })
      started.push(z)
      return z
    }
    const a = make()
    await a.start()
    expect(clock.pending).to.equal(1)
    await a.stop()
    expect(clock.pending).to.equal(0)
    const b = make()
    const controller = new AbortController()
    const starting = b.start({ signal: controller.signal })
    await waitFor(() => clock.pending === 1, { timeoutMs: 5_000, what: 'the publish timeout armed' })
    controller.abort()
    expect(await starting.then(() => undefined, (e: unknown) => e)).to.be.instanceOf(AbortError)
    expect(b.status).to.equal('stopped')
    expect(clock.pending).to.equal(0)
  })

  it('start() rejects with the socket\'s bind error and leaves nothing open', async () => {
    let closed = 0
    const z = new Zeroconf({
      createSocket: () => {
        const socket = network.createSocket('10.0.0.1')
        const close = socket.close.bind(socket)
        socket.close = ((callback?: () => void) => { closed++; return close(callback) }) as MdnsSocket['close']
        socket.bind = ((): MdnsSocket => {
          setImmediate(() => { (socket as unknown as EventEmitter).emit('error', Object.assign(new Error('bind EADDRINUSE'), { code: 'EADDRINUSE' })) })
          return socket
        }) as MdnsSocket['bind']
        return socket
      }
    }, { clusterName: 'orders', nodeId: 'node-a', records: { swim: 7946 } })
    started.push(z)
    const err = await z.start().then(() => undefined, (e: unknown) => e)
    expect((err as NodeJS.ErrnoException).code).to.equal('EADDRINUSE')
    expect(z.status).to.equal('stopped')
    expect(closed).to.equal(1)
  })

  it('rejects invalid options with InvalidConfigError naming the option', () => {
    const make = (init: ZeroconfInit): Zeroconf => new Zeroconf({}, init)
    const option = (init: ZeroconfInit): string => {
      try {
        make(init)
      } catch (err) {
        if (err instanceof InvalidConfigError) return err.option
        throw err
      }
      return 'none'
    }
    expect(option({ clusterName: 'bad_name', nodeId: 'a' })).to.equal('clusterName')
    expect(option({ clusterName: 'orders', records: { swim: 1 } })).to.equal('nodeId')
    expect(option({ clusterName: 'orders', nodeId: 'a.b', records: { swim: 1 } })).to.equal('nodeId')
    expect(option({ clusterName: 'orders', nodeId: 'a', records: { Swim: 1 } })).to.equal('records')
    expect(option({ clusterName: 'orders', nodeId: 'a', records: { swim: 70_000 } })).to.equal('records')
    expect(option({ clusterName: 'orders', nodeId: 'n'.repeat(60), records: { swim: 1 } })).to.equal('nodeId')
    expect(option({ clusterName: 'orders', nodeId: 'a', protocolVersion: 0 })).to.equal('protocolVersion')
    expect(option({ clusterName: 'orders', nodeId: 'a', addresses: ['node-a'] })).to.equal('addresses')
    expect(option({ clusterName: 'orders', nodeId: 'a', interface: 'lo' })).to.equal('interface')
    expect(option({ clusterName: 'orders', nodeId: 'a', host: 'bad host' })).to.equal('host')
    expect(option({ clusterName: 'orders', nodeId: 'a', queryIntervalMs: 0 })).to.equal('queryIntervalMs')
    expect(option({ clusterName: 'orders' })).to.equal('none')
  })
})
