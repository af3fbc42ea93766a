import { expect } from 'chai'
import { TimeoutError } from '@clusterfunk/core'
import { ConnectionError, Simulation, SimRpc, StreamNetwork } from '../src/index.js'

describe('SimRpc', () => {
  it('answers a request with the handler reply', async () => {
    const sim = new Simulation()
    const rpc = new SimRpc(sim, new StreamNetwork(sim))
    rpc.serve('b:80', async (req, from) => {
      await new Promise<void>(resolve => { sim.setTimeout(resolve, 10) })
      return Uint8Array.from([...req, from.length])
    })
    const reply = await sim.resolve(rpc.request('a', 'b:80', Uint8Array.from([1, 2]), { timeoutMs: 1_000 }), { maxMs: 2_000 })
    expect([...reply]).to.deep.equal([1, 2, 1])
  })

  it('rejects with TimeoutError when the reply does not come in time', async () => {
    const sim = new Simulation()
    const rpc = new SimRpc(sim, new StreamNetwork(sim))
    rpc.serve('b:80', async () => await new Promise<Uint8Array>(() => {}))
    let caught: unknown
    try { await sim.resolve(rpc.request('a', 'b:80', new Uint8Array(1), { timeoutMs: 100 }), { maxMs: 1_000 }) } catch (err) { caught = err }
    expect(caught).to.be.instanceOf(TimeoutError)
    expect(sim.now()).to.equal(100)
  })

  it('rejects with a reset when the handler throws', async () => {
    const sim = new Simulation()
    const rpc = new SimRpc(sim, new StreamNetwork(sim))
    rpc.serve('b:80', () => { throw new Error('boom') })
    let caught: unknown
    try { await sim.resolve(rpc.request('a', 'b:80', new Uint8Array(1), { timeoutMs: 100 }), { maxMs: 1_000 }) } catch (err) { caught = err }
    expect(caught).to.be.instanceOf(ConnectionError).with.property('code', 'ECONNRESET')
  })
})
