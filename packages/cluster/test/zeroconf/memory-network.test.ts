import { expect } from 'chai'
import { ManualClock } from '@clusterfunk/core'
import { MemoryMulticastNetwork } from '../../src/zeroconf/memory-network.js'

describe('MemoryMulticastNetwork', () => {
  it('delivers on its clock: nothing arrives until the clock runs what was deferred', () => {
    const clock = new ManualClock()
    const net = new MemoryMulticastNetwork(clock)
    const a = net.createSocket('10.0.0.1') as unknown as { bind: (port: number) => void, send: (msg: Buffer, offset: number, length: number, port: number, address: string) => void }
    const b = net.createSocket('10.0.0.2') as unknown as { bind: (port: number) => void, on: (event: string, listener: (data: Buffer, rinfo: { address: string }) => void) => void }
    a.bind(5353)
    b.bind(5353)
    const got: string[] = []
    b.on('message', (data, rinfo) => { got.push(`${data.toString('utf8')} from ${rinfo.address}`) })
    a.send(Buffer.from('hello'), 0, 5, 5353, '224.0.0.251')
    expect(got).to.deep.equal([])
    expect(clock.pending).to.be.greaterThan(0)
    clock.advance(0)
    expect(got).to.deep.equal(['hello from 10.0.0.1'])
    expect(net.datagrams).to.equal(1)
  })
})
