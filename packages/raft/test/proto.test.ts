import { expect } from 'chai'
import { loadType } from '@clusterfunk/proto'
import type { MessageType } from '../src/index.js'

// Every `type` tag of Message; a tag missing here fails to compile (see the check below).
const TAGS: Record<MessageType, true> = {
  voteRequest: true,
  preVoteRequest: true,
  voteResponse: true,
  preVoteResponse: true,
  appendEntries: true,
  appendEntriesResponse: true,
  heartbeat: true,
  heartbeatResponse: true,
  installSnapshot: true,
  timeoutNow: true,
  readIndexRequest: true,
  readIndexResponse: true
}

describe('proto/raft.proto', () => {
  it('has one RaftMessage body case per core message type, with the same names', () => {
    const type = loadType('raft.proto', 'clusterfunk.raft.RaftMessage')
    const body = type.oneofs.body
    expect(body).to.not.equal(undefined)
    expect([...(body?.oneof ?? [])].sort()).to.deep.equal(Object.keys(TAGS).sort())
    expect(type.fields.version).to.not.equal(undefined)
  })

  it('mirrors the fields of the core types', () => {
    const fields = (name: string): string[] => Object.keys(loadType('raft.proto', `clusterfunk.raft.${name}`).fields).sort()
    expect(fields('AppendEntriesRequest')).to.deep.equal(['commit', 'entries', 'prevLogIndex', 'prevLogTerm'])
    expect(fields('AppendEntriesResponse')).to.deep.equal(['conflictIndex', 'conflictTerm', 'matchIndex', 'rejectedIndex', 'success'])
    expect(fields('Entry')).to.deep.equal(['configuration', 'data', 'index', 'term', 'type'])
    expect(fields('HardState')).to.deep.equal(['commit', 'term', 'vote'])
    expect(fields('SnapshotMetadata')).to.deep.equal(['configuration', 'index', 'term'])
    expect(fields('Configuration')).to.deep.equal(['nonVoters', 'voters'])
  })

  it('round-trips an append with a config entry', () => {
    const type = loadType('raft.proto', 'clusterfunk.raft.RaftMessage')
    const msg = {
      version: 1,
      from: 'a',
      to: 'b',
      term: 3,
      appendEntries: {
        prevLogIndex: 4,
        prevLogTerm: 2,
        commit: 4,
        entries: [{ index: 5, term: 3, type: 1, data: new Uint8Array(0), configuration: { voters: [{ id: 'a', address: 'a:1' }], nonVoters: [] } }]
      }
    }
    const decoded = type.toObject(type.decode(type.encode(type.fromObject(msg)).finish()), { longs: Number, oneofs: true, enums: Number })
    expect(decoded.body).to.equal('appendEntries')
    expect(decoded.appendEntries.entries[0].configuration.voters[0]).to.deep.equal({ id: 'a', address: 'a:1' })
  })
})
