import { expect } from 'chai'
import { ManualClock, SeededRandom, TypedEventEmitter, eventIterator } from '../src/index.js'

// The example in README.md, with its console output captured as assertions.
describe('the README example', () => {
  it('reads events as a stream, runs virtual timers and shuffles reproducibly', async () => {
    const seen: string[] = []
    const events = new TypedEventEmitter<{ 'node:dead': { id: string } }>()
    const controller = new AbortController()
    const reader = (async () => {
      for await (const { detail } of eventIterator(events, 'node:dead', { signal: controller.signal })) {
        seen.push(`dead: ${detail.id}`)
      }
    })().catch(() => {})
    events.emit('node:dead', { id: 'n2' })

    const clock = new ManualClock()
    clock.setTimeout(() => seen.push(`at ${clock.now()}`), 100)
    clock.advance(150)

    const order = new SeededRandom(42).shuffle(['a', 'b', 'c'])
    expect(new SeededRandom(42).shuffle(['a', 'b', 'c'])).to.deep.equal(order)

    await Promise.resolve()
    controller.abort()
    await reader
    expect(seen).to.deep.equal(['at 100', 'dead: n2'])
  })
})
