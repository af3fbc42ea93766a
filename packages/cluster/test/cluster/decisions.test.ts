import { expect } from 'chai'
import { bootstrapDecision, nextMembershipChange, type MemberView } from '../../src/index.js'

const member = (id: string, raftAddress: string | null = `127.0.0.1:${id.charCodeAt(0)}`, member = false): { id: string, raftAddress: string | undefined, member: boolean } =>
  ({ id, raftAddress: raftAddress ?? undefined, member })

describe('safe bootstrap decision', () => {
  it('waits until the expected number of members published their Raft address', () => {
    expect(bootstrapDecision('a', 3, [member('a'), member('b')])).to.equal('wait')
    expect(bootstrapDecision('a', 3, [member('a'), member('b'), member('c', null)])).to.equal('wait')
  })

  it('lets only the lowest id bootstrap, with the expected lowest ids as voters', () => {
    const seen = [member('c'), member('a'), member('b'), member('d')]
    expect(bootstrapDecision('b', 3, seen)).to.equal('wait')
    expect(bootstrapDecision('d', 3, seen)).to.equal('wait')
    const config = bootstrapDecision('a', 3, seen)
    expect(config).to.deep.equal({ voters: [{ id: 'a', address: '127.0.0.1:97' }, { id: 'b', address: '127.0.0.1:98' }, { id: 'c', address: '127.0.0.1:99' }], nonVoters: [] })
  })

  it('never bootstraps once a member says it belongs to a Raft group', () => {
    expect(bootstrapDecision('a', 2, [member('a'), member('b', null, true), member('c')])).to.equal('wait')
  })
})

describe('the leader following SWIM', () => {
  const view = (id: string, status: MemberView['status'], since = 0): MemberView => ({ id, status, raftAddress: `10.0.0.${id.charCodeAt(0) - 96}:7000`, since })
  const members = (...views: MemberView[]): Map<string, MemberView> => new Map(views.map(v => [v.id, v]))
  const m = (id: string): { id: string, address: string } => ({ id, address: `10.0.0.${id.charCodeAt(0) - 96}:7000` })
  const base = { self: 'a', maxVoters: 3, failedRemovalMs: 1_000, now: 10_000, answered: new Set<string>() }

  it('adds alive members as non-voters, and promotes one into a free voter seat once it answered Raft', () => {
    const all = members(view('a', 'alive'), view('b', 'alive'), view('c', 'alive'), view('d', 'alive'))
    expect(nextMembershipChange({ ...base, configuration: { voters: [m('a')], nonVoters: [] }, members: all })).to.deep.equal({ type: 'addNonVoter', id: 'b', address: m('b').address })
    expect(nextMembershipChange({ ...base, configuration: { voters: [m('a'), m('b'), m('c')], nonVoters: [] }, members: all })).to.deep.equal({ type: 'addNonVoter', id: 'd', address: m('d').address })
    const added = { voters: [m('a')], nonVoters: [m('b'), m('c'), m('d')] }
    expect(nextMembershipChange({ ...base, configuration: added, members: all, answered: new Set(['c']) })).to.deep.equal({ type: 'addVoter', id: 'c', address: m('c').address })
  })

  it('leaves a non-voter that never answered Raft (its traffic cannot get through) a non-voter, holding up no other change', () => {
    const all = members(view('a', 'alive'), view('b', 'alive'), view('c', 'alive'), view('d', 'left'))
    const configuration = { voters: [m('a')], nonVoters: [m('b'), m('d')] }
    expect(nextMembershipChange({ ...base, configuration, members: all })).to.deep.equal({ type: 'remove', id: 'd' })
    expect(nextMembershipChange({ ...base, configuration: { voters: [m('a')], nonVoters: [m('b')] }, members: all })).to.deep.equal({ type: 'addNonVoter', id: 'c', address: m('c').address })
    expect(nextMembershipChange({ ...base, configuration: { voters: [m('a')], nonVoters: [m('b'), m('c')] }, members: all })).to.equal(undefined)
  })

  it('removes a member that left at once and a failed one only after the grace period', () => {
    const configuration = { voters: [m('a'), m('b'), m('c')], nonVoters: [] }
    expect(nextMembershipChange({ ...base, configuration, members: members(view('a', 'alive'), view('b', 'left'), view('c', 'alive')) })).to.deep.equal({ type: 'remove', id: 'b' })
    expect(nextMembershipChange({ ...base, configuration, members: members(view('a', 'alive'), view('b', 'dead', 9_500), view('c', 'alive')) })).to.equal(undefined)
    expect(nextMembershipChange({ ...base, configuration, members: members(view('a', 'alive'), view('b', 'dead', 9_000), view('c', 'alive')) })).to.deep.equal({ type: 'remove', id: 'b' })
  })

  it('never removes or demotes itself', () => {
    const configuration = { voters: [m('a'), m('b'), m('c'), m('d')], nonVoters: [] }
    const all = members(view('a', 'left'), view('b', 'alive'), view('c', 'alive'), view('d', 'alive'))
    expect(nextMembershipChange({ ...base, configuration, members: all })).to.deep.equal({ type: 'demote', id: 'd' })
  })

  it('promotes an alive non-voter that answered into a free voter seat', () => {
    const configuration = { voters: [m('a'), m('b')], nonVoters: [m('c'), m('d')] }
    const all = members(view('a', 'alive'), view('b', 'alive'), view('c', 'suspect'), view('d', 'alive'))
    expect(nextMembershipChange({ ...base, configuration, members: all, answered: new Set(['c', 'd']) })).to.deep.equal({ type: 'addVoter', id: 'd', address: m('d').address })
  })

  it('takes out a member that came back on another Raft address, so it is added again at the new one', () => {
    const configuration = { voters: [m('a'), m('b'), { id: 'c', address: '10.0.0.3:7001' }], nonVoters: [] }
    const all = members(view('a', 'alive'), view('b', 'alive'), view('c', 'alive'))
    expect(nextMembershipChange({ ...base, configuration, members: all })).to.deep.equal({ type: 'remove', id: 'c' })
    expect(nextMembershipChange({ ...base, configuration: { voters: [m('a'), m('b')], nonVoters: [] }, members: all })).to.deep.equal({ type: 'addNonVoter', id: 'c', address: m('c').address })
  })
})
