import { expect } from 'chai'
import { managementSource, type ClusterCommands, type ClusterReadModel } from '../src/index.js'
import { MemoryCluster } from '../src/testing.js'

describe('managementSource: a read model and commands joined', () => {
  const cluster = (): MemoryCluster => new MemoryCluster({ name: 'm', nodes: ['a', 'b', 'c'], shardCount: 30 })

  it('answers reads from the read model and commands from the commands object', async () => {
    const memory = cluster()
    const read: ClusterReadModel = memory.source('a')
    const asked: string[] = []
    const commands: ClusterCommands = {
      addNode: async request => { asked.push(`add ${request.id}`) },
      removeNode: async id => { asked.push(`remove ${id}`) },
      stepDown: async () => { asked.push('step down') }
    }
    const source = managementSource(read, commands)
    expect((await source.status()).nodeId).to.equal('a')
    expect((await source.shards()).nodes.map(n => n.shards)).to.deep.equal([10, 10, 10])
    await source.addNode({ id: 'd', address: '127.0.0.1:7000' })
    await source.removeNode('c')
    await source.stepDown()
    expect(asked).to.deep.equal(['add d', 'remove c', 'step down'])
    // Neither side was touched by the other's calls.
    expect((await read.nodes()).map(n => n.id)).to.deep.equal(['a', 'b', 'c'])
  })

  it('takes acks only when the commands do', async () => {
    const read = cluster().source('a')
    const none = managementSource(read, { addNode: async () => {}, removeNode: async () => {}, stepDown: async () => {} })
    expect(none.ackShardMap).to.equal(undefined)
    const acked: Array<[string, number]> = []
    const some = managementSource(read, {
      addNode: async () => {}, removeNode: async () => {}, stepDown: async () => {}, ackShardMap: async (nodeId, version) => { acked.push([nodeId, version]) }
    })
    await some.ackShardMap?.('b', 3)
    expect(acked).to.deep.equal([['b', 3]])
  })

  it('a MemoryCluster node is both a read model and its commands, as a Cluster node is', async () => {
    const node = cluster().source('a')
    const read: ClusterReadModel = node
    const commands: ClusterCommands = node
    await commands.removeNode('c')
    expect((await read.nodes()).map(n => n.id)).to.deep.equal(['a', 'b'])
  })
})
