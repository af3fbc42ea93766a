import { expect } from 'chai'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { freePorts } from '../src/testing.js'

describe('freePorts', () => {
  it('returns distinct ports outside the ephemeral range that a node can bind for TCP and UDP', async () => {
    const ports = await freePorts(3)
    expect(new Set(ports).size).to.equal(3)
    for (const port of ports) {
      expect(port).to.be.within(10_000, 65_535)
      const tcp = createServer()
      await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(port, '127.0.0.1', resolve) })
      const udp = createSocket('udp4')
      await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(port, '127.0.0.1', resolve) })
      await new Promise<void>(resolve => { udp.close(() => { resolve() }) })
      await new Promise<void>(resolve => { tcp.close(() => { resolve() }) })
    }
  })
})
