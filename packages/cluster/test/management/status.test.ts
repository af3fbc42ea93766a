import { expect } from 'chai'
import { status as Code, type ServiceError, type StatusObject } from '@grpc/grpc-js'
import { AbortError, InvalidArgumentError, NotLeaderError, TimeoutError } from '@clusterfunk/core'
import { ManagementError, UnauthenticatedError, UnavailableError, UnknownNodeError } from '../../src/index.js'
import { errorToStatus, statusToError } from '../../src/management/status.js'
import { decodeEvent, decodeStatus } from '../../src/management/codec.js'

function roundTrip (err: unknown): Error {
  const s = errorToStatus(err) as StatusObject
  const wire = Object.assign(new Error(s.details), { code: s.code, details: s.details, metadata: s.metadata }) as ServiceError
  return statusToError(wire, '127.0.0.1:1')
}

describe('management error mapping', () => {
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
  it('decodes missing and unknown values to safe defaults instead of throwing', () => {
    expect(decodeStatus({ role: 'ROLE_FROM_THE_FUTURE', shardCount: 'many' })).to.include({ role: 'NonMember', state: 'Invalid', shardCount: 0, nodeId: '' })
    expect(decodeEvent({ event: 'somethingNew', somethingNew: {} })).to.equal(undefined)
    expect(decodeEvent({ timeMs: 5, event: 'leaderChanged', leaderChanged: { leaderId: '' } })).to.deep.equal({ type: 'leader:change', at: 5 })
  })
})
