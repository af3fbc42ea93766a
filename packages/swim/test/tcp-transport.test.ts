import { expect } from 'chai'
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { waitFor } from '@clusterfunk/core'
import { createSealer, encodeStreamMessage, STREAM_ACK, Swim } from '../src/index.js'
import { fastInit } from './swim-helpers.js'

const plain = createSealer({ keyring: undefined, label: undefined, sender: 'x', epoch: 1, wallNow: () => 0 })

async function open (port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port })
  await once(socket, 'connect')
  return socket
}

describe('the TCP side of Swim', () => {
  let node: Swim | undefined
  const sockets: Socket[] = []
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    await node?.stop()
    node = undefined
  })

  it('a peer claiming a frame over the limit is disconnected at once and counted as oversize', async () => {
    node = new Swim({}, fastInit('t1'))
    await node.start()
    const socket = await open(node.port())
    sockets.push(socket)
    const closed = once(socket, 'close')
    socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))
    await closed
    expect(node.stats().dropped.tcp.oversize).to.equal(1)
  })

  it('a peer that stalls in the middle of a frame is disconnected after tcpTimeoutMs and counted as a timeout', async () => {
    node = new Swim({}, fastInit('t2', { config: { tcpTimeoutMs: 200 } }))
    await node.start()
    const socket = await open(node.port())
    sockets.push(socket)
    const closed = once(socket, 'close')
    socket.write(Buffer.from([0, 0, 1, 0, 7]))
    await closed
    expect(node.stats().dropped.tcp.timeout).to.equal(1)
  })

  it('connections beyond maxConcurrentStreams are refused and counted as busy', async () => {
    node = new Swim({}, fastInit('t3', { maxConcurrentStreams: 2 }))
    await node.start()
    sockets.push(await open(node.port()), await open(node.port()))
    const third = await open(node.port())
    sockets.push(third)
    await once(third, 'close')
    expect(node.stats().dropped.tcp.busy).to.equal(1)
  })

  it('a well-framed request of a kind that is not a request is dropped as undecodable', async () => {
    node = new Swim({}, fastInit('t4'))
    await node.start()
    const socket = await open(node.port())
    sockets.push(socket)
    const closed = once(socket, 'close')
    socket.write(encodeStreamMessage(plain, STREAM_ACK, Buffer.from([8, 1]), node.address()))
    await closed
    await waitFor(() => node?.stats().dropped.tcp.decode === 1, { timeoutMs: 2000, what: 'the drop to be counted' })
    expect(node.members()).to.have.length(1)
  })
})
