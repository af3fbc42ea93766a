import { expect } from 'chai'
import { ManualClock, NotLeaderError, silentLogger } from '@clusterfunk/core'
import { ContactLease } from '../../src/cluster/contact-lease.js'

/** A Raft whose ReadIndex rounds the test answers by hand. */
class Reads {
  readonly pending: Array<{ resolve: (index: number) => void, reject: (err: Error) => void, timeoutMs: number | undefined }> = []
  asked = 0

  async read (_fn?: () => number, options: { timeoutMs?: number } = {}): Promise<number> {
    this.asked++
    return await new Promise((resolve, reject) => { this.pending.push({ resolve, reject, timeoutMs: options.timeoutMs }) })
  }
}

async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('ContactLease', () => {
  function setup (): { clock: ManualClock, reads: Reads, lease: ContactLease, changes: () => number } {
    const clock = new ManualClock()
    const reads = new Reads()
    let changed = 0
    const lease = new ContactLease({ raft: reads, clock, logger: silentLogger('test'), changed: () => { changed++ } }, 150)
    return { clock, reads, lease, changes: () => changed }
  }

  it('holds only once a read came back, for the lease from when the node asked', async () => {
    const { clock, reads, lease, changes } = setup()
    expect(lease.valid(0)).to.equal(false)
    lease.renew(0)
    expect(reads.asked).to.equal(1)
    // A read is worth waiting for as long as the lease it could renew.
    expect(reads.pending[0]?.timeoutMs).to.equal(150)
    clock.advance(30)
    reads.pending[0]?.resolve(7)
    await settle()
    expect(changes()).to.equal(1)
    expect(lease.valid(30)).to.equal(true)
    expect(lease.expiresAt).to.equal(150)
    expect(lease.valid(149.9)).to.equal(true)
    expect(lease.valid(150)).to.equal(false)
  })

  it('asks again once two thirds of the lease are left', async () => {
    const { reads, lease } = setup()
    lease.renew(0)
    lease.renew(1)
    expect(reads.asked).to.equal(1)
    reads.pending[0]?.resolve(1)
    await settle()
    expect(lease.nextWake(10)).to.equal(50)
    lease.renew(49)
    expect(reads.asked).to.equal(1)
    lease.renew(50)
    expect(reads.asked).to.equal(2)
    reads.pending[1]?.resolve(2)
    await settle()
    expect(lease.expiresAt).to.equal(200)
  })

  it('a slow read does not hold up the next: another starts every third of the lease, three at most, and a late one still renews from when it asked', async () => {
    const { reads, lease } = setup()
    lease.renew(0)
    expect(lease.nextWake(0)).to.equal(50)
    lease.renew(49)
    expect(reads.asked).to.equal(1)
    lease.renew(50)
    lease.renew(100)
    expect(reads.asked).to.equal(3)
    // Three out: the next look is when the lease runs out (never held: nothing due).
    lease.renew(150)
    expect(reads.asked).to.equal(3)
    expect(lease.nextWake(150)).to.equal(Infinity)
    // The second read (asked at 50) comes back late but within its lease.
    reads.pending[1]?.resolve(5)
    await settle()
    expect(lease.expiresAt).to.equal(200)
    expect(lease.valid(199)).to.equal(true)
    // The first (asked at 0) comes back later still: it cannot shorten the lease.
    reads.pending[0]?.resolve(5)
    await settle()
    expect(lease.expiresAt).to.equal(200)
  })

  it('a refused read is retried after a tenth of the lease, not at once, and a lost one leaves the lease to run out', async () => {
    const { clock, reads, lease } = setup()
    lease.renew(0)
    reads.pending[0]?.reject(new NotLeaderError(undefined, undefined))
    await settle()
    lease.renew(0)
    expect(reads.asked).to.equal(1)
    expect(lease.nextWake(0)).to.equal(15)
    clock.advance(15)
    lease.renew(15)
    expect(reads.asked).to.equal(2)
    expect(lease.valid(15)).to.equal(false)
  })
})
