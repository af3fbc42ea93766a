import { expect } from 'chai'
import { Network } from './helpers/network.js'

describe('ReadIndex (dissertation §6.4)', () => {
  it('a read is answered only after a quorum answered a heartbeat of its round', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.propose('a', 'x')
    const a = net.core('a')
    expect(a.readIndex('r1').ok).to.equal(true)
    net.processReady('a')
    expect(net.node('a').readStates).to.deep.equal([])
    const heartbeats = net.queue.filter(m => m.type === 'heartbeat')
    expect(heartbeats.map(m => m.to).sort()).to.deep.equal(['b', 'c'])
    net.stabilize()
    expect(net.node('a').readStates).to.deep.equal([{ requestId: 'r1', index: a.status().commit }])
  })

  it('answers to the newest heartbeat round confirm every older queued read', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    for (const id of ['r1', 'r2', 'r3']) net.core('a').readIndex(id)
    net.processReady('a')
    const newest = Math.max(...net.queue.map(m => m.type === 'heartbeat' ? m.readSeq : 0))
    net.queue = net.queue.filter(m => m.type === 'heartbeat' && m.readSeq === newest)
    expect(net.queue).to.have.length(2)
    net.stabilize()
    expect(net.node('a').readStates.map(r => r.requestId)).to.deep.equal(['r1', 'r2', 'r3'])
  })

  it('reads requested before the next Ready share one heartbeat round', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.queue = []
    for (const id of ['r1', 'r2', 'r3']) net.core('a').readIndex(id)
    net.processReady('a')
    expect(net.queue.filter(m => m.type === 'heartbeat').map(m => m.to).sort()).to.deep.equal(['b', 'c'])
    net.stabilize()
    expect(net.node('a').readStates.map(r => r.requestId)).to.deep.equal(['r1', 'r2', 'r3'])
  })

  it('a leader cut off from the majority never answers a read', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.isolate('a')
    net.core('a').readIndex('r1')
    net.run(5)
    expect(net.node('a').readStates).to.deep.equal([])
  })

  it('a new leader answers no read before it has committed an entry of its term', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.dropTypes.add('appendEntries')
    net.elect('a')
    net.core('a').readIndex('r1')
    net.run(2)
    expect(net.node('a').readStates).to.deep.equal([])
    net.dropTypes.clear()
    net.run(2)
    const commit = net.core('a').status().commit
    expect(commit).to.equal(1)
    expect(net.node('a').readStates).to.deep.equal([{ requestId: 'r1', index: 1 }])
  })

  it('a follower\'s read is confirmed by its leader', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.propose('a', 'x')
    expect(net.core('b').readIndex('rb').ok).to.equal(true)
    net.stabilize()
    expect(net.node('b').readStates).to.deep.equal([{ requestId: 'rb', index: net.core('a').status().commit }])
  })

  it('a node that knows no leader refuses a read', () => {
    const net = Network.create(['a', 'b', 'c'])
    const result = net.core('b').readIndex('r')
    expect(result.ok === false && result.error.name).to.equal('NotLeaderError')
  })

  it('a single voter answers a read at once', () => {
    const net = Network.create(['a'])
    net.elect('a')
    net.core('a').readIndex('r')
    net.processReady('a')
    expect(net.node('a').readStates).to.deep.equal([{ requestId: 'r', index: 1 }])
  })
})
