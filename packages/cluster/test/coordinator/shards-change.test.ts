import { expect } from 'chai'
import { ShardMap } from '@clusterfunk/sharding'
import { ShardCoordinator, type ClusterCommand, type ShardsChange } from '../../src/index.js'

const S = 30

/** The log of a cluster whose maps go a,b,c → a,b → a,b,c → a,b → a,b,c (versions 1..5), each proposed and committed. */
function flappingLog (replicationFactor = 1): { log: ClusterCommand[], maps: ShardMap[] } {
  const sets = [['a', 'b', 'c'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a', 'b', 'c']]
  let map = ShardMap.init(S, undefined, { replicationFactor })
  const log: ClusterCommand[] = []
  const maps: ShardMap[] = []
  sets.forEach((ids, i) => {
    map = map.update(ids)
    maps.push(map)
    log.push({ type: 'propose', version: i + 1, map }, { type: 'commit', version: i + 1 })
  })
  return { log, maps }
}

function changes (c: ShardCoordinator): ShardsChange[] {
  return c.drain().shards
}

describe('ShardCoordinator shards:change', () => {
  it('a restarted node replaying its log reports only the map it starts serving, compared with nothing', () => {
    const { log, maps } = flappingLog()
    const c = new ShardCoordinator({ nodeId: 'c', shardCount: S })
    // Replay from disk: no leader contact yet, so the node serves nothing while it catches up.
    for (const command of log) c.apply(1, command)
    expect(changes(c)).to.deep.equal([])
    c.setLeaderContact(2, true)
    const last = maps[maps.length - 1] as ShardMap
    expect(c.state).to.equal('Operational')
    expect(changes(c)).to.deep.equal([{ version: 5, gained: last.shardsOf('c'), lost: [], replicaGained: [], replicaLost: [] }])
  })

  it('a node catching up with contact reports the map it serves, not every map it applies on the way', () => {
    const { log, maps } = flappingLog()
    const c = new ShardCoordinator({ nodeId: 'c', shardCount: S })
    c.setLeaderContact(0, true)
    for (const command of log) c.apply(1, command)
    // Each commit makes it Operational again in turn; what it reports chains map to map, never from nothing twice.
    const reported = changes(c)
    const gained = new Set<number>()
    for (const r of reported) {
      for (const s of r.lost) expect(gained.delete(s), `lost ${s} it never gained`).to.equal(true)
      for (const s of r.gained) {
        expect(gained.has(s), `gained ${s} twice`).to.equal(false)
        gained.add(s)
      }
    }
    expect([...gained].sort((x, y) => x - y)).to.deep.equal((maps[4] as ShardMap).shardsOf('c'))
  })

  it('while serving, reports map to map; after a gap without contact, one change against the map it served before', () => {
    const { log, maps } = flappingLog()
    const c = new ShardCoordinator({ nodeId: 'a', shardCount: S })
    c.setLeaderContact(0, true)
    for (const command of log.slice(0, 2)) c.apply(1, command)
    expect(changes(c).map(x => x.version)).to.deep.equal([1])
    c.setLeaderContact(2, false)
    for (const command of log.slice(2, 8)) c.apply(3, command)
    expect(changes(c)).to.deep.equal([])
    c.setLeaderContact(4, true)
    const before = maps[0] as ShardMap
    const after = maps[3] as ShardMap
    const [change] = changes(c)
    expect(change?.version).to.equal(4)
    expect(change?.gained).to.deep.equal(after.shardsOf('a').filter(s => !before.shardsOf('a').includes(s)))
    expect(change?.lost).to.deep.equal(before.shardsOf('a').filter(s => !after.shardsOf('a').includes(s)))
  })

  it('a shard the node lost and got back while it was not serving is reported gained: its copy may have missed writes meanwhile', () => {
    const m1 = ShardMap.init(S).update(['a', 'b'])
    const m2 = m1.update(['a', 'b', 'c']) // c takes some of a's shards…
    const m3 = m2.update(['a', 'b']) // …and hands them back when it goes
    const log: ClusterCommand[] = [m1, m2, m3].flatMap((map, i) => [{ type: 'propose', version: i + 1, map }, { type: 'commit', version: i + 1 }] as ClusterCommand[])
    const a = new ShardCoordinator({ nodeId: 'a', shardCount: S })
    a.setLeaderContact(0, true)
    for (const command of log.slice(0, 2)) a.apply(1, command)
    expect(changes(a).map(x => x.version)).to.deep.equal([1])
    a.setLeaderContact(2, false) // cut off (or starved) while c held some of its shards
    for (const command of log.slice(2)) a.apply(3, command)
    a.setLeaderContact(4, true)
    const [change] = changes(a)
    const away = m1.shardsOf('a').filter(s => !m2.shardsOf('a').includes(s) && m3.shardsOf('a').includes(s))
    expect(away.length, 'shards that left a and came back').to.be.above(0)
    expect(change?.version).to.equal(3)
    for (const s of away) expect(change?.gained, `shard ${s}`).to.include(s)
    // Shards a held throughout are not reported: its copy of them is whole.
    const kept = m1.shardsOf('a').filter(s => m2.shardsOf('a').includes(s) && m3.shardsOf('a').includes(s))
    for (const s of kept) expect(change?.gained).to.not.include(s)
  })

  it('a committed map that leaves the node out is reported once, with everything it served lost', () => {
    const { log, maps } = flappingLog()
    const c = new ShardCoordinator({ nodeId: 'c', shardCount: S })
    c.setLeaderContact(0, true)
    for (const command of log.slice(0, 2)) c.apply(1, command)
    expect(changes(c).map(x => x.version)).to.deep.equal([1])
    for (const command of log.slice(2, 4)) c.apply(2, command)
    expect(changes(c)).to.deep.equal([{ version: 2, gained: [], lost: (maps[0] as ShardMap).shardsOf('c'), replicaGained: [], replicaLost: [] }])
    expect(c.state).to.equal('Joining')
  })

  it('reports replica roles gained and lost, and the leader proposes maps with its replication factor', () => {
    const leader = new ShardCoordinator({ nodeId: 'a', shardCount: S, replicationFactor: 2 })
    leader.setCandidates(0, new Map([['a', 1], ['b', 1], ['c', 2]]))
    leader.becomeLeader(0)
    const [proposal] = leader.drain().append
    if (proposal?.type !== 'propose') throw new Error('expected a proposal')
    expect(proposal.map.replicationFactor).to.equal(2)
    expect(proposal.map.nodes().map(n => [n.id, n.shards])).to.deep.equal([['a', 8], ['b', 7], ['c', 15]])
    const b = new ShardCoordinator({ nodeId: 'b', shardCount: S, replicationFactor: 2 })
    b.setLeaderContact(0, true)
    b.apply(1, proposal)
    b.apply(2, { type: 'commit', version: 1 })
    const [first] = changes(b)
    expect(first?.gained).to.deep.equal(proposal.map.shardsOf('b'))
    expect(first?.replicaGained).to.deep.equal(proposal.map.shardsOf('b', { role: 'replica' }))
    expect(first?.replicaGained.length).to.be.greaterThan(0)
    const next = proposal.map.update(new Map([['a', 1], ['b', 1]]))
    b.apply(3, { type: 'propose', version: 2, map: next })
    b.apply(4, { type: 'commit', version: 2 })
    const [second] = changes(b)
    const had = new Set(proposal.map.shardsOf('b', { role: 'replica' }))
    const has = new Set(next.shardsOf('b', { role: 'replica' }))
    expect(second?.replicaLost).to.deep.equal([...had].filter(s => !has.has(s)))
    expect(second?.replicaGained).to.deep.equal([...has].filter(s => !had.has(s)))
  })

  it('a leader whose committed map has another replication factor proposes the map again with its own', () => {
    const old = ShardMap.init(S, ['a', 'b', 'c'])
    const leader = new ShardCoordinator({ nodeId: 'a', shardCount: S, replicationFactor: 3 })
    leader.apply(0, { type: 'propose', version: 1, map: old })
    leader.apply(0, { type: 'commit', version: 1 })
    leader.setCandidates(0, new Map([['a', 1], ['b', 1], ['c', 1]]))
    leader.becomeLeader(0)
    const [proposal] = leader.drain().append
    if (proposal?.type !== 'propose') throw new Error('expected a proposal')
    expect(proposal.map.replicationFactor).to.equal(3)
    expect([...proposal.map.owners()]).to.deep.equal([...old.owners()])
  })
})
