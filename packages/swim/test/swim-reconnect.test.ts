import { expect } from 'chai'
import { systemClock, waitFor } from '@clusterfunk/core'
import { Swim } from '../src/index.js'
import { fastInit, startCluster, stopAll } from './swim-helpers.js'

describe('Swim reconnects on real sockets', () => {
  let nodes: Swim[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('a member that failed and came back at its port without joining anyone is found again by a reconnect', async () => {
    // tombstones are gossiped to for 100 ms only: after that, only a reconnect reaches the port
    const config = { reconnectIntervalMs: 300, gossipToTheDeadTimeMs: 100 }
    nodes = await startCluster(3, 'r', { config })
    const [a, b, victim] = nodes as [Swim, Swim, Swim]
    const port = victim.port()
    await victim.stop()
    await waitFor(() => [a, b].every(n => n.member('r2')?.status === 'dead'), { timeoutMs: 15_000, what: 'r2 to be declared failed' })
    const diedAt = a.member('r2')?.incarnation ?? 0
    const gossipedToUntil = (n: Swim): number => (n.member('r2')?.statusChangedAt ?? Infinity) + config.gossipToTheDeadTimeMs
    await waitFor(() => [a, b].every(n => gossipedToUntil(n) < systemClock.now()), { timeoutMs: 5000, what: 'gossip to the dead r2 to end' })
    // restarted at the same port with a fresh state: it knows no one and joins no one
    const back = new Swim({}, fastInit('r2', { port, config }))
    nodes.push(back)
    await back.start()
    expect(back.members().map(m => m.id)).to.deep.equal(['r2'])
    await waitFor(() => [a, b].every(n => n.member('r2')?.status === 'alive') && back.members().length === 3, { timeoutMs: 15_000, what: 'a reconnect to bring r2 back' })
    // it learnt it had been declared dead and refuted above that incarnation
    expect(a.member('r2')?.incarnation).to.be.greaterThan(diedAt)
    expect(back.members().every(m => m.status === 'alive')).to.equal(true)
  })
})
