import { expect } from 'chai'
import fc from 'fast-check'
import { EventQueue, type QueuedEvent } from '../src/event-queue.js'

describe('EventQueue', () => {
  it('pops live events in (due time, sequence) order, whatever the insertion and cancellation pattern', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ at: fc.integer({ min: 0, max: 20 }), cancel: fc.boolean() }), { maxLength: 200 }),
      (specs) => {
        const queue = new EventQueue()
        const events: QueuedEvent[] = specs.map((s, seq) => ({ at: s.at, seq, run: () => {}, cancelled: false }))
        for (const e of events) queue.push(e)
        specs.forEach((s, i) => { if (s.cancel) queue.cancel(events[i] as QueuedEvent) })
        const expected = events.filter((_, i) => specs[i]?.cancel !== true)
          .sort((a, b) => a.at - b.at || a.seq - b.seq).map(e => e.seq)
        expect(queue.size).to.equal(expected.length)
        const popped: number[] = []
        for (let e = queue.pop(); e !== undefined; e = queue.pop()) popped.push(e.seq)
        expect(popped).to.deep.equal(expected)
        expect(queue.size).to.equal(0)
      }
    ))
  })
})
