import { expect } from 'chai'
import { delay, waitFor } from '../src/abort.js'
import { ManualClock } from '../src/clock.js'

/** Lets pending promise continuations run. */
async function settle (): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

describe('delay and waitFor on a given Clock', () => {
  it('delay resolves only once the clock has moved by its ms', async () => {
    const clock = new ManualClock()
    let done = false
    const waiting = delay(100, { clock }).then(() => { done = true })
    clock.advance(99)
    await settle()
    expect(done).to.equal(false)
    clock.advance(1)
    await waiting
    expect(done).to.equal(true)
    expect(clock.pending).to.equal(0)
  })

  it('waitFor times out on the clock\'s time, not real time, and leaves no timer behind', async () => {
    const clock = new ManualClock()
    let outcome: string | undefined
    const waiting = waitFor(() => false, { clock, timeoutMs: 50, intervalMs: 10, what: 'never' }).then(() => 'resolved', (e: Error) => e.name)
    void waiting.then(o => { outcome = o })
    for (let t = 0; t < 6 && outcome === undefined; t++) {
      await settle()
      clock.advance(10)
    }
    await settle()
    expect(outcome).to.equal('TimeoutError')
    expect(clock.pending).to.equal(0)
  })
})
