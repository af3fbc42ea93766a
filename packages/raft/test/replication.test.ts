import { expect } from 'chai'
import { SeededRandom } from '@clusterfunk/core'
import { RaftCore, entrySize, type AppendEntriesRequest, type Message } from '../src/index.js'
import { Network, bytes } from './helpers/network.js'
import { storageWithLog, termsOf } from './helpers/logs.js'

function appendsIn (net: Network, from: string): AppendEntriesRequest[] {
  return net.node(from).readies.flatMap(rd => rd.messages).filter((m): m is AppendEntriesRequest => m.type === 'appendEntries')
}

describe('log replication (Raft §5.3)', () => {
  it('a committed entry reaches every follower and is applied everywhere in the same order', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    for (const x of ['x', 'y', 'z']) net.propose('a', x)
    for (const id of ['a', 'b', 'c']) expect(net.appliedData(id)).to.deep.equal(['x', 'y', 'z'])
  })

  it('a new commit index is not broadcast on its own: the next append carries it', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.core('a').propose(bytes('x'))
    net.processReady('a')
    net.deliverQueued() // the appends
    net.deliverQueued() // the answers: 'x' commits on the leader
    expect(net.appliedData('a')).to.deep.equal(['x'])
    expect(net.queue.filter(m => m.type === 'appendEntries')).to.deep.equal([])
    expect(net.core('a').commitFlushDue()).to.equal(true)
    net.core('a').propose(bytes('y'))
    net.processReady('a')
    const carried = net.queue.filter((m): m is AppendEntriesRequest => m.type === 'appendEntries')
    expect(carried.map(m => [m.to, m.commit, m.entries.length])).to.have.deep.members([['b', 2, 1], ['c', 2, 1]])
    expect(net.core('a').commitFlushDue()).to.equal(false)
  })

  it('a commit index no append carries goes out in one flush, and followers apply it', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.core('a').propose(bytes('x'))
    net.processReady('a')
    net.deliverQueued()
    net.deliverQueued()
    expect(net.appliedData('b')).to.deep.equal([])
    net.core('a').flushCommit()
    net.processReady('a')
    const flush = net.queue.filter((m): m is AppendEntriesRequest => m.type === 'appendEntries')
    expect(flush.map(m => [m.to, m.commit, m.entries.length])).to.have.deep.members([['b', 2, 0], ['c', 2, 0]])
    expect(net.core('a').commitFlushDue()).to.equal(false)
    net.stabilize()
    for (const id of ['b', 'c']) expect(net.appliedData(id)).to.deep.equal(['x'])
  })

  it('a proposal on a follower is refused with the leader hint', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    const result = net.core('b').propose(bytes('x'))
    expect(result.ok).to.equal(false)
    if (result.ok) return
    expect(result.error.name).to.equal('NotLeaderError')
    expect(result.error).to.include({ leaderId: 'a', leaderAddress: 'a:7000' })
  })

  it('divergent follower logs are repaired to the leader\'s (Figure 7)', () => {
    const voters = ['l', 'a', 'b', 'c', 'd', 'e', 'f']
    const logs: Record<string, number[]> = {
      l: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6],
      a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
      b: [1, 1, 1, 4],
      c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      e: [1, 1, 1, 4, 4, 4, 4],
      f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]
    }
    const net = new Network(3)
    for (const id of voters) net.add(id, storageWithLog(voters, logs[id] as number[], 7), { preVote: false })
    net.elect('l')
    expect(net.core('l').status()).to.include({ role: 'leader', term: 8 })
    const expected = [...(logs.l as number[]), 8]
    for (const id of voters) expect(termsOf(net.node(id).storage), id).to.deep.equal(expected)
    expect(net.core('f').status().commit).to.equal(11)
  })

  it('the conflict hint lets the leader skip a whole divergent term in one round trip', () => {
    const voters = ['a', 'b', 'c']
    const net = new Network(5)
    net.add('a', storageWithLog(voters, [1, 2, 2, 2, 2], 3), { preVote: false })
    net.add('b', storageWithLog(voters, [1, 3, 3, 3, ...new Array<number>(40).fill(3)], 3), { preVote: false })
    net.add('c', storageWithLog(voters, [1, 2, 2, 2, 2], 3), { preVote: false })
    net.isolate('b')
    net.elect('a')
    net.heal()
    net.run(2)
    const rejections = net.node('b').readies.flatMap(rd => rd.messages).filter(m => m.type === 'appendEntriesResponse' && !m.success)
    expect(rejections.length).to.be.at.most(2)
    expect(termsOf(net.node('b').storage)).to.deep.equal([1, 2, 2, 2, 2, 4])
  })

  it('a follower truncates a conflicting suffix and keeps entries that match', () => {
    const core = new RaftCore({ id: 'b', storage: storageWithLog(['a', 'b'], [1, 1, 2, 2], 2), random: new SeededRandom(1) })
    core.step({ type: 'appendEntries', from: 'a', to: 'b', term: 3, prevLogIndex: 2, prevLogTerm: 1, entries: [{ index: 3, term: 3, type: 'normal', data: bytes('n') }], commit: 0 })
    const rd = core.ready()
    expect(rd.entries.map(e => [e.index, e.term])).to.deep.equal([[3, 3]])
    expect(rd.messages[0]).to.include({ type: 'appendEntriesResponse', success: true, matchIndex: 3 })
    expect(core.status().lastIndex).to.equal(3)
  })

  it('a follower rejects entries that do not follow a matching entry, with a hint', () => {
    const core = new RaftCore({ id: 'b', storage: storageWithLog(['a', 'b'], [1, 2, 2, 2], 2), random: new SeededRandom(1) })
    core.step({ type: 'appendEntries', from: 'a', to: 'b', term: 3, prevLogIndex: 4, prevLogTerm: 3, entries: [], commit: 0 })
    core.step({ type: 'appendEntries', from: 'a', to: 'b', term: 3, prevLogIndex: 9, prevLogTerm: 3, entries: [], commit: 0 })
    const responses = core.ready().messages
    expect(responses[0]).to.include({ success: false, rejectedIndex: 4, conflictTerm: 2, conflictIndex: 2 })
    expect(responses[1]).to.include({ success: false, rejectedIndex: 9, conflictTerm: 0, conflictIndex: 5 })
  })

  it('a leader never overwrites or deletes entries of its own log', () => {
    const voters = ['a', 'b', 'c']
    const net = new Network(2)
    net.add('a', storageWithLog(voters, [1, 1, 2], 2), { preVote: false })
    net.add('b', storageWithLog(voters, [1, 1, 3], 3), { preVote: false, checkQuorum: false })
    net.add('c', storageWithLog(voters, [1], 3), { preVote: false })
    net.elect('b')
    expect(net.core('b').status().role).to.equal('leader')
    const before = termsOf(net.node('b').storage)
    // The deposed-term log of a arrives as a stale leader's append: b keeps its log.
    net.core('b').step({ type: 'appendEntries', from: 'a', to: 'b', term: 2, prevLogIndex: 2, prevLogTerm: 1, entries: [{ index: 3, term: 2, type: 'normal', data: bytes('old') }], commit: 3 })
    net.stabilize()
    expect(termsOf(net.node('b').storage).slice(0, before.length)).to.deep.equal(before)
    expect(termsOf(net.node('a').storage)).to.deep.equal(termsOf(net.node('b').storage))
  })

  it('a new leader holds every committed entry (leader completeness, §5.4)', () => {
    const net = Network.create(['a', 'b', 'c', 'd', 'e'], { electionTicks: 5 }, 11)
    net.elect('a')
    net.partition(['a', 'b', 'c'], ['d', 'e'])
    const index = net.propose('a', 'kept')
    expect(net.core('a').status().commit).to.equal(index)
    net.heal()
    net.isolate('a')
    net.run(40)
    const leader = net.leader()
    expect(leader).to.be.oneOf(['b', 'c'])
    expect(net.appliedData(leader as string)).to.include('kept')
  })
})

describe('commitment (Raft §5.4.2, Figure 8)', () => {
  interface Fig8 { s1: RaftCore, persist: () => void }

  function figure8Leader (): Fig8 {
    // s1 holds (1,1) and (2,2) — index 2 written in term 2 — and is elected in term 4.
    const storage = storageWithLog(['s1', 's2', 's3', 's4', 's5'], [1, 2], 3, 1)
    const s1 = new RaftCore({ id: 's1', storage, random: new SeededRandom(1), preVote: false })
    s1.campaign()
    for (const from of ['s2', 's3']) s1.step({ type: 'voteResponse', from, to: 's1', term: 4, granted: true })
    expect(s1.status()).to.include({ role: 'leader', term: 4 })
    const persist = (): void => {
      const rd = s1.ready()
      storage.append(rd.entries)
      if (rd.hardState !== undefined) storage.setHardState(rd.hardState)
      s1.advance()
    }
    return { s1, persist }
  }

  function ack (core: RaftCore, from: string, matchIndex: number): void {
    core.step({ type: 'appendEntriesResponse', from, to: 's1', term: 4, success: true, matchIndex, rejectedIndex: 0, conflictTerm: 0, conflictIndex: 0 })
  }

  it('an entry of an earlier term on a majority is not committed by counting replicas', () => {
    const { s1, persist } = figure8Leader()
    persist()
    ack(s1, 's2', 2)
    ack(s1, 's3', 2)
    expect(s1.status().commit).to.equal(1)
  })

  it('it commits once an entry of the current term after it reaches a majority', () => {
    const { s1, persist } = figure8Leader()
    persist()
    ack(s1, 's2', 3)
    expect(s1.status().commit).to.equal(1)
    ack(s1, 's3', 3)
    expect(s1.status().commit).to.equal(3)
  })

  it('a leader counts its own entries only once they are persisted', () => {
    const { s1, persist } = figure8Leader()
    ack(s1, 's2', 3)
    ack(s1, 's3', 3)
    expect(s1.status().commit, 'two followers without the leader are no majority of 5').to.equal(1)
    persist()
    expect(s1.status().commit).to.equal(3)
  })

  it('a candidate with the earlier-term entry cannot overwrite it once it is committed', () => {
    const net = new Network(8)
    const voters = ['s1', 's2', 's3', 's4', 's5']
    for (const id of ['s1', 's2', 's3']) net.add(id, storageWithLog(voters, [1, 2], 3, 1), { preVote: false })
    net.add('s4', storageWithLog(voters, [1], 3, 1), { preVote: false })
    net.add('s5', storageWithLog(voters, [1, 3], 3, 1), { preVote: false, checkQuorum: false })
    net.isolate('s5')
    net.elect('s1')
    expect(net.core('s1').status().commit).to.equal(3)
    net.heal()
    net.isolate('s1')
    net.core('s5').campaign()
    net.run(150)
    expect(net.node('s5').softStates.map(s => s.role)).to.not.include('leader')
    for (const id of ['s2', 's3', 's4', 's5']) expect(termsOf(net.node(id).storage).slice(0, 3), id).to.deep.equal([1, 2, 4])
  })
})

describe('flow control and batching', () => {
  it('AppendEntries respect maxEntriesPerMsg and maxBytesPerMsg', () => {
    const net = Network.create(['a', 'b', 'c'], { maxEntriesPerMsg: 3, maxBytesPerMsg: 100 })
    net.elect('a')
    net.isolate('c')
    // 17-byte entries are limited by count (3 a message), 76-byte ones by size (1 a message).
    for (let i = 0; i < 20; i++) net.propose('a', 's')
    for (let i = 0; i < 10; i++) net.propose('a', 'b'.repeat(60))
    net.heal()
    net.run(5)
    const appends = appendsIn(net, 'a').filter(m => m.to === 'c')
    expect(appends.some(m => m.entries.length === 3)).to.equal(true)
    expect(appends.some(m => m.entries.length === 1 && (m.entries[0]?.data.length ?? 0) === 60)).to.equal(true)
    for (const m of appends) {
      expect(m.entries.length).to.be.at.most(3)
      if (m.entries.length > 1) expect(m.entries.reduce((n, e) => n + entrySize(e), 0)).to.be.at.most(100)
    }
    expect(net.appliedData('c')).to.have.length(30)
  })

  it('at most maxInflight AppendEntries are in flight to a follower', () => {
    const net = Network.create(['a', 'b'], { maxInflight: 2, maxEntriesPerMsg: 1 })
    net.elect('a')
    for (let i = 0; i < 10; i++) expect(net.core('a').propose(bytes(`p${i}`)).ok).to.equal(true)
    net.processAllReady()
    const inFlight = net.queue.filter((m: Message) => m.type === 'appendEntries' && m.to === 'b' && m.entries.length > 0)
    expect(inFlight).to.have.length(2)
    net.stabilize()
    expect(net.appliedData('b')).to.have.length(10)
  })

  it('a follower reported unreachable goes back to probing', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    expect(net.core('a').status().progress.get('b')?.state).to.equal('replicate')
    net.core('a').reportUnreachable('b')
    expect(net.core('a').status().progress.get('b')?.state).to.equal('probe')
    net.propose('a', 'x')
    expect(net.appliedData('b')).to.deep.equal(['x'])
  })

  it('a heartbeat answer resumes a lost probe only once the probe is a tick old', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    const leader = net.core('a')
    leader.reportUnreachable('b') // b is probed again
    net.queue = []
    leader.propose(bytes('x'))
    net.processReady('a')
    const probesToB = (): number => net.queue.filter(m => m.type === 'appendEntries' && m.to === 'b').length
    expect(probesToB()).to.equal(1)
    net.queue = [] // the probe is lost
    const term = leader.status().term
    leader.step({ type: 'heartbeatResponse', from: 'b', to: 'a', term, readSeq: 0 })
    net.processReady('a')
    expect(probesToB()).to.equal(0) // heartbeat rounds for reads come many times a tick: no resend yet
    net.tick('a')
    leader.step({ type: 'heartbeatResponse', from: 'b', to: 'a', term, readSeq: 0 })
    net.processReady('a')
    expect(probesToB()).to.equal(1)
  })

  it('heartbeat answers from a follower with every entry in flight cause one empty append a tick, not one each', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    const leader = net.core('a')
    net.queue = []
    leader.propose(bytes('x'))
    net.processReady('a')
    const appendsToB = (): number => net.queue.filter(m => m.type === 'appendEntries' && m.to === 'b').length
    expect(appendsToB()).to.equal(1)
    net.queue = [] // 'x' is on its way (or lost): b has not answered
    const term = leader.status().term
    for (let i = 0; i < 5; i++) leader.step({ type: 'heartbeatResponse', from: 'b', to: 'a', term, readSeq: 0 })
    net.processReady('a')
    expect(appendsToB()).to.equal(1) // one empty append finds a lost entry; four more in the same tick would find nothing new
    net.queue = []
    net.tick('a')
    leader.step({ type: 'heartbeatResponse', from: 'b', to: 'a', term, readSeq: 0 })
    net.processReady('a')
    expect(appendsToB()).to.equal(1)
  })

  it('a follower in replicate state is probed again after a lost append', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.dropTypes.add('appendEntries')
    net.core('a').propose(bytes('lost'))
    net.stabilize()
    net.dropTypes.clear()
    net.run(3)
    for (const id of ['a', 'b', 'c']) expect(net.appliedData(id)).to.deep.equal(['lost'])
  })
})

describe('snapshots (Raft §7)', () => {
  it('a follower whose entries were compacted away gets a snapshot and then the rest of the log', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.isolate('c')
    for (let i = 0; i < 10; i++) net.propose('a', `v${i}`)
    net.compact('a', 8)
    net.heal()
    net.propose('a', 'after')
    net.run(3)
    const snapshots = net.node('a').readies.flatMap(rd => rd.messages).filter(m => m.type === 'installSnapshot')
    expect(snapshots.map(m => m.to)).to.deep.equal(['c'])
    expect(net.node('c').storage.firstIndex()).to.equal(9)
    expect(net.appliedData('c')).to.deep.equal(net.appliedData('a'))
    expect(net.core('a').status().progress.get('c')).to.include({ state: 'replicate', match: 12 })
  })

  it('a follower restores the snapshot before applying the entries after it', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.isolate('c')
    for (let i = 0; i < 5; i++) net.propose('a', `v${i}`)
    net.compact('a', 6)
    net.heal()
    net.run(3)
    const withSnapshot = net.node('c').readies.find(rd => rd.snapshot !== undefined)
    expect(withSnapshot?.snapshot?.index).to.equal(6)
    expect(withSnapshot?.committedEntries.every(e => e.index > 6)).to.equal(true)
  })

  it('a lost snapshot is retried', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.isolate('c')
    for (let i = 0; i < 5; i++) net.propose('a', `v${i}`)
    net.compact('a', 6)
    net.heal()
    net.dropTypes.add('installSnapshot')
    net.run(3)
    expect(net.core('c').status().commit).to.be.below(6)
    net.dropTypes.clear()
    net.run(3)
    expect(net.appliedData('c')).to.deep.equal(net.appliedData('a'))
  })
})
