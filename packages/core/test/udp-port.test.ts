import { expect } from 'chai'
import { waitFor } from '../src/abort.js'
import type { PortAddress } from '../src/packet-port.js'
import { udpPorts } from '../src/udp-port.js'

describe('udpPorts, the real packet port', () => {
  it('delivers a datagram with the address it came from, and nothing after close', async () => {
    const a = await udpPorts.bind('127.0.0.1', 0)
    const b = await udpPorts.bind('127.0.0.1', 0)
    const got: Array<{ text: string, from: PortAddress }> = []
    b.onMessage((bytes, from) => { got.push({ text: bytes.toString('utf8'), from: { ...from } }) })
    a.send(Buffer.from('hello'), '127.0.0.1', b.address.port)
    await waitFor(() => got.length === 1, { timeoutMs: 5000 })
    expect(got[0]).to.deep.equal({ text: 'hello', from: { host: '127.0.0.1', port: a.address.port } })
    await b.close()
    await b.close()
    a.send(Buffer.from('late'), '127.0.0.1', b.address.port)
    await a.close()
    expect(got).to.have.length(1)
  })

  it('refuses a bound address with EADDRINUSE', async () => {
    const a = await udpPorts.bind('127.0.0.1', 0)
    try {
      const err = await udpPorts.bind('127.0.0.1', a.address.port).then(() => undefined, (e: NodeJS.ErrnoException) => e)
      expect(err?.code).to.equal('EADDRINUSE')
    } finally {
      await a.close()
    }
  })

  it('reports a failed send to the error handler instead of throwing', async () => {
    const a = await udpPorts.bind('127.0.0.1', 0)
    const errors: Error[] = []
    a.onError(err => { errors.push(err) })
    a.send(Buffer.from('x'), 'not-an-ip', 9)
    await waitFor(() => errors.length > 0, { timeoutMs: 5000 })
    await a.close()
    expect(errors[0]?.message).to.match(/not an IP address/)
  })
})
