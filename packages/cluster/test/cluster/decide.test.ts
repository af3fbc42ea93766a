import { expect } from 'chai'
import {
  INITIAL_STATE, IDLE_DUTIES, decide, leaderDuties, retire, settle,
  type ClusterAction, type ClusterView, type DecideState, type SwimFact
} from '../../src/index.js'

const address = (id: string, port: number): string => `10.0.0.${id.charCodeAt(0) - 96}:${port}`
const swim = (id: string, status: SwimFact['status'] = 'alive', extra: Partial<SwimFact> = {}): SwimFact => ({
  id,
  status,
  raftAddress: address(id, 7000),
  livenessAddress: { host: `10.0.0.${id.charCodeAt(0) - 96}`, port: 7001 },
  raftMember: false,
  statusChangedAt: 0,
  ...extra
})
const server = (id: string): { id: string, address: string } => ({ id, address: address(id, 7000) })

/** Node `a`'s view: a follower without Raft state among alive members b and c, unless told otherwise. */
function view (change: Omit<Partial<ClusterView>, 'raft'> & { raft?: Partial<ClusterView['raft']> } = {}): ClusterView {
  const { raft, ...rest } = change
  return {
    now: 10_000,
    nodeId: 'a',
    members: [swim('a'), swim('b'), swim('c')],
    liveness: [],
    leaseValid: false,
    tickDue: false,
    state: 'Starting',
    role: 'NonMember',
    options: { bootstrapExpect: undefined, maxVoters: 3, failedRemovalMs: 1_000 },
    serving: new Set(['a', 'b', 'c']),
    ...rest,
    raft: { role: 'follower', leaderId: undefined, configuration: { voters: [], nonVoters: [] }, hasState: false, answered: new Set(), ...raft }
  }
}

/** A member of a three-voter group (a, b, c) with Raft state. */
const grouped = (raft: Partial<ClusterView['raft']> = {}): Partial<ClusterView['raft']> =>
  ({ configuration: { voters: [server('a'), server('b'), server('c')], nonVoters: [] }, hasState: true, ...raft })
const state = (change: Partial<DecideState> = {}): DecideState => ({ ...INITIAL_STATE, ...change })
const types = (actions: readonly ClusterAction[]): string[] => actions.map(a => a.type)
const find = <T extends ClusterAction['type']>(actions: readonly ClusterAction[], type: T): Extract<ClusterAction, { type: T }> | undefined =>
  actions.find(a => a.type === type) as Extract<ClusterAction, { type: T }> | undefined

describe('the control loop: one step from a view (decide)', () => {
  describe('waiting and safe bootstrap', () => {
    it('a node without Raft state waits, renewing its lease and mending SWIM, and does nothing else', () => {
      const d = decide(state(), view())
      expect(d.state.phase).to.equal('waiting')
      expect(types(d.actions)).to.deep.equal(['lease-renew', 'coordinator-contact', 'mend-swim', 'warm-raft'])
    })

    it('bootstraps the expected members when safe bootstrap picks it (the lowest id)', () => {
      const d = decide(state(), view({ options: { bootstrapExpect: 3, maxVoters: 3, failedRemovalMs: 1_000 } }))
      expect(d.state.phase).to.equal('bootstrapping')
      expect(find(d.actions, 'bootstrap')?.configuration).to.deep.equal({ voters: [server('a'), server('b'), server('c')], nonVoters: [] })
    })

    it('says how many of the expected nodes it sees, and which, once and again whenever that changes', () => {
      const options = { bootstrapExpect: 4, maxVoters: 3, failedRemovalMs: 1_000 }
      const first = decide(state(), view({ options, members: [swim('a'), swim('c'), swim('b', 'suspect')] }))
      expect(find(first.actions, 'report-bootstrap-waiting')).to.deep.equal({ type: 'report-bootstrap-waiting', expect: 4, seen: ['a', 'c'] })
      // The same members: nothing more to say.
      const same = decide(first.state, view({ options, members: [swim('c'), swim('a'), swim('b', 'suspect')] }))
      expect(find(same.actions, 'report-bootstrap-waiting')).to.equal(undefined)
      const more = decide(same.state, view({ options }))
      expect(find(more.actions, 'report-bootstrap-waiting')).to.deep.include({ seen: ['a', 'b', 'c'] })
    })

    it('says nothing of waiting without bootstrapExpect, or once a member already holds Raft state', () => {
      expect(find(decide(state(), view()).actions, 'report-bootstrap-waiting')).to.equal(undefined)
      const joined = view({ options: { bootstrapExpect: 4, maxVoters: 3, failedRemovalMs: 1_000 }, members: [swim('a'), swim('b', 'alive', { raftMember: true })] })
      expect(find(decide(state(), joined).actions, 'report-bootstrap-waiting')).to.equal(undefined)
    })

    it('keeps waiting when another node is to bootstrap', () => {
      const d = decide(state(), view({ nodeId: 'b', options: { bootstrapExpect: 3, maxVoters: 3, failedRemovalMs: 1_000 } }))
      expect(d.state.phase).to.equal('waiting')
      expect(find(d.actions, 'bootstrap')).to.equal(undefined)
    })

    it('never bootstraps twice while one is in flight', () => {
      const d = decide(state({ phase: 'bootstrapping' }), view({ options: { bootstrapExpect: 3, maxVoters: 3, failedRemovalMs: 1_000 } }))
      expect(d.state.phase).to.equal('bootstrapping')
      expect(find(d.actions, 'bootstrap')).to.equal(undefined)
    })

    it('a node that was added (it holds Raft state now) follows', () => {
      expect(decide(state(), view({ raft: grouped() })).state.phase).to.equal('following')
    })
  })

  describe('leadership', () => {
    it('reports a leader it had not known', () => {
      const d = decide(state(), view({ raft: grouped({ leaderId: 'b' }) }))
      expect(d.actions[0]).to.deep.equal({ type: 'report-leader', leaderId: 'b' })
      expect(d.state.leaderId).to.equal('b')
    })

    it('reports a leader it knows only once', () => {
      const d = decide(state({ leaderId: 'b', phase: 'following' }), view({ raft: grouped({ leaderId: 'b' }) }))
      expect(find(d.actions, 'report-leader')).to.equal(undefined)
    })

    it('a node Raft made leader commits a barrier before its coordinator leads', () => {
      const d = decide(state({ phase: 'following' }), view({ raft: grouped({ role: 'leader', leaderId: 'a' }) }))
      expect(d.state.phase).to.equal('becoming-leader')
      expect(types(d.actions)).to.include('barrier')
      expect(types(d.actions)).not.to.include('coordinator-lead')
    })

    it('commits only one barrier while it is in flight', () => {
      const d = decide(state({ phase: 'becoming-leader', leaderId: 'a' }), view({ raft: grouped({ role: 'leader', leaderId: 'a' }) }))
      expect(d.state.phase).to.equal('becoming-leader')
      expect(types(d.actions)).not.to.include('barrier')
    })

    it('a leader that lost leadership hands the coordinator back and stops checking liveness', () => {
      const d = decide(state({ phase: 'leading', leaderId: 'a' }), view({ raft: grouped({ leaderId: 'b' }) }))
      expect(d.state.phase).to.equal('following')
      expect(types(d.actions).slice(0, 3)).to.deep.equal(['report-leader', 'coordinator-follow', 'liveness-stop'])
    })

    it('a node handing over while stopping does no duties but still hands back when deposed', () => {
      const leader = view({ raft: grouped({ role: 'leader', leaderId: 'a' }), members: [swim('a', 'alive', { raftMember: true }), swim('b'), swim('c')] })
      const stillLeading = decide(state({ phase: 'handing-over', leaderId: 'a' }), leader)
      expect(types(stillLeading.actions)).to.deep.equal(['lease-renew', 'coordinator-contact', 'warm-raft', 'report-role'])
      const deposed = decide(state({ phase: 'handing-over', leaderId: 'a' }), view({ raft: grouped({ leaderId: 'a' }) }))
      expect(deposed.state.phase).to.equal('following')
      expect(types(deposed.actions)).to.include.members(['coordinator-follow', 'liveness-stop'])
    })
  })

  describe('every node', () => {
    it('tells the coordinator whether its lease holds', () => {
      expect(find(decide(state(), view({ leaseValid: true })).actions, 'coordinator-contact')?.valid).to.equal(true)
      expect(find(decide(state(), view({ leaseValid: false })).actions, 'coordinator-contact')?.valid).to.equal(false)
    })

    it('ticks the coordinator only when its deadline came', () => {
      expect(types(decide(state(), view({ tickDue: true })).actions)).to.include('coordinator-tick')
      expect(types(decide(state(), view({ tickDue: false })).actions)).not.to.include('coordinator-tick')
    })

    it('reports its role when it changed: Follower, NonVoter, Leader, NonMember', () => {
      expect(find(decide(state(), view({ raft: grouped() })).actions, 'report-role')?.role).to.equal('Follower')
      const nonVoter = { configuration: { voters: [server('b')], nonVoters: [server('a')] }, hasState: true }
      expect(find(decide(state(), view({ raft: nonVoter })).actions, 'report-role')?.role).to.equal('NonVoter')
      expect(find(decide(state(), view({ raft: grouped({ role: 'leader' }) })).actions, 'report-role')?.role).to.equal('Leader')
      expect(find(decide(state(), view({ role: 'Follower' })).actions, 'report-role')?.role).to.equal('NonMember')
      expect(find(decide(state(), view({ role: 'Follower', raft: grouped() })).actions, 'report-role')).to.equal(undefined)
    })

    it('mends SWIM as a follower, serving only when in the group and past Joining', () => {
      expect(find(decide(state(), view({ raft: grouped({ leaderId: 'b' }), state: 'Operational' })).actions, 'mend-swim')).to.deep.equal({ type: 'mend-swim', leaderId: 'b', serving: true })
      expect(find(decide(state(), view({ raft: grouped({ leaderId: 'b' }), state: 'Joining' })).actions, 'mend-swim')?.serving).to.equal(false)
      expect(find(decide(state(), view({ raft: grouped({ role: 'leader' }) })).actions, 'mend-swim')).to.equal(undefined)
    })

    it('warms Raft connections as the leader or from outside the group, not as a member that follows', () => {
      expect(find(decide(state(), view()).actions, 'warm-raft')?.isLeader).to.equal(false)
      expect(find(decide(state(), view({ raft: grouped({ role: 'leader' }) })).actions, 'warm-raft')?.isLeader).to.equal(true)
      expect(find(decide(state(), view({ raft: grouped() })).actions, 'warm-raft')).to.equal(undefined)
    })

    it('publishes its tags again once it holds Raft state, until they say so', () => {
      expect(types(decide(state(), view({ raft: grouped() })).actions)).to.include('publish-tags')
      const tagged = [swim('a', 'alive', { raftMember: true }), swim('b'), swim('c')]
      expect(types(decide(state(), view({ raft: grouped(), members: tagged })).actions)).not.to.include('publish-tags')
      expect(types(decide(state(), view()).actions)).not.to.include('publish-tags')
    })
  })
})

describe('the control loop: asynchronous actions coming back (settle)', () => {
  it('a barrier that passed while the node still leads hands it the coordinator and steps at once', () => {
    const d = settle(state({ phase: 'becoming-leader' }), { type: 'barrier', ok: true, leader: true })
    expect(d.state.phase).to.equal('leading')
    expect(types(d.actions)).to.deep.equal(['coordinator-lead', 'step-now'])
  })

  it('a barrier that passed after the node lost leadership leaves it following', () => {
    const d = settle(state({ phase: 'becoming-leader' }), { type: 'barrier', ok: true, leader: false })
    expect(d.state.phase).to.equal('following')
    expect(d.actions).to.deep.equal([])
  })

  it('a barrier that failed leaves the node following, to try again if it still leads', () => {
    const failed = settle(state({ phase: 'becoming-leader' }), { type: 'barrier', ok: false, leader: false })
    expect(failed.state.phase).to.equal('following')
    expect(types(decide(failed.state, view({ raft: grouped({ role: 'leader', leaderId: 'a' }) })).actions)).to.include('barrier')
  })

  it('a new leader begins its duties afresh but still awaits a membership change in flight', () => {
    const before = state({ phase: 'becoming-leader', duties: { candidatesKey: 'a\nb', livenessSynced: true, changing: true, missingSince: new Map([['x', 5]]) } })
    const d = settle(before, { type: 'barrier', ok: true, leader: true })
    expect(d.state.duties).to.deep.equal({ ...IDLE_DUTIES, changing: true })
  })

  it('a bootstrap that passed is remembered and the node steps at once', () => {
    const d = settle(state({ phase: 'bootstrapping' }), { type: 'bootstrap', ok: true })
    expect(d.state).to.include({ phase: 'following', bootstrapped: true })
    expect(types(d.actions)).to.deep.equal(['step-now'])
  })

  it('a bootstrap that failed lets the node wait (and be picked) again', () => {
    const d = settle(state({ phase: 'bootstrapping' }), { type: 'bootstrap', ok: false })
    expect(d.state.phase).to.equal('waiting')
    expect(d.actions).to.deep.equal([])
  })

  it('a finished membership change lets the next one go, on a step soon', () => {
    const d = settle(state({ phase: 'leading', duties: { ...IDLE_DUTIES, changing: true } }), { type: 'membership' })
    expect(d.state.duties.changing).to.equal(false)
    expect(types(d.actions)).to.deep.equal(['wake'])
  })

  it('a stopping leader retires: its duties end, its coordinator leads until Raft says otherwise', () => {
    const d = retire(state({ phase: 'leading', duties: { ...IDLE_DUTIES, candidatesKey: 'a' } }))
    expect(d.state.phase).to.equal('handing-over')
    expect(d.state.duties.candidatesKey).to.equal('')
    expect(types(d.actions)).to.deep.equal(['liveness-stop'])
    expect(retire(state({ phase: 'following' })).state.phase).to.equal('following')
  })
})

describe("the leader's duties", () => {
  const leading = (change: Omit<Partial<ClusterView>, 'raft'> & { raft?: Partial<ClusterView['raft']> } = {}): ClusterView => view({ raft: grouped({ role: 'leader', leaderId: 'a' }), role: 'Leader', ...change })
  const watched = (id: string, state: 'alive' | 'dead' | 'unknown', port = 7001): { id: string, address: { host: string, port: number }, state: 'alive' | 'dead' | 'unknown' } =>
    ({ id, address: { host: `10.0.0.${id.charCodeAt(0) - 96}`, port }, state })

  it('watch every live member at a random phase when leadership begins, and a member that comes later at once', () => {
    const first = leaderDuties(IDLE_DUTIES, leading())
    expect(first.actions.filter(a => a.type === 'liveness-watch').map(a => a.type === 'liveness-watch' && [a.nodeId, a.probeNow])).to.deep.equal([['a', false], ['b', false], ['c', false]])
    const later = leaderDuties(first.state, leading({ members: [swim('a'), swim('b'), swim('c'), swim('d')], liveness: [watched('a', 'alive'), watched('b', 'alive'), watched('c', 'alive')] }))
    expect(find(later.actions, 'liveness-watch')).to.deep.include({ nodeId: 'd', probeNow: true })
  })

  it('watch a member again when its liveness endpoint moved, and stop watching one that is gone', () => {
    const d = leaderDuties({ ...IDLE_DUTIES, livenessSynced: true }, leading({
      members: [swim('a'), swim('b')],
      liveness: [watched('a', 'alive'), watched('b', 'alive', 9_999), watched('c', 'alive')]
    }))
    expect(find(d.actions, 'liveness-watch')).to.deep.include({ nodeId: 'b', probeNow: true })
    expect(find(d.actions, 'liveness-retain')?.nodeIds).to.deep.equal(['a', 'b'])
  })

  it('give the coordinator the group members that are live and not declared dead, once per change', () => {
    const v = leading({ liveness: [watched('a', 'alive'), watched('b', 'dead'), watched('c', 'alive')] })
    const d = leaderDuties(IDLE_DUTIES, v)
    expect(find(d.actions, 'coordinator-candidates')?.nodeIds).to.deep.equal(['a', 'c'])
    expect(find(leaderDuties(d.state, v).actions, 'coordinator-candidates')).to.equal(undefined)
  })

  it('give the coordinator a node outside the committed map only once Raft reached it (it answered), so no proposal waits out its ack', () => {
    const liveness = [watched('a', 'alive'), watched('b', 'alive'), watched('c', 'alive')]
    const unreached = leaderDuties(IDLE_DUTIES, leading({ liveness, serving: new Set(['a', 'b']) }))
    expect(find(unreached.actions, 'coordinator-candidates')?.nodeIds).to.deep.equal(['a', 'b'])
    const reached = leaderDuties(unreached.state, leading({ liveness, serving: new Set(['a', 'b']), raft: grouped({ role: 'leader', answered: new Set(['b', 'c']) }) }))
    expect(find(reached.actions, 'coordinator-candidates')?.nodeIds).to.deep.equal(['a', 'b', 'c'])
  })

  it('add a member SWIM holds alive only once the checker heard it', () => {
    const members = [swim('a'), swim('b'), swim('c'), swim('d')]
    const config = { configuration: { voters: [server('a'), server('b')], nonVoters: [] } }
    const unheard = leaderDuties(IDLE_DUTIES, leading({ members, raft: grouped({ role: 'leader', ...config }), liveness: [watched('d', 'unknown')] }))
    expect(find(unheard.actions, 'membership')).to.equal(undefined)
    const heard = leaderDuties(IDLE_DUTIES, leading({ members, raft: grouped({ role: 'leader', ...config }), liveness: [watched('c', 'alive'), watched('d', 'alive')] }))
    expect(find(heard.actions, 'membership')?.change).to.deep.equal({ type: 'addNonVoter', id: 'c', address: address('c', 7000) })
    expect(heard.state.changing).to.equal(true)
  })

  it('make one membership change at a time', () => {
    const d = leaderDuties({ ...IDLE_DUTIES, changing: true }, leading({ members: [swim('a'), swim('b', 'left'), swim('c')] }))
    expect(find(d.actions, 'membership')).to.equal(undefined)
  })

  it('remove a group member SWIM no longer knows once it has been missing past the grace period', () => {
    const members = [swim('a'), swim('b')]
    const first = leaderDuties(IDLE_DUTIES, leading({ members }))
    expect(find(first.actions, 'membership')).to.equal(undefined)
    expect(first.state.missingSince.get('c')).to.equal(10_000)
    const later = leaderDuties(first.state, leading({ members, now: 11_000 }))
    expect(find(later.actions, 'membership')?.change).to.deep.equal({ type: 'remove', id: 'c' })
  })

  it('run on every step while the node leads, after its barrier', () => {
    const d = decide(state({ phase: 'leading', leaderId: 'a' }), leading())
    expect(types(d.actions).slice(0, 4)).to.deep.equal(['liveness-watch', 'liveness-watch', 'liveness-watch', 'coordinator-candidates'])
    expect(d.state.duties.livenessSynced).to.equal(true)
  })
})
