import { expect } from 'chai'
import { waitFor } from '../src/abort.js'
import { MemoryMetrics } from '../src/metrics.js'
import type { StreamConnection } from '../src/stream-port.js'
import { tcpPorts } from '../src/tcp-port.js'

describe('tcpPorts, the real stream port', () => {
  it('carries bytes both ways; end() delivers everything before the peer sees the close', async () => {
    const served: string[] = []
    const listener = await tcpPorts.listen({ part: 'test', host: '127.0.0.1', port: 0 }, (conn) => {
      conn.onData(chunk => {
        served.push(chunk.toString('utf8'))
        conn.end(Buffer.from('pong'))
      })
    })
    try {
      const conn = await tcpPorts.connect('127.0.0.1', listener.address.port)
      expect(conn.remote).to.deep.equal({ host: '127.0.0.1', port: listener.address.port })
      const replies: string[] = []
      let closed = false
      conn.onData(chunk => { replies.push(chunk.toString('utf8')) })
      conn.onClose(() => { closed = true })
      conn.write(Buffer.from('ping'))
      await waitFor(() => closed, { timeoutMs: 5000 })
      expect(served.join('')).to.equal('ping')
      expect(replies.join('')).to.equal('pong')
    } finally {
      await listener.close()
    }
  })

  it('rejects a connect to a closed port with ECONNREFUSED', async () => {
    const listener = await tcpPorts.listen({ part: 'test', host: '127.0.0.1', port: 0 }, () => {})
    const { port } = listener.address
    await listener.close()
    const err = await tcpPorts.connect('127.0.0.1', port).then(() => undefined, (e: NodeJS.ErrnoException) => e)
    expect(err?.code).to.equal('ECONNREFUSED')
  })

  it('rejects with AbortError when the signal fires before the connection opens', async () => {
    const controller = new AbortController()
    controller.abort()
    const err = await tcpPorts.connect('127.0.0.1', 9, { signal: controller.signal }).then(() => undefined, (e: Error) => e)
    expect(err?.name).to.equal('AbortError')
  })

  it('closes connections beyond the cap on accept and counts them', async () => {
    const metrics = new MemoryMetrics()
    const accepted: StreamConnection[] = []
    const listener = await tcpPorts.listen({ part: 'test', host: '127.0.0.1', port: 0, maxConnections: 1, metrics }, (conn) => { accepted.push(conn) })
    try {
      const first = await tcpPorts.connect('127.0.0.1', listener.address.port)
      await waitFor(() => accepted.length === 1, { timeoutMs: 5000 })
      const second = await tcpPorts.connect('127.0.0.1', listener.address.port)
      let secondClosed = false
      second.onClose(() => { secondClosed = true })
      await waitFor(() => secondClosed, { timeoutMs: 5000 })
      expect(listener.connections).to.equal(1)
      expect(metrics.get('clusterfunk_test_connections_refused_total', { reason: 'total' })).to.equal(1)
      first.destroy()
    } finally {
      await listener.close()
    }
  })

  it('rejects a second listener on a taken port with PortInUseError', async () => {
    const listener = await tcpPorts.listen({ part: 'test', host: '127.0.0.1', port: 0 }, () => {})
    try {
      const err = await tcpPorts.listen({ part: 'test', host: '127.0.0.1', port: listener.address.port }, () => {}).then(() => undefined, (e: Error) => e)
      expect(err?.name).to.equal('PortInUseError')
    } finally {
      await listener.close()
    }
  })
})
