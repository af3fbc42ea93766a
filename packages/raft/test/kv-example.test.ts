import { waitFor } from '@clusterfunk/core'
import { expect } from 'chai'
import { MemoryLogStore, MemorySnapshotStore, Raft, readAll, type Entry, type Fsm } from '../src/index.js'
import { GrpcTransport } from '../src/grpc.js'

describe('README replicated KV example', () => {
  const nodes: Array<Raft<string | undefined>> = []
  afterEach(async () => { for (const n of nodes.splice(0)) await n.stop() })

  it('three nodes over gRPC replicate a Map and serve a linearizable read', async () => {
    // --- README example starts ---
    class MapFsm implements Fsm<string | undefined> {
      map = new Map<string, string>()
      apply (e: Entry): string | undefined {                      // command: "key=value"
        const [k, v] = new TextDecoder().decode(e.data).split('=') as [string, string]
        const before = this.map.get(k)
        this.map.set(k, v)
        return before
      }
      snapshot (): AsyncIterable<Uint8Array> {
        const bytes = new TextEncoder().encode(JSON.stringify([...this.map]))
        return (async function * () { yield bytes })()
      }
      async restore (stream: AsyncIterable<Uint8Array>): Promise<void> {
        this.map = new Map(JSON.parse(new TextDecoder().decode(await readAll(stream))) as Array<[string, string]>)
      }
    }
    const fsms: MapFsm[] = []
    for (const id of ['a', 'b', 'c']) {
      const store = new MemoryLogStore()                           // LevelStore for a durable log
      const fsm = new MapFsm()
      const raft = new Raft({ transport: new GrpcTransport(), logStore: store, stableStore: store, snapshotStore: new MemorySnapshotStore(), fsm }, { id, preset: 'fast' })
      await raft.start()
      nodes.push(raft)
      fsms.push(fsm)
    }
    const configuration = { voters: nodes.map(n => ({ id: n.id, address: n.address })), nonVoters: [] }
    for (const n of nodes) await n.bootstrap(configuration)
    const leader = await waitFor(() => nodes.find(n => n.stats().role === 'leader'), { timeoutMs: 5000 })
    await leader.apply(new TextEncoder().encode('color=red'))
    const previous = await leader.apply(new TextEncoder().encode('color=blue'))       // 'red'
    const follower = nodes.find(n => n !== leader) as Raft<string | undefined>
    const fsm = fsms[nodes.indexOf(follower)] as MapFsm
    const color = await follower.read(() => fsm.map.get('color'))                  // 'blue'
    // --- README example ends ---
    expect(previous).to.equal('red')
    expect(color).to.equal('blue')
  })
})
