import { expect } from 'chai'
import fc from 'fast-check'
import { LockTable, type LockCommand, type LockGrant } from '../../src/index.js'

const acquire = (owner: string, nodeId = 'n1', waitMs = 10_000, ttlMs = 1_000, name = 'L'): LockCommand => ({ type: 'acquire', name, owner, nodeId, ttlMs, waitMs })

describe('lock table', () => {
  it('grants a free lock under the index of the granting entry', () => {
    const t = new LockTable()
    const s = t.apply(acquire('a'), 7, 1_000)
    expect(s.outcome).to.deep.equal({ type: 'granted', token: 7, expiresAtMs: 2_000 })
    expect(s.grants).to.deep.equal([{ name: 'L', owner: 'a', nodeId: 'n1', token: 7, expiresAtMs: 2_000 }])
  })

  it('answers busy to a caller that does not wait, and queues one that does', () => {
    const t = new LockTable()
    t.apply(acquire('a'), 1, 0)
    expect(t.apply(acquire('b', 'n1', 0), 2, 0).outcome).to.deep.equal({ type: 'busy', holder: 'a', token: 1 })
    expect(t.apply(acquire('c'), 3, 0).outcome).to.include({ type: 'queued', position: 1 })
    expect(t.apply(acquire('d'), 4, 0).outcome).to.include({ type: 'queued', position: 2 })
  })

  it('gives a retried acquire of the same owner the same answer', () => {
    const t = new LockTable()
    t.apply(acquire('a'), 1, 0)
    expect(t.apply(acquire('a'), 2, 0).outcome).to.deep.equal({ type: 'granted', token: 1, expiresAtMs: 1_000 })
    t.apply(acquire('b'), 3, 0)
    expect(t.apply(acquire('b'), 4, 0).outcome).to.include({ type: 'queued', position: 1 })
    expect(t.get('L')?.waiters.length).to.equal(1)
  })

  it('hands a released lock to the first waiter under the release entry index', () => {
    const t = new LockTable()
    t.apply(acquire('a'), 1, 0)
    t.apply(acquire('b'), 2, 0)
    t.apply(acquire('c'), 3, 0)
    expect(t.apply({ type: 'release', name: 'L', token: 99 }, 4, 0).outcome).to.deep.equal({ type: 'lost' })
    const s = t.apply({ type: 'release', name: 'L', token: 1 }, 5, 10)
    expect(s.outcome).to.deep.equal({ type: 'released' })
    expect(s.grants).to.deep.equal([{ name: 'L', owner: 'b', nodeId: 'n1', token: 5, expiresAtMs: 1_010 }])
  })

  it('extends a lease on renewal and tells a stale token it is lost', () => {
    const t = new LockTable()
    t.apply(acquire('a'), 1, 0)
    expect(t.apply({ type: 'renew', name: 'L', token: 1 }, 2, 500).outcome).to.deep.equal({ type: 'renewed', expiresAtMs: 1_500 })
    expect(t.apply({ type: 'renew', name: 'L', token: 2 }, 3, 500).outcome).to.deep.equal({ type: 'lost' })
  })

  it('lists for the leader the leases past their end, with a full ttl of grace from its takeover', () => {
    const t = new LockTable()
    t.apply(acquire('a'), 1, 0)
    t.apply(acquire('b', 'n2', 300), 2, 0)
    expect(t.due(999, 0)).to.deep.equal([{ type: 'cancel', name: 'L', owner: 'b' }])
    expect(t.due(1_000, 0)).to.deep.include({ type: 'expire', name: 'L', token: 1 })
    expect(t.due(1_000, 500).filter(c => c.type === 'expire')).to.deep.equal([])
    expect(t.due(1_500, 500).filter(c => c.type === 'expire')).to.have.length(1)
    const s = t.apply({ type: 'expire', name: 'L', token: 1 }, 3, 1_000)
    expect(s.losses).to.deep.equal([{ name: 'L', owner: 'a', token: 1, reason: 'expired' }])
    // b's wait ended at 300: it is not granted what a's expiry frees.
    expect(s.grants).to.deep.equal([])
    expect(t.get('L')).to.equal(undefined)
  })

  it('drops a dead node: its leases end, its waiters leave, the next live waiter is granted', () => {
    const t = new LockTable()
    t.apply(acquire('a', 'n1'), 1, 0)
    t.apply(acquire('b', 'n1'), 2, 0)
    t.apply(acquire('c', 'n2'), 3, 0)
    const s = t.apply({ type: 'drop-node', nodeId: 'n1' }, 4, 5)
    expect(s.losses.map(l => l.owner).sort()).to.deep.equal(['a', 'b'])
    expect(s.grants).to.deep.equal([{ name: 'L', owner: 'c', nodeId: 'n2', token: 4, expiresAtMs: 1_005 }])
    expect([...t.nodes()]).to.deep.equal(['n2'])
  })

  it('bounds waiters per lock and locks in all', () => {
    const t = new LockTable({ maxLocks: 2, maxWaitersPerLock: 1 })
    t.apply(acquire('a'), 1, 0)
    t.apply(acquire('b'), 2, 0)
    expect(t.apply(acquire('c'), 3, 0).outcome).to.include({ type: 'limit', limit: 'waiters' })
    t.apply(acquire('x', 'n1', 0, 1_000, 'M'), 4, 0)
    expect(t.apply(acquire('y', 'n1', 0, 1_000, 'N'), 5, 0).outcome).to.include({ type: 'limit', limit: 'locks' })
  })

  const commandArb: fc.Arbitrary<LockCommand> = fc.oneof(
    fc.record({ type: fc.constant('acquire' as const), name: fc.constantFrom('L', 'M'), owner: fc.constantFrom('a', 'b', 'c', 'd', 'e'), nodeId: fc.constantFrom('n1', 'n2', 'n3'), ttlMs: fc.constantFrom(200, 1_000), waitMs: fc.constantFrom(0, 500, 5_000) }),
    fc.record({ type: fc.constantFrom('release' as const, 'expire' as const, 'renew' as const), name: fc.constantFrom('L', 'M'), token: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ type: fc.constant('cancel' as const), name: fc.constantFrom('L', 'M'), owner: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
    fc.record({ type: fc.constant('drop-node' as const), nodeId: fc.constantFrom('n1', 'n2', 'n3') })
  )

  it('hands out tokens that strictly increase per lock, grants waiters in FIFO order, and never has two holders', () => {
    fc.assert(fc.property(fc.array(fc.tuple(commandArb, fc.nat(200)), { maxLength: 60 }), steps => {
      const t = new LockTable()
      const last = new Map<string, number>()
      const queued = new Map<string, string[]>()
      let now = 0
      steps.forEach(([command, dt], i) => {
        now += dt
        const before = t.get('name' in command ? command.name : '')?.waiters.map(w => w.owner) ?? []
        const s = t.apply(command, i + 1, now)
        for (const g of s.grants) {
          expect(g.token).to.be.greaterThan(last.get(g.name) ?? 0)
          last.set(g.name, g.token)
          expect(t.get(g.name)?.holder?.owner).to.equal(g.owner)
        }
        // A grant that came off the queue went to the earliest waiter still waiting.
        if (command.type === 'release' || command.type === 'expire' || command.type === 'cancel') {
          const g: LockGrant | undefined = s.grants[0]
          if (g !== undefined) expect(before.filter(o => o !== (command.type === 'cancel' ? command.owner : '')).includes(g.owner)).to.equal(true)
        }
        for (const lock of t.list()) {
          const owners = lock.waiters.map(w => w.owner)
          expect(new Set(owners).size).to.equal(owners.length)
          if (lock.holder !== undefined) expect(owners).to.not.include(lock.holder.owner)
          // Waiters keep their relative order.
          const seen = queued.get(lock.name) ?? []
          const kept = seen.filter(o => owners.includes(o))
          expect(owners.slice(0, kept.length)).to.deep.equal(kept)
          queued.set(lock.name, owners)
        }
      })
    }))
  })

  it('restores a snapshot to the same table', () => {
    const t = new LockTable()
    t.apply(acquire('a'), 1, 0)
    t.apply(acquire('b', 'n2'), 2, 0)
    const u = new LockTable()
    u.restore(t.snapshot())
    expect(u.snapshot()).to.deep.equal(t.snapshot())
    expect(u.apply({ type: 'release', name: 'L', token: 1 }, 3, 0).grants[0]?.owner).to.equal('b')
  })
})
