import { expect } from 'chai'
import { MembershipConflictError } from '@clusterfunk/management'
import { ExitCode, describeError } from '../src/exit-codes.js'

describe('funkctl: a membership change the leader refuses', () => {
  it('prints the leader\'s reason and what to do as it is, and exits with the cluster-error code', () => {
    const err = new MembershipConflictError('node b is alive in gossip: the leader would add it back. Stop it (it leaves gracefully and is removed), or remove it once it has failed')
    expect(describeError(err)).to.deep.equal({ code: ExitCode.CLUSTER_ERROR, message: err.message })
  })
})
