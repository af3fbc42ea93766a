import { expect } from 'chai'
import { EventEmitter } from 'node:events'
import dnsPacket, { type Answer } from 'dns-packet'
import { AbortError, MemoryMetrics } from '@clusterfunk/core'
import { MAX_BROWSED_RECORDS, browsePeers, encodeTxt, type MdnsSocket } from '../../src/index.js'
import { decodeTxtStrings, recordsOf } from '../../src/zeroconf/browse.js'

const SERVICE = '_clusterfunk._udp.local'

function txtStrings (txt: Record<string, string>): Buffer[] {
  return Object.entries(txt).map(([k, v]) => Buffer.from(`${k}=${v}`))
}

/** The records one node would announce for one kind. */
function announce (nodeId: string, port: number, address: string, cluster = 'orders'): Answer[] {
  const fqdn = `${cluster}_swim_${nodeId}.${SERVICE}`
  const txt = encodeTxt({ clusterName: cluster, nodeId, kind: 'swim', port, ports: { swim: port }, protocolVersion: 1 })
  return [
    { type: 'PTR', name: SERVICE, ttl: 4500, data: fqdn },
    { type: 'SRV', name: fqdn, ttl: 120, data: { target: `${nodeId}.local`, port } },
    { type: 'TXT', name: fqdn, ttl: 4500, data: txtStrings(txt) },
    { type: 'A', name: `${nodeId}.local`, ttl: 120, data: address }
  ]
}

/**
 * A socket that answers every mDNS query with `reply(query)`: packets built here with
 * dns-packet, so the browse is tested on exactly the bytes a responder could send.
 */
class AnsweringSocket extends EventEmitter {
  closed = false
  queries = 0
  constructor (private readonly reply: () => Buffer[]) { super() }
  // As a dgram socket: one closed before its bind completed never becomes listening.
  bind (_port: number, _address: string | undefined, cb: () => void): void {
    setImmediate(() => {
      if (this.closed) return
      this.emit('listening')
      cb()
    })
  }
  address (): { address: string, family: string, port: number } { return { address: '0.0.0.0', family: 'IPv4', port: 5353 } }
  send (message: Buffer, _offset: number, _length: number, _port: number, _address: string, cb: () => void): void {
    if (dnsPacket.decode(message).type === 'query') {
      this.queries++
      for (const packet of this.reply()) setImmediate(() => { this.emit('message', packet, { address: '10.0.0.9', family: 'IPv4', port: 5353, size: packet.length }) })
    }
    setImmediate(cb)
  }

  close (cb?: () => void): void { this.closed = true; cb?.() }
  addMembership (): void {}
  dropMembership (): void {}
  setMulticastTTL (): void {}
  setMulticastLoopback (): void {}
  setMulticastInterface (): void {}
}

function response (answers: Answer[]): Buffer {
  return dnsPacket.encode({ type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER, answers })
}

describe('browsePeers', () => {
  it('returns the valid records of the cluster, counts the rest, and closes its socket', async () => {
    const bad = announce('node-q', 1002, '10.0.0.4')
    bad[2] = { type: 'TXT', name: bad[1]?.name ?? '', ttl: 4500, data: [Buffer.from('v=1'), Buffer.from('cluster=orders')] }
    const socket = new AnsweringSocket(() => [
      response(announce('node-a', 7946, '10.0.0.1')),
      response([...announce('node-b', 7000, '10.0.0.2'), ...announce('node-x', 7000, '10.0.0.3', 'billing')]),
      response(bad),
      Buffer.from('not a dns packet')
    ])
    const metrics = new MemoryMetrics()
    const peers = await browsePeers({ createSocket: () => socket as unknown as MdnsSocket, metrics }, { clusterName: 'orders' }, { timeoutMs: 100 })
    expect(peers.map(p => `${p.nodeId}:${p.port}:${p.addresses.join(',')}`)).to.deep.equal(['node-a:7946:10.0.0.1', 'node-b:7000:10.0.0.2'])
    expect(metrics.get('clusterfunk_management_zeroconf_ignored_records_total', { reason: 'foreign' })).to.be.greaterThan(0)
    expect(metrics.get('clusterfunk_management_zeroconf_ignored_records_total', { reason: 'malformed' })).to.be.greaterThan(0)
    expect(socket.queries).to.equal(2)
    expect(socket.closed).to.equal(true)
  })

  it('keeps at most MAX_BROWSED_RECORDS records however many are announced', async () => {
    const flood = Array.from({ length: MAX_BROWSED_RECORDS + 50 }, (_, i) => response(announce(`n${i}`, 1000 + (i % 60_000), '10.0.0.1')))
    const socket = new AnsweringSocket(() => flood)
    const metrics = new MemoryMetrics()
    const peers = await browsePeers({ createSocket: () => socket as unknown as MdnsSocket, metrics }, { clusterName: 'orders' }, { timeoutMs: 200 })
    expect(peers).to.have.length(MAX_BROWSED_RECORDS)
    expect(metrics.get('clusterfunk_management_zeroconf_ignored_records_total', { reason: 'full' })).to.be.greaterThan(0)
  })

  it('rejects with AbortError when its signal fires, and still closes its socket', async () => {
    const socket = new AnsweringSocket(() => [])
    const controller = new AbortController()
    const pending = browsePeers({ createSocket: () => socket as unknown as MdnsSocket }, { clusterName: 'orders' }, { timeoutMs: 60_000, signal: controller.signal })
    controller.abort()
    const err = await pending.then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(AbortError)
    expect(socket.closed).to.equal(true)
  })
})

describe('reading one mDNS response', () => {
  it('forgets an instance that says goodbye (PTR with TTL 0)', () => {
    const { records, gone } = recordsOf([{ type: 'PTR', name: SERVICE, ttl: 0, data: `orders_swim_a.${SERVICE}` }], '10.0.0.1')
    expect(records).to.deep.equal([])
    expect(gone).to.deep.equal([`orders_swim_a.${SERVICE}`])
  })

  it('needs the SRV and TXT in the same packet, and falls back to no addresses without A records', () => {
    const [ptr, srv, txt] = announce('node-a', 7946, '10.0.0.1')
    expect(recordsOf([ptr as Answer, srv as Answer], '10.0.0.9').records).to.deep.equal([])
    const { records } = recordsOf([ptr as Answer, srv as Answer, txt as Answer], '10.0.0.9')
    expect(records[0]).to.deep.include({ name: 'orders_swim_node-a', port: 7946, addresses: [], referer: { address: '10.0.0.9' } })
  })

  it('ignores PTRs of other services and names that are not instances of ours', () => {
    expect(recordsOf([{ type: 'PTR', name: '_http._tcp.local', ttl: 120, data: `orders_swim_a.${SERVICE}` }], '10.0.0.1').records).to.deep.equal([])
    expect(recordsOf([{ type: 'PTR', name: SERVICE, ttl: 120, data: SERVICE }], '10.0.0.1').records).to.deep.equal([])
  })

  it('reads TXT strings as key=value at the first "=", skips empty ones, and keeps __proto__ a plain key', () => {
    const pairs = decodeTxtStrings([Buffer.from('a=b=c'), Buffer.from('x'), Buffer.from('k='), Buffer.from('=v'), Buffer.from('__proto__=p'), 42])
    expect(Object.keys(pairs).sort()).to.deep.equal(['__proto__', 'a'])
    expect(pairs.a).to.equal('b=c')
    expect(Object.getPrototypeOf(pairs)).to.equal(null)
  })
})
