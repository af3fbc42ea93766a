import { expect } from 'chai'
import type { IncomingHttpHeaders } from 'node:http2'
import fc from 'fast-check'
import { Metadata, status as Code, type ServiceError, type StatusObject } from '@grpc/grpc-js'
import { AbortError, InvalidArgumentError, MAP_VERSIONS, NotLeaderError, TimeoutError } from '@clusterfunk/core'
import { ManagementError, UnauthenticatedError, UnavailableError, UnknownNodeError } from '../src/index.js'
import { errorToStatus, statusToError } from '../src/status.js'
import { decodeEvent, decodeShards, decodeStatus, encodeStatus } from '../src/codec.js'

function roundTrip (err: unknown): Error {
  const s = errorToStatus(err) as StatusObject
  // Through HTTP/2 headers, as on the wire: grpc-js rejects illegal values there.
  const metadata = Metadata.fromHttp2Headers(s.metadata.toHttp2Headers() as IncomingHttpHeaders)
  const wire = Object.assign(new Error(s.details), { code: s.code, details: s.details, metadata }) as ServiceError
  return statusToError(wire, '127.0.0.1:1')
}

describe('management error mapping', () => {
  it('any node id or leader address becomes legal metadata and round-trips exactly', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 64 }), (id, address) => {
      const unknown = roundTrip(new UnknownNodeError(id))
      expect(unknown).to.be.instanceOf(UnknownNodeError)
      expect((unknown as UnknownNodeError).nodeId).to.equal(id)
      const notLeader = roundTrip(new NotLeaderError(id === '' ? 'x' : id, address === '' ? undefined : address))
      expect(notLeader).to.include({ leaderId: id === '' ? 'x' : id, leaderAddress: address === '' ? undefined : address })
    }), { numRuns: 500 })
  })

  it('ids and addresses that are already legal travel unchanged, so older clients read them as before', () => {
    const s = errorToStatus(new NotLeaderError('node-1.a_b', '[::1]:7000')) as StatusObject
    expect(s.metadata.get('clusterfunk-leader-id')).to.deep.equal(['node-1.a_b'])
    expect(s.metadata.get('clusterfunk-leader-address')).to.deep.equal(['[::1]:7000'])
  })

  it('a message with a lone surrogate or of any length becomes details grpc-js can send', () => {
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map(c => String.fromCharCode(c)), maxLength: 3_000 }), message => {
      const s = errorToStatus(new Error(message)) as StatusObject
      expect(() => encodeURI(s.details)).to.not.throw()
      expect(s.details.length).to.be.at.most(1_025)
    }), { numRuns: 200 })
  })

  it('NotLeaderError keeps its leader id and address across the wire', () => {
    const err = roundTrip(new NotLeaderError('a', '127.0.0.1:9000'))
    expect(err).to.be.instanceOf(NotLeaderError).and.include({ leaderId: 'a', leaderAddress: '127.0.0.1:9000' })
    expect((errorToStatus(new NotLeaderError('a')) as StatusObject).code).to.equal(Code.FAILED_PRECONDITION)
  })

  it('maps each core and management error to its code and back to its class', () => {
    const cases: Array<[Error, Code, new (...args: never[]) => Error]> = [
      [new InvalidArgumentError('bad'), Code.INVALID_ARGUMENT, InvalidArgumentError],
      [new UnknownNodeError('x'), Code.NOT_FOUND, UnknownNodeError],
      [new UnauthenticatedError(), Code.UNAUTHENTICATED, UnauthenticatedError],
      [new TimeoutError(), Code.DEADLINE_EXCEEDED, TimeoutError],
      [new AbortError(), Code.CANCELLED, AbortError],
      [new NotLeaderError(), Code.UNAVAILABLE, NotLeaderError],
      [new Error('boom'), Code.INTERNAL, ManagementError]
    ]
    for (const [err, code, cls] of cases) {
      expect((errorToStatus(err) as StatusObject).code, err.name).to.equal(code)
      expect(roundTrip(err), err.name).to.be.instanceOf(cls)
    }
    expect(roundTrip(new Error('boom'))).to.include({ reason: 'GENERIC', message: 'boom' })
  })

  it('reads a status without a reason by its code: UNAVAILABLE means unreachable', () => {
    const wire = Object.assign(new Error('refused'), { code: Code.UNAVAILABLE, details: 'connect ECONNREFUSED' }) as ServiceError
    expect(statusToError(wire, '127.0.0.1:1')).to.be.instanceOf(UnavailableError).and.include({ address: '127.0.0.1:1' })
  })
})

describe('management codec', () => {
  it('shows a map version or count outside its range as 0, never as a number that cannot advance', () => {
    const max = MAP_VERSIONS.max
    for (const [wire, shown] of [[0, 0], [1, 1], [max - 1, max - 1], [max, max], [max + 1, 0], [2 ** 53, 0], [-1, 0], [1.5, 0], [Number.NaN, 0]] as const) {
      expect(decodeStatus({ shardMapVersion: wire }).shardMapVersion, String(wire)).to.equal(shown)
      expect(decodeShards({ mapVersion: wire }).mapVersion, String(wire)).to.equal(shown)
      expect(decodeEvent({ event: 'shardsChanged', shardsChanged: { mapVersion: wire, totalShards: wire } })).to.deep.include({ mapVersion: shown })
    }
    expect(decodeStatus({ raftMembers: -3, shardCount: 2 ** 53 })).to.include({ raftMembers: 0, shardCount: 0 })
  })

  it('carries the Raft term, commit and applied index, voters and version; an older server\'s zeros are left out, bad values dropped', () => {
    const wire = encodeStatus({
      nodeId: 'a', clusterName: 'c', role: 'Leader', state: 'Operational', raftMembers: 4, swimMembers: 4, shardCount: 10, shardMapVersion: 2,
      createdAt: 1, callerAddress: '127.0.0.1', raftTerm: 7, raftCommitIndex: 42, raftAppliedIndex: 41, raftVoters: 3, version: '0.1.0'
    })
    expect(decodeStatus(wire)).to.include({ raftTerm: 7, raftCommitIndex: 42, raftAppliedIndex: 41, raftVoters: 3, version: '0.1.0' })
    const older = decodeStatus({ nodeId: 'a', raftMembers: 3 })
    for (const key of ['raftTerm', 'raftCommitIndex', 'raftAppliedIndex', 'raftVoters', 'version']) expect(older).not.to.have.property(key)
    expect(decodeStatus({ raftTerm: -1, raftCommitIndex: 2 ** 53, raftAppliedIndex: 'x', version: 'v'.repeat(500) })).to.deep.include({ version: 'v'.repeat(64) })
    expect(decodeStatus({ raftTerm: -1, raftCommitIndex: 2 ** 53 })).not.to.have.any.keys('raftTerm', 'raftCommitIndex')
  })

  it('decodes missing and unknown values to safe defaults instead of throwing', () => {
    expect(decodeStatus({ role: 'ROLE_FROM_THE_FUTURE', shardCount: 'many' })).to.include({ role: 'NonMember', state: 'Invalid', shardCount: 0, nodeId: '' })
    expect(decodeEvent({ event: 'somethingNew', somethingNew: {} })).to.equal(undefined)
    expect(decodeEvent({ timeMs: 5, event: 'leaderChanged', leaderChanged: { leaderId: '' } })).to.deep.equal({ type: 'leader:change', at: 5 })
  })
})
